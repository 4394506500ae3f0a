#!/bin/sh
# Delete rows older than each table's retention, in small batches that each
# commit on their own, stopping cleanly before the Job's deadline.
# UPKEEP_CLEANUP_TABLES: whitespace-separated schema.table:column:days:batch
set -eu
export UPKEEP_TASK=cleanup
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

# The cutoff travels through the shell as text; ISO in UTC round-trips exactly.
PGTZ=UTC PGDATESTYLE=ISO
export PGTZ PGDATESTYLE
lock_timeout=${UPKEEP_LOCK_TIMEOUT:-5s}
statement_timeout=${UPKEEP_STATEMENT_TIMEOUT:-30s}
deadline=$UPKEEP_DEADLINE_SECONDS
upkeep_require_int UPKEEP_DEADLINE_SECONDS "$deadline"
entries=${UPKEEP_CLEANUP_TABLES:-}
set -f # entries are split on whitespace below, never globbed
nl='
'

is_ident() {
	case $1 in '' | [!a-z_]* | *[!a-z0-9_]*) return 1 ;; esac
}
is_count() {
	case $1 in '' | *[!0-9]* | 0*) return 1 ;; esac
	[ "${#1}" -le 9 ]
}

# Sets rel, schema, table, column, days, batch from one entry.
parse_entry() {
	case $1 in *:*:*:*:*) return 1 ;; *:*:*:*) ;; *) return 1 ;; esac
	rel=${1%%:*} rest=${1#*:}
	column=${rest%%:*} rest=${rest#*:}
	days=${rest%%:*} batch=${rest#*:}
	case $rel in
	*.*) schema=${rel%%.*} table=${rel#*.} ;;
	*) schema='' table=$rel ;;
	esac
	{ [ -z "$schema" ] || is_ident "$schema"; } && is_ident "$table" &&
		is_ident "$column" && is_count "$days" && is_count "$batch"
}

# Validate everything before touching any table.
count=0
for entry in $entries; do
	parse_entry "$entry" || upkeep_fail "malformed UPKEEP_CLEANUP_TABLES entry '$entry':" \
		"expected [schema.]table:column:retentionDays:batchSize with identifiers matching ^[a-z_][a-z0-9_]*\$"
	count=$((count + 1))
done
[ "$count" -gt 0 ] || upkeep_fail "UPKEEP_CLEANUP_TABLES is empty: nothing to clean up"

upkeep_connect

# SQL goes in on stdin: psql interpolates :variables there, not in -c.
q() {
	upkeep_psql -t -A -v VERBOSITY=verbose -v schema="$schema" -v table="$table" \
		-v col="$column" -v days="$days" -v batch="$batch" -v cutoff="$cutoff" \
		-v lock_timeout="$lock_timeout" -v statement_timeout="$statement_timeout"
}

# The cutoff is compared as an untyped literal, so it takes the column's type.
# The repeated "col < cutoff" on the DELETE guarantees no newer row is ever
# deleted even if a ctid was reused; ORDER BY steers the planner to the index.
batch_sql() { # relation
	cat <<EOF
BEGIN;
SET LOCAL lock_timeout = :'lock_timeout';
SET LOCAL statement_timeout = :'statement_timeout';
WITH deleted AS (
  DELETE FROM $1
  WHERE ctid = ANY (ARRAY(
          SELECT ctid FROM $1 WHERE :"col" < :'cutoff' ORDER BY :"col" LIMIT :batch))
    AND :"col" < :'cutoff'
  RETURNING 1)
SELECT count(*) FROM deleted;
COMMIT;
EOF
}

# Prints the number of rows deleted. A lock timeout or deadlock is retried
# a few times: the next attempt usually finds the lock released.
run_batch() {
	attempt=1
	while :; do
		if out=$(batch_sql "$relsql" | q 2>&1); then
			n=${out##*"$nl"}
			is_count "$n" || [ "$n" = 0 ] || upkeep_fail_with "unexpected output deleting from $rel" "$out"
			echo "$n"
			return 0
		fi
		case $out in *55P03* | *40P01*) ;; *) upkeep_fail_with "deleting from $rel failed" "$out" ;; esac
		[ "$attempt" -lt 3 ] || upkeep_fail_with "deleting from $rel failed after $attempt attempts" "$out"
		attempt=$((attempt + 1))
		sleep 2
	done
}

total=0 slowest=0 summary='' stopped='' skipped=''
for entry in $entries; do
	parse_entry "$entry"
	if [ -n "$stopped" ]; then
		skipped="$skipped $rel"
		continue
	fi
	if [ -n "$schema" ]; then relsql=':"schema".:"table"'; else relsql=':"table"'; fi

	# Once per table, from the server clock: rows written during the run are
	# always newer than it.
	cutoff=''
	if ! cutoff=$(echo "SELECT (now() - make_interval(days => :'days'::int))::text" | q 2>&1); then
		upkeep_fail_with "cannot compute the cutoff for $rel" "$cutoff"
	fi

	deleted=0 batches=0
	while :; do
		# Keep room for another batch as slow as the slowest so far, plus margin.
		if [ $((deadline - $(upkeep_elapsed))) -lt $((2 * slowest + 10)) ]; then
			stopped=1
			break
		fi
		t0=$(upkeep_now)
		n=$(run_batch) || exit 1
		dt=$(($(upkeep_now) - t0))
		[ "$dt" -le "$slowest" ] || slowest=$dt
		deleted=$((deleted + n)) batches=$((batches + 1))
		[ "$n" -ge "$batch" ] || break
	done
	total=$((total + deleted))
	summary="$summary${summary:+, }$rel: $deleted in $batches batch(es)"
done

if [ -n "$stopped" ]; then
	[ -z "$skipped" ] || summary="$summary; not started:$skipped"
	upkeep_log "stopped at the deadline after deleting $total row(s) ($summary) in $(upkeep_elapsed) s; the next run continues"
else
	upkeep_log "deleted $total row(s) older than the retention cutoff ($summary) in $(upkeep_elapsed) s"
fi
