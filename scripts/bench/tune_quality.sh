#!/usr/bin/env bash
# Quality of Skiff's TPE vs Optuna 5's TPE on four synthetic functions (minimisation), SEEDS seeds each (default 20),
# best value after 50, 100 and 200 trials. Optuna runs from a separate virtualenv (not the test requirements).
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS="${1:-20}"
FUNCTIONS=branin,hartmann6,rosenbrock10,styblinski_tang10
VENV="${SKIFF_BENCH_VENV:-$HOME/.cache/skiff-bench/venv-optuna}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet 'optuna==5.0.*' scipy requests
fi
OUT="$(mktemp -d)"
swift build -c release --product TuneBenchmark >/dev/null
.build/release/TuneBenchmark quality "$FUNCTIONS" "$SEEDS" 50,100,200 >"$OUT/skiff.jsonl"
(cd scripts/bench && "$VENV/bin/python" optuna_quality.py "$FUNCTIONS" "$SEEDS" 50,100,200) >"$OUT/optuna.jsonl"
"$VENV/bin/python" scripts/bench/tune_quality.py "$OUT/skiff.jsonl" "$OUT/optuna.jsonl"
