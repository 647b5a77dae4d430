#!/usr/bin/env bash
# Sampler overhead, Skiff vs Optuna 5.0: in-process TPE steps at 1,000 and 5,000 trials, and ask/tell round
# trips through `skiff server` vs Optuna on SQLite. Optuna runs from a separate virtualenv.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${SKIFF_BENCH_VENV:-$HOME/.cache/skiff-bench/venv-optuna}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet 'optuna==5.0.*' scipy requests
fi
swift build -c release --product skiff >/dev/null
swift build -c release --product TuneBenchmark >/dev/null
"$VENV/bin/python" scripts/bench/tune_overhead.py "$PWD/.build/release/skiff" "$PWD/.build/release/TuneBenchmark" "${1:-300}"
