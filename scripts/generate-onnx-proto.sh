#!/usr/bin/env bash
# Regenerates Sources/SkiffInference/ONNX/Generated/onnx-ml.pb.swift from the onnx-ml.proto that ships in the
# `onnx` Python package.
#
# Needs: protoc (Debian: protobuf-compiler) and protoc-gen-swift built from apple/swift-protobuf at the version
# Package.swift depends on (build it outside this repository:
#   git clone https://github.com/apple/swift-protobuf && cd swift-protobuf && git checkout 1.39.0 &&
#   swift build --product protoc-gen-swift).
#
# Usage: PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift ONNX_PROTO=/path/to/onnx/onnx-ml.proto \
#        scripts/generate-onnx-proto.sh
# ONNX_PROTO defaults to the file inside the `onnx` package of the `python3` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to the protoc-gen-swift executable}"
if [[ -z "${ONNX_PROTO:-}" ]]; then
    ONNX_PROTO="$(python3 -c 'import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), "onnx-ml.proto"))')"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$ONNX_PROTO" "$work/onnx-ml.proto"

out="Sources/SkiffInference/ONNX/Generated"
mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
    --swift_opt=Visibility=Internal \
    --swift_opt=FileNaming=DropPath \
    --proto_path="$work" \
    --swift_out="$out" \
    "$work/onnx-ml.proto"
echo "wrote $out/onnx-ml.pb.swift"
