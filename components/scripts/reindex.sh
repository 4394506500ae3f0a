#!/bin/sh
# Repair invalid indexes, then rebuild the indexes of every user table this
# role owns, all CONCURRENTLY so writes are never blocked for long.
# - Leftovers of an interrupted REINDEX CONCURRENTLY (invalid *_ccnew/*_ccold,
#   in pg_toast too) are dropped; other invalid indexes are rebuilt. An
#   invalid index on a table the role does not own is skipped with a warning.
# - One statement per table or index, each under lock_timeout
#   (UPKEEP_LOCK_TIMEOUT, default 1min) and a statement_timeout of the time
#   left before the deadline: a REINDEX that waits for an old snapshot or a
#   held lock fails with one line, and so does the run at the end; the next
#   table is still reindexed.
# - The server's warnings are passed on, one line each.
# - On a timeout, the deadline or SIGTERM, the run ends its server sessions
#   and drops the leftovers it created itself; nothing keeps running.
set -eu
upkeep_name=reindex
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

[ -n "${PGDATABASE:-}" ] || upkeep_invalid "PGDATABASE is not set"
lock_timeout=${UPKEEP_LOCK_TIMEOUT:-1min}
upkeep_deadline_init
set -f
role=${PGUSER:-this role}

tables=0 reindexed=0 indexes=0 rebuilt=0 dropped=0 left_over=0 not_owned=0 invalid_not_owned=0 failed=0
upkeep_figures() {
	printf '{"tables":%s,"tablesReindexed":%s,"indexesRebuilt":%s,"invalidRebuilt":%s,"leftoversDropped":%s,"leftoversLeft":%s,"tablesNotOwned":%s,"invalidNotOwned":%s,"failures":%s}' \
		"$tables" "$reindexed" "$((indexes + rebuilt))" "$rebuilt" "$dropped" "$left_over" "$not_owned" "$invalid_not_owned" "$failed"
}

problem() { # one line on stderr per thing that failed; the run exits 1 at the end
	failed=$((failed + 1))
	printf 'upkeep reindex: %s\n' "$*" >&2
}

# Runs one statement as its own session within the time left (at most $2
# seconds when given); passes its warnings on; sets rc and err.
statement() { # sql [seconds]
	_t=$(upkeep_left)
	[ -z "${2:-}" ] || [ "$_t" -le "$2" ] || _t=$2
	[ "$_t" -ge 1 ] || _t=1
	_lt=$lock_timeout
	[ -z "${2:-}" ] || _lt=$((_t / 2 + 1))s
	# The server ends the statement first; the timer only if the server cannot.
	upkeep_run "$((_t + 5))" env PGOPTIONS="${PGOPTIONS:-} -c lock_timeout=$_lt -c statement_timeout=${_t}s" \
		psql -X -q -v ON_ERROR_STOP=1 -t -A -c "$1"
	rc=$upkeep_rc
	err=$(cat "$upkeep_tmp/err")
	upkeep_pass_warnings "$err"
}
query() { # sql: its rows in $upkeep_tmp/out, or the run fails
	upkeep_run - psql -X -q -v ON_ERROR_STOP=1 -t -A -c "$1"
	[ "$upkeep_rc" -eq 0 ] || upkeep_fail_with "cannot list the indexes of $PGDATABASE" "$(cat "$upkeep_tmp/err")"
}
reason() {
	printf '%s\n' "$err" | upkeep_reason
}
timed_out() { # the deadline, not a lock or an error, stopped the statement
	[ "$(upkeep_left)" -le 0 ] || printf '%s' "$err" | grep -q 'statement timeout'
}

# Anything created from here on has a newer xmin than the next transaction id
# now: that is how the run knows the leftovers it made itself. The run's
# first session, so also its connection check.
upkeep_run - psql -X -q -v ON_ERROR_STOP=1 -t -A -c "SELECT txid_snapshot_xmax(txid_current_snapshot()) % 4294967296"
[ "$upkeep_rc" -eq 0 ] || upkeep_fail_first_session "cannot list the indexes of $PGDATABASE"
x0=$(cat "$upkeep_tmp/out")

# Drops the invalid *_ccnew/*_ccold indexes this run created, of table $1
# (and its TOAST table) or of any table, a few seconds each, after its own
# sessions ended: on a timeout, the deadline or SIGTERM. Sets own_note.
drop_own_leftovers() { # [table]
	# A statement of ours still running holds the table's lock: end it first.
	upkeep_end_sessions 10 >/dev/null 2>&1 || true
	_which=''
	[ -z "${1:-}" ] || _which="AND t.oid IN (SELECT oid FROM pg_class WHERE oid = '$1'::regclass
    UNION ALL SELECT reltoastrelid FROM pg_class WHERE oid = '$1'::regclass)"
	own_note=''
	upkeep_run 10 psql -X -q -v ON_ERROR_STOP=1 -t -A -c "SELECT format('%I.%I', n.nspname, c.relname)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class t ON t.oid = i.indrelid
WHERE NOT i.indisvalid AND c.relname ~ '_cc(new|old)[0-9]*\$'
  AND pg_has_role(t.relowner, 'USAGE') AND age(c.xmin) <= age('$x0'::xid) $_which
ORDER BY 1"
	if [ "$upkeep_rc" -ne 0 ]; then
		own_note="could not look for leftovers it created: $(upkeep_reason <"$upkeep_tmp/err")"
		return 0
	fi
	_own=$(cat "$upkeep_tmp/out")
	[ -n "$_own" ] || return 0
	_ok=0 _kept=0 _why=''
	while IFS= read -r _ix; do
		statement "DROP INDEX CONCURRENTLY IF EXISTS $_ix" 5
		if [ "$rc" -eq 0 ]; then
			_ok=$((_ok + 1))
		else
			_kept=$((_kept + 1))
			[ -n "$_why" ] || _why=$(reason)
		fi
	done <<EOF
$_own
EOF
	dropped=$((dropped + _ok))
	own_note="dropped $_ok leftover index(es) it created"
	[ "$_kept" -eq 0 ] || own_note="$own_note; $_kept could not be dropped ($_why)"
}

# Leftovers still there on tables this role owns, for the figures.
count_leftovers() {
	upkeep_run 10 psql -X -q -v ON_ERROR_STOP=1 -t -A -c "SELECT count(*)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
WHERE NOT i.indisvalid AND c.relname ~ '_cc(new|old)[0-9]*\$' AND pg_has_role(t.relowner, 'USAGE')"
	[ "$upkeep_rc" -ne 0 ] || left_over=$(cat "$upkeep_tmp/out")
}

upkeep_stop_hook() {
	_n=$(upkeep_end_sessions 10) || _n='?'
	[ "$_n" = 0 ] || upkeep_stop_note="; $_n session(s) still ending on the server"
	drop_own_leftovers
	[ -z "$own_note" ] || upkeep_stop_note="$upkeep_stop_note; $own_note"
	count_leftovers
}

# 1. Invalid indexes: name|table|leftover|toast|mine|owner. Leftovers first,
# so a rebuild never trips over a stale _ccnew name.
query "SELECT concat_ws('|', format('%I.%I', n.nspname, c.relname),
  coalesce((SELECT format('%I.%I', mn.nspname, m.relname) FROM pg_class m
            JOIN pg_namespace mn ON mn.oid = m.relnamespace WHERE m.reltoastrelid = t.oid),
           format('%I.%I', tn.nspname, t.relname)),
  c.relname ~ '_cc(new|old)[0-9]*\$', n.nspname = 'pg_toast',
  pg_has_role(t.relowner, 'USAGE'), pg_get_userbyid(t.relowner))
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE NOT i.indisvalid
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(temp_|toast_temp_)'
ORDER BY c.relname !~ '_cc(new|old)[0-9]*\$', 1"
invalid=$(cat "$upkeep_tmp/out")
while IFS='|' read -r ix tbl leftover toast mine owner; do
	[ -n "$ix" ] || continue
	if [ "$mine" != t ]; then
		upkeep_warn "skipped invalid index $ix on $tbl: owned by $owner, not by $role"
		invalid_not_owned=$((invalid_not_owned + 1))
	elif [ "$leftover" = t ]; then
		statement "DROP INDEX CONCURRENTLY IF EXISTS $ix"
		if [ "$rc" -eq 0 ]; then
			dropped=$((dropped + 1))
		else
			case $err in
			*"permission denied for schema pg_toast"*)
				problem "cannot drop the leftover index $ix of $tbl: permission denied for schema pg_toast; run GRANT USAGE ON SCHEMA pg_toast TO $role, or drop it as a superuser"
				;;
			*) problem "cannot drop the leftover index $ix of $tbl: $(reason)" ;;
			esac
		fi
	elif [ "$toast" = t ]; then
		# REINDEX INDEX CONCURRENTLY refuses invalid TOAST indexes.
		problem "cannot rebuild the invalid TOAST index $ix of $tbl concurrently; REINDEX TABLE $tbl (which blocks writes) repairs it"
	else
		statement "REINDEX INDEX CONCURRENTLY $ix"
		if [ "$rc" -eq 0 ]; then
			rebuilt=$((rebuilt + 1))
		else
			why=$(reason) late=''
			! timed_out || late=1
			drop_own_leftovers "$tbl"
			if [ -n "$late" ]; then
				upkeep_fail "stopped at the deadline after $(upkeep_elapsed) s while rebuilding the invalid index $ix, before reindexing any table${own_note:+; $own_note}"
			fi
			problem "rebuilding the invalid index $ix failed: $why${own_note:+; $own_note}"
		fi
	fi
done <<EOF
$invalid
EOF

# 2. Tables we own (or own through a role) with indexes: name|indexes.
# REINDEX needs ownership, and a least-privileged role skips the rest, with a
# count. System catalogs cannot be reindexed concurrently at all.
query "WITH t AS (
  SELECT n.nspname, format('%I.%I', n.nspname, c.relname) AS name,
         has_schema_privilege(n.oid, 'USAGE') AS usage, pg_has_role(c.relowner, 'USAGE') AS mine,
         (SELECT count(*) FROM pg_index i WHERE i.indrelid IN (c.oid, c.reltoastrelid) AND i.indisvalid) AS indexes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't'
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)')
SELECT 'ok|' || name || '|' || indexes FROM t WHERE usage AND mine AND indexes > 0
UNION ALL
SELECT 'noschema|' || format('%I', nspname) || '|' || count(*) FROM t WHERE NOT usage GROUP BY nspname
UNION ALL
SELECT 'notowned|' || count(*) FROM t WHERE usage AND NOT mine
ORDER BY 1"
list=$(cat "$upkeep_tmp/out")
while IFS='|' read -r what a b; do
	case $what in
	ok) tables=$((tables + 1)) ;;
	noschema) upkeep_warn "skipped schema $a ($b table(s)): $role has no USAGE on it" ;;
	notowned) not_owned=$a ;;
	esac
done <<EOF
$list
EOF

stopped=''
while IFS='|' read -r what t n; do
	[ "$what" = ok ] || continue
	if [ "$(upkeep_left)" -le 0 ]; then
		stopped=1
		break
	fi
	statement "REINDEX TABLE CONCURRENTLY $t"
	if [ "$rc" -eq 0 ]; then
		reindexed=$((reindexed + 1)) indexes=$((indexes + n))
		continue
	fi
	why=$(reason)
	if timed_out; then
		stopped=1
		drop_own_leftovers "$t"
		break
	fi
	drop_own_leftovers "$t"
	problem "reindexing $t failed: $why${own_note:+; $own_note}"
done <<EOF
$list
EOF

count_leftovers
msg="dropped $dropped leftover index(es), rebuilt $rebuilt invalid index(es), reindexed $reindexed of $tables table(s) in $PGDATABASE"
[ "$not_owned" -eq 0 ] || msg="$msg, skipped $not_owned table(s) not owned by $role"
if [ -n "$stopped" ]; then
	upkeep_fail "stopped at the deadline after $(upkeep_elapsed) s: $msg${own_note:+; $own_note}"
fi
upkeep_log "$msg in $(upkeep_elapsed) s"
if [ "$failed" -gt 0 ]; then
	upkeep_outcome failed "$(upkeep_figures)" "$failed problem(s); see the lines above"
	exit 1
fi
upkeep_outcome success "$(upkeep_figures)"
