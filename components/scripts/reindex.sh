#!/bin/sh
# Repair invalid indexes, then rebuild the indexes of every user table this
# role owns, all CONCURRENTLY so writes are never blocked for long.
set -eu
export UPKEEP_TASK=reindex
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

jobs=${UPKEEP_REINDEX_JOBS:-1}
upkeep_require_int UPKEEP_REINDEX_JOBS "$jobs"
[ -n "${PGDATABASE:-}" ] || upkeep_fail "PGDATABASE is not set"
set -f

upkeep_connect

# Invalid indexes in user schemas. Names ending in _ccnew/_ccold (+ digits)
# are leftovers of an interrupted REINDEX CONCURRENTLY: the original index
# still exists, so they are dropped rather than rebuilt.
invalid="
SELECT format('%I.%I', n.nspname, c.relname) AS name,
       c.relname ~ '_cc(new|old)[0-9]*\$' AS leftover
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_)'"

if ! counts=$(upkeep_psql -t -A -F ' ' -c "SELECT count(*) FILTER (WHERE leftover), count(*) FILTER (WHERE NOT leftover) FROM ($invalid) x" 2>&1); then
	upkeep_fail_with "cannot list invalid indexes" "$counts"
fi
dropped=${counts% *} rebuilt=${counts#* }

# \gexec runs each generated statement on its own, outside a transaction
# block, which DROP/REINDEX ... CONCURRENTLY require. Leftovers go first so a
# rebuild never trips over a stale _ccnew name.
if [ $((dropped + rebuilt)) -gt 0 ]; then
	if ! err=$(printf '%s\n' "SELECT CASE WHEN leftover
	  THEN 'DROP INDEX CONCURRENTLY IF EXISTS ' || name
	  ELSE 'REINDEX INDEX CONCURRENTLY ' || name END
	FROM ($invalid) x ORDER BY NOT leftover, name" '\gexec' |
		upkeep_psql -t -A 2>&1 >/dev/null); then
		upkeep_fail_with "repairing invalid indexes failed" "$err"
	fi
fi

# Tables we own (or own through a role): REINDEX needs ownership, and a
# least-privileged role should skip the rest quietly rather than fail.
# System catalogs cannot be reindexed concurrently at all.
tables="
SELECT format('%I.%I', n.nspname, c.relname) AS name, pg_has_role(c.relowner, 'USAGE') AS mine
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_)'"

if ! list=$(upkeep_psql -t -A -c "SELECT name FROM ($tables) x WHERE mine ORDER BY name" 2>&1); then
	upkeep_fail_with "cannot list tables" "$list"
fi
if ! skipped=$(upkeep_psql -t -A -c "SELECT count(*) FROM ($tables) x WHERE NOT mine" 2>&1); then
	upkeep_fail_with "cannot list tables" "$skipped"
fi

# One -t per table; with none, reindexdb would fall back to the whole database.
set --
n=0
nl='
'
IFS=$nl
for t in $list; do
	set -- "$@" -t "$t"
	n=$((n + 1))
done
unset IFS
if [ "$n" -gt 0 ]; then
	if ! err=$(reindexdb --quiet --concurrently --jobs "$jobs" "$@" 2>&1 >/dev/null); then
		upkeep_fail_with "reindex of $(upkeep_target) failed" "$err"
	fi
fi

msg="dropped $dropped leftover index(es), rebuilt $rebuilt invalid index(es), reindexed $n table(s) in $PGDATABASE"
[ "$skipped" -eq 0 ] || msg="$msg, skipped $skipped table(s) not owned by ${PGUSER:-this role}"
upkeep_log "$msg in $(upkeep_elapsed) s"
