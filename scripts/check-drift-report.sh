#!/usr/bin/env bash
# Renders the HTML drift report of a committed fixture in headless Chromium and checks the screenshot:
# the page must draw (not blank) and show both chart colours. Needs `chromium` (Debian package) and python3.
# Usage: scripts/check-drift-report.sh [path/to/skiff] [screenshot.png]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
skiff="${1:-$root/.build/debug/skiff}"
png="${2:-$(mktemp -d)/drift-report.png}"
fixtures="$root/Tests/SkiffStatsTests/Fixtures/small"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$skiff" drift --reference "$fixtures/reference.csv" --current "$fixtures/current.csv" --report "$work/report.html" >/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2400 \
    --screenshot="$png" "file://$work/report.html" >/dev/null 2>&1
python3 - "$png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, chunks, width, height, ctype = 8, [], 0, 0, 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        chunks.append(body)
    pos += 12 + length
raw = zlib.decompress(b"".join(chunks))
bpp = 4 if ctype == 6 else 3
stride = width * bpp
rows, prev = [], bytearray(stride)
i = 0
for _ in range(height):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
    rows.append(line); prev = line
def near(px, rgb): return all(abs(px[k] - rgb[k]) < 40 for k in range(3))
nonwhite = blue = orange = 0
for line in rows[::2]:
    for x in range(0, stride, bpp * 2):
        px = line[x:x + 3]
        if px != b"\xff\xff\xff": nonwhite += 1
        if near(px, (76, 120, 168)) or near(px, (165, 187, 211)): blue += 1
        if near(px, (245, 133, 24)) or near(px, (249, 191, 130)): orange += 1
print(f"screenshot {width}x{height}: {nonwhite} non-white, {blue} reference-blue, {orange} current-orange samples")
assert nonwhite > 5000 and blue > 200 and orange > 200, "the report did not render its charts"
PY
echo "ok: $png"
