#!/bin/sh
# VACUUM (ANALYZE) every table of $PGDATABASE this role may vacuum, in
# UPKEEP_VACUUM_JOBS parallel sessions. Never FULL: it rewrites tables under
# an exclusive lock.
# - The tables are listed here, not by vacuumdb: a schema without USAGE is
#   skipped with a warning (vacuumdb would stop at "permission denied for
#   schema" and vacuum nothing), and so are tables the role may not vacuum
#   (counted, as reindex does; catalogs quietly).
# - --skip-locked and lock_timeout: a table someone holds a conflicting lock
#   on is skipped with a warning, not waited on (outcome partial, exit 0).
# - statement_timeout and a timer end the work at the deadline inside the
#   slot; a SIGTERM ends it at once. Either way the server-side sessions are
#   ended before the script exits.
set -eu
upkeep_name=vacuum
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

jobs=${UPKEEP_VACUUM_JOBS:-2}
upkeep_require_int UPKEEP_VACUUM_JOBS "$jobs"
lock_timeout=${UPKEEP_LOCK_TIMEOUT:-5s}
[ -n "${PGDATABASE:-}" ] || upkeep_invalid "PGDATABASE is not set"
upkeep_deadline_init
set -f

listed=0 skipped=0 not_allowed=0 schemas='' schemas_json='' done_n=null
upkeep_figures() {
	printf '{"tablesDone":%s,"tablesSkipped":%s,"tablesNotAllowed":%s,"schemasSkipped":[%s]}' \
		"$done_n" "$skipped" "$not_allowed" "$schemas_json"
}
upkeep_stop_hook() {
	if _n=$(upkeep_end_sessions 10); then
		[ "$_n" = 0 ] || upkeep_stop_note="; $_n session(s) still ending on the server"
	fi
}

# ok|table, or noschema|schema|tables, or notallowed|count. PostgreSQL 15 and
# 16 let the owner, the database's owner (not for shared catalogs) or a
# superuser vacuum a table; 17 adds the MAINTAIN privilege.
list="
WITH t AS (
  SELECT n.nspname, format('%I.%I', n.nspname, c.relname) AS name,
         n.nspname IN ('pg_catalog', 'information_schema') AS catalog,
         has_schema_privilege(n.oid, 'USAGE') AS usage,
         pg_has_role(c.relowner, 'USAGE')
           OR (NOT c.relisshared AND pg_has_role(d.datdba, 'USAGE'))
           OR CASE WHEN current_setting('server_version_num')::int >= 170000
                   THEN has_table_privilege(c.oid, 'MAINTAIN') ELSE false END AS may
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN (SELECT datdba FROM pg_database WHERE datname = current_database()) d
  WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't'
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)')
SELECT 'ok|' || name FROM t WHERE usage AND may
UNION ALL
SELECT 'noschema|' || format('%I', nspname) || '|' || count(*) FROM t WHERE NOT usage GROUP BY nspname
UNION ALL
SELECT 'notallowed|' || count(*) FROM t WHERE usage AND NOT may AND NOT catalog
ORDER BY 1"

upkeep_run - psql -X -q -v ON_ERROR_STOP=1 -t -A -c "$list"
[ "$upkeep_rc" -eq 0 ] || upkeep_fail_first_session "cannot list the tables of $PGDATABASE"

set --
while IFS='|' read -r what a b; do
	case $what in
	ok)
		set -- "$@" -t "$a"
		listed=$((listed + 1))
		;;
	noschema)
		upkeep_warn "skipped schema $a ($b table(s)): ${PGUSER:-this role} has no USAGE on it"
		schemas=$schemas${schemas:+, }$a
		upkeep_json_str "$a"
		schemas_json=$schemas_json${schemas_json:+,}$js
		;;
	notallowed) not_allowed=$a ;;
	esac
done <"$upkeep_tmp/out"

if [ "$listed" -gt 0 ]; then
	left=$(upkeep_left)
	[ "$left" -ge 1 ] || upkeep_fail "no time left in the slot to vacuum $PGDATABASE"
	# The server ends the statement first; the timer only if the server cannot.
	upkeep_run "$((left + 5))" env PGOPTIONS="${PGOPTIONS:-} -c lock_timeout=$lock_timeout -c statement_timeout=${left}s" \
		vacuumdb --quiet --analyze --skip-locked --jobs "$jobs" "$@"
	err=$(cat "$upkeep_tmp/err")
	upkeep_pass_warnings "$err"
	skipped=$(printf '%s\n' "$err" | grep -Ec 'WARNING: +skipping (vacuum|analyze) of .* lock not available') || true
	if [ "$upkeep_rc" -ne 0 ]; then
		upkeep_stop_hook
		if [ "$(upkeep_left)" -le 0 ] || printf '%s' "$err" | grep -q 'statement timeout'; then
			upkeep_fail "stopped at the deadline after $(upkeep_elapsed) s: vacuuming $listed table(s) of $PGDATABASE did not finish$upkeep_stop_note"
		fi
		upkeep_fail_with "vacuum of $(upkeep_target) failed" "$err"
	fi
fi
done_n=$((listed - skipped))

msg="vacuumed and analyzed $done_n table(s) of $PGDATABASE"
[ "$skipped" -eq 0 ] || msg="$msg, skipped $skipped locked table(s)"
[ -z "$schemas" ] || msg="$msg, skipped schema(s) $schemas (no USAGE)"
[ "$not_allowed" -eq 0 ] || msg="$msg, skipped $not_allowed table(s) ${PGUSER:-this role} may not vacuum"
upkeep_log "$msg in $(upkeep_elapsed) s"
if [ "$skipped" -gt 0 ]; then
	upkeep_outcome partial "$(upkeep_figures)" "skipped $skipped locked table(s)"
else
	upkeep_outcome success "$(upkeep_figures)"
fi
