#!/usr/bin/env bash
# The tracking benchmark of ../shared/bench on PostgreSQL: MLflow 3.17.2 (`--backend-store-uri postgresql://`,
# one worker) and `skiff server --db postgres://`, each on a fresh database of the same local server, in one
# sitting, then the comparison table.
#   scripts/bench/tracking-postgres.sh [--quick | tracking_load.py flags]
# Needs root (it creates the databases as the postgres user) and a release build (`swift build -c release`).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=${BENCH:-../shared/bench}
VENV=${MLFLOW_VENV:-$HOME/.cache/skiff-bench/venv-mlflow}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import psycopg" 2>/dev/null; then
    python3 -m venv "$VENV"
    # SQLAlchemy 2.1 reaches postgresql:// through psycopg 3.
    "$VENV/bin/pip" install -q mlflow==3.17.2 requests "psycopg[binary]" boto3
fi
[ -x .build/release/skiff ] || swift build -c release --product skiff
URL=$(scripts/ci/start-postgres.sh)
BASE=${URL%%/skiff_test*}
STAMP=$(date +%s)
for name in mlflow skiff; do
    su postgres -c "createdb -O skiff bench_${name}_$STAMP" </dev/null
done
OUT=${OUT:-/tmp/skiff-bench-pg}
mkdir -p "$OUT"
MLFLOW_DB="postgresql://skiff:skiff@127.0.0.1:${BASE##*:}/bench_mlflow_$STAMP"
SERVER_NAME=mlflow_postgres OUT="$OUT/mlflow.json" \
    SERVER_CMD="$VENV/bin/mlflow server --backend-store-uri $MLFLOW_DB --default-artifact-root {TMP}/artifacts --workers 1 --host 127.0.0.1 --port {PORT}" \
    "$BENCH/run_mlflow_baseline.sh" "$@"
SERVER_NAME=skiff_postgres OUT="$OUT/skiff.json" \
    SERVER_CMD=".build/release/skiff server --host 127.0.0.1 --port {PORT} --data-dir {TMP}/data --db $BASE/bench_skiff_$STAMP?sslmode=disable" \
    "$BENCH/run_mlflow_baseline.sh" "$@"
python3 "$BENCH/compare.py" mlflow_postgres="$OUT/mlflow.json" skiff_postgres="$OUT/skiff.json"
