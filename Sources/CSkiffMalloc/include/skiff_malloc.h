// glibc's malloc tuning, which Swift's Glibc module does not export.
#ifndef SKIFF_MALLOC_H
#define SKIFF_MALLOC_H

#if defined(__linux__)
#include <malloc.h>  // also defines __GLIBC__ (through features.h) when glibc is the C library
#endif

/// Serves every allocation of at least `bytes` with its own mapping, returned to the system on free, and turns
/// off glibc's adaptive threshold. Returns 1 on success, 0 where glibc is not the allocator.
static inline int skiff_set_mmap_threshold(int bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}

#endif
