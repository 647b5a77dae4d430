#!/usr/bin/env bash
# Starts moto's S3-compatible server on a free loopback port, creates the `skiff-test` bucket through boto3 (which
# proves the server speaks the S3 wire protocol), and prints the endpoint URL the tests use:
#   export SKIFF_TEST_S3_ENDPOINT="$(scripts/ci/start-s3.sh .venv/bin/python /tmp/moto.pid)"
# The server keeps running; its pid goes to the file named by the second argument. Bounded: gives up after 30 s.
set -euo pipefail
exec 3>&1 1>&2
python="$1"
pidfile="$2"
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto="$(dirname "$python")/moto_server"
log="${TMPDIR:-/tmp}/skiff-moto-$port.log"
# The server must not hold the caller's pipe open: its output goes to a log, fd 3 is closed.
nohup "$moto" -H 127.0.0.1 -p "$port" >"$log" 2>&1 3>&- &
echo $! >"$pidfile"
endpoint="http://127.0.0.1:$port"
for _ in $(seq 1 60); do
    if AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "$python" - "$endpoint" <<'PY' 2>/dev/null; then
import sys
import boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
s3.create_bucket(Bucket="skiff-test")
assert "skiff-test" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
PY
        echo "$endpoint" >&3
        exit 0
    fi
    sleep 0.5
done
echo "moto's S3 server did not start on port $port; its log:" >&2
cat "$log" >&2
exit 1
