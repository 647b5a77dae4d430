#!/usr/bin/env bash
# Serving benchmark, side by side in one sitting: `mlflow models serve` (its sklearn pyfunc) and `skiff serve`
# (the same model's ONNX conversion) under the same wrk load (1, 8, 64 connections; 1- and 100-row bodies),
# using the shared load generator in ../shared/bench/serving. Prints the side-by-side medians and ratios.
#
#   scripts/bench/serving.sh                 # ROUNDS=1: mlflow, skiff   (~5 min)
#   ROUNDS=2 QUICK=1 scripts/bench/serving.sh
#
# Needs wrk (apt-get install wrk) and a release build (swift build -c release --product skiff). MLflow runs
# from MLFLOW_VENV (created by the shared script on first use).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH="${BENCH:-../shared/bench/serving}"
ROUNDS="${ROUNDS:-1}"
OUT="${OUT:-$PWD/.build/serving-bench/$(date +%Y%m%d-%H%M%S)}"
SKIFF="$PWD/.build/release/skiff"
[[ -x "$SKIFF" ]] || { echo "build first: swift build -c release --product skiff" >&2; exit 2; }
mkdir -p "$OUT"
export QUIET_WAIT="${QUIET_WAIT:-0}"
# Keep the load generator and the servers on different cores when there are two, as the shared README advises.
export WRK_CPUS="${WRK_CPUS:-1}" SERVER_CPUS="${SERVER_CPUS:-0}"

mlflow_runs=""
skiff_runs=""
for round in $(seq 1 "$ROUNDS"); do
    OUT_DIR="$OUT/mlflow-$round" "$BENCH/run_serving_bench.sh"
    mlflow_runs+="${mlflow_runs:+,}$OUT/mlflow-$round"
    OUT_DIR="$OUT/skiff-$round" SERVER_NAME=skiff \
        SERVER_CMD="$SKIFF serve {DIR}/model.onnx --host 127.0.0.1 --port {PORT} --no-access-log" \
        "$BENCH/run_serving_bench.sh"
    skiff_runs+="${skiff_runs:+,}$OUT/skiff-$round"
done
python3 "$BENCH/serving_tools.py" compare "mlflow=$mlflow_runs" "skiff=$skiff_runs" | tee "$OUT/compare.md"
