#!/bin/sh
# VACUUM (ANALYZE) every table of $PGDATABASE this role may vacuum.
# Never FULL: it rewrites tables under an exclusive lock.
set -eu
export UPKEEP_TASK=vacuum
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

jobs=${UPKEEP_VACUUM_JOBS:-2}
upkeep_require_int UPKEEP_VACUUM_JOBS "$jobs"
[ -n "${PGDATABASE:-}" ] || upkeep_fail "PGDATABASE is not set"

upkeep_connect

# stderr is kept only for the failure message: a least-privileged role gets a
# "skipping ... only owner can vacuum it" warning for every catalog it does not own.
if ! err=$(vacuumdb --quiet --analyze --jobs "$jobs" 2>&1 >/dev/null); then
	upkeep_fail_with "vacuum of $(upkeep_target) failed" "$err"
fi

upkeep_log "vacuumed and analyzed $PGDATABASE in $(upkeep_elapsed) s"
