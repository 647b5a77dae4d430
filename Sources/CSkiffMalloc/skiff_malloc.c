// The header holds everything (one static inline function); SwiftPM needs a source file for a C target.
#include "skiff_malloc.h"
