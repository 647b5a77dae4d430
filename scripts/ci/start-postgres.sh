#!/usr/bin/env bash
# Starts Debian's PostgreSQL server on loopback (installing nothing: .ci/run installs the package), makes sure a
# `skiff` role and a `skiff_test` database exist, and prints the URL the tests use:
#   export SKIFF_TEST_POSTGRES_URL="$(scripts/ci/start-postgres.sh)"
# Needs root (it runs pg_ctlcluster and psql as the postgres user). Bounded: gives up after 60 s.
set -euo pipefail
# Only the URL goes to stdout (the caller captures it); whatever the cluster tools print goes to stderr.
exec 3>&1 1>&2
command -v pg_lsclusters >/dev/null || { echo "postgresql is not installed (apt-get install postgresql)" >&2; exit 1; }
if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    pg_createcluster "$version" main >/dev/null 3>&-
fi
read -r version cluster port status _ < <(pg_lsclusters -h | head -1)
if [ "$status" != "online" ]; then
    pg_ctlcluster "$version" "$cluster" start 3>&-  # the server must not hold the caller's pipe open
fi
for _ in $(seq 1 120); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || { echo "PostgreSQL did not start on port $port" >&2; exit 1; }
as_postgres() { su postgres -c "$1" </dev/null; }
if [ "$(as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'skiff'\"")" != "1" ]; then
    as_postgres "psql -p $port -qc \"CREATE ROLE skiff LOGIN SUPERUSER PASSWORD 'skiff'\""
fi
if [ "$(as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname = 'skiff_test'\"")" != "1" ]; then
    as_postgres "createdb -p $port -O skiff skiff_test"
fi
url="postgres://skiff:skiff@127.0.0.1:$port/skiff_test?sslmode=disable"
# The tests connect over TCP with the password, so check exactly that before handing the URL over.
as_postgres "psql '$url' -qtAc 'SELECT 1'" >/dev/null || { echo "cannot log in as skiff over TCP on port $port" >&2; exit 1; }
echo "$url" >&3
