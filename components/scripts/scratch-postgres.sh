#!/bin/sh
# A throwaway PostgreSQL for restore tests, run as the native sidecar of the
# dump verification pod, beside the fetch: data in an emptyDir ($PGDATA), an
# empty database "verify" made before the server starts, listening on the
# pod's loopback only, so nothing outside the pod can reach it. Trust
# authentication is safe for the same reason, and it keeps every password out
# of the pod. Runs as a non-root user that has an /etc/passwd entry (initdb
# insists).
set -eu
upkeep_name=scratch-postgres
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"
# A sidecar, not a run: when it fails, the verifier cannot connect and its
# outcome line says so. One outcome line per run, the verifier's.
upkeep_outcome() {
	:
}

data=${PGDATA:-/scratch/data}
port=${PGPORT:-5432}
upkeep_require_int PGPORT "$port"

# A restarted sidecar finds its data directory already there.
if [ ! -s "$data/PG_VERSION" ]; then
	if ! err=$(initdb -D "$data" -U postgres --auth=trust --no-sync --no-instructions -E UTF8 --locale=C 2>&1 >/dev/null); then
		upkeep_fail_with "initdb in $data failed" "$err"
	fi
	# The database the dump is restored into, made here while the fetch is
	# still downloading rather than on the restore's path. Single-user mode
	# exits 0 even when the command fails, so its messages decide.
	err=$(echo 'CREATE DATABASE verify' | postgres --single -D "$data" -c fsync=off template1 2>&1 >/dev/null) || true
	case $err in *ERROR:* | *FATAL:* | *PANIC:*) upkeep_fail_with "creating the database verify in $data failed" "$err" ;; esac
fi

upkeep_log "scratch server on 127.0.0.1:$port, data in $data"
# Durability is pointless for a copy that is thrown away with the pod.
exec postgres -D "$data" -k /tmp -p "$port" -c listen_addresses=127.0.0.1 \
	-c fsync=off -c synchronous_commit=off -c full_page_writes=off
