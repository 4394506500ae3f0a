#!/bin/sh
# Verify the dump that dump-fetch.sh left in UPKEEP_DUMP_DIR by restoring it:
#   1. its age (from .meta) against UPKEEP_DUMP_MAX_AGE_HOURS, before anything else;
#   2. pg_restore into a fresh database "verify" on the scratch server (PG*
#      environment), in parallel (UPKEEP_RESTORE_JOBS) for the directory format;
#   3. every check of UPKEEP_DUMP_CHECKS, one JSON object a line:
#      {"table":"schema.table","minRows":N} or {"sql":"..."} (one row, one value: true);
#   4. prints one JSON line with the dump, its age, the restore time, each
#      check and the verdict, and on failure one human line on stderr and exit 1.
set -eu
export UPKEEP_TASK=dump-verify
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

dir=${UPKEEP_DUMP_DIR:-/dump}
format=${UPKEEP_DUMP_FORMAT:-custom}
max_hours=${UPKEEP_DUMP_MAX_AGE_HOURS:-}
jobs=${UPKEEP_RESTORE_JOBS:-2}
checks=${UPKEEP_DUMP_CHECKS:-}
nl='
'

# A JSON string literal of $1 (the SQL of a check, a tool's message, a key).
json_str() {
	printf '%s' "$1" | awk '
	{ s = s (NR > 1 ? "\n" : "") $0 }
	END {
		out = ""
		n = length(s)
		for (i = 1; i <= n; i++) {
			c = substr(s, i, 1)
			if (c == "\\") c = "\\\\"
			else if (c == "\"") c = "\\\""
			else if (c == "\n") c = "\\n"
			else if (c == "\t") c = "\\t"
			else if (c < " ") c = " "
			out = out c
		}
		printf "\"%s\"", out
	}'
}

# Tool messages can quote a whole bad row: keep reasons to one readable line.
shorten() {
	awk '{ if (length($0) > 300) $0 = substr($0, 1, 300) "..."; print }'
}

uri='' age=null restore=null results='' failures=''

# The one JSON line, then for a failure the human line and exit 1.
finish() { # verdict reason
	if [ -n "$uri" ]; then dump=$(json_str "$uri"); else dump=null; fi
	if [ "$1" = pass ]; then reason=null; else reason=$(json_str "$2"); fi
	printf '{"dump":%s,"ageHours":%s,"restoreSeconds":%s,"checks":[%s],"verdict":"%s","reason":%s}\n' \
		"$dump" "$age" "$restore" "$results" "$1" "$reason"
	[ "$1" = pass ] || upkeep_fail "dump verification failed${uri:+ for $uri}: $2"
	exit 0
}
fail() { finish fail "$*"; }

is_count() { # 0 and up, at most 10 digits
	case $1 in '' | *[!0-9]*) return 1 ;; esac
	[ "${#1}" -le 10 ]
}

is_positive() { is_count "$1" && [ "$1" -gt 0 ]; }

is_positive "$max_hours" || fail "UPKEEP_DUMP_MAX_AGE_HOURS must be a positive integer, got '$max_hours'"
is_positive "$jobs" || fail "UPKEEP_RESTORE_JOBS must be a positive integer, got '$jobs'"
case $format in custom | directory) ;; *) fail "UPKEEP_DUMP_FORMAT must be custom or directory, got '$format'" ;; esac

# 1. Age, before restoring: a stale dump fails however good it is.
meta=$dir/.meta
[ -r "$meta" ] || fail "no dump was fetched ($meta is missing)"
uri=$(sed -n 's/^uri=//p' "$meta")
modified=$(sed -n 's/^last_modified=//p' "$meta")
if [ -z "$uri" ] || ! is_count "$modified"; then fail "$meta is malformed"; fi
age_seconds=$(($(upkeep_now) - modified))
age=$(awk -v s="$age_seconds" 'BEGIN { printf "%.2f", s / 3600 }')
[ "$age_seconds" -le $((max_hours * 3600)) ] ||
	fail "the dump is $age hours old, older than maxAgeHours $max_hours"

# 2. Restore into a fresh database.
src=$dir/dump
[ -e "$src" ] || fail "the fetched dump $src is missing"
if ! err=$(upkeep_psql -d postgres -c 'DROP DATABASE IF EXISTS verify' -c 'CREATE DATABASE verify' 2>&1 </dev/null); then
	fail "cannot prepare the scratch server $(upkeep_target): $(printf '%s\n' "$err" | upkeep_reason)"
fi
set --
[ "$format" = custom ] || set -- --jobs "$jobs"
t0=$(upkeep_now)
if ! err=$(pg_restore --no-owner --no-privileges --exit-on-error "$@" --dbname=verify "$src" 2>&1 >/dev/null); then
	restore=$(($(upkeep_now) - t0))
	fail "restore failed: $(printf '%s\n' "$err" | sed 's/^pg_restore: //; s/^error: //' | upkeep_reason | shorten)"
fi
restore=$(($(upkeep_now) - t0))

# 3. Checks, all of them, so one run reports every problem.
q() { upkeep_psql -d verify -t -A "$@" 2>&1 </dev/null; }
record() { # ok check detail [failure reason]
	results="$results${results:+,}{\"check\":$(json_str "$2"),\"ok\":$1,\"detail\":$(json_str "$3")}"
	[ "$1" = true ] || failures="$failures${failures:+; }$4"
}

table_check() { # table minRows
	case $1 in
	*.*) set -- "$1" "$2" "${1%%.*}" "${1#*.}" ':"schema".:"rel"' ;;
	*) set -- "$1" "$2" '' "$1" ':"rel"' ;;
	esac
	label="$1 >= $2 rows"
	if ! n=$(printf 'SELECT count(*) FROM %s\n' "$5" | upkeep_psql -d verify -t -A -v schema="$3" -v rel="$4" 2>&1); then
		n=$(printf '%s\n' "$n" | upkeep_reason | shorten)
		record false "$label" "$n" "$1: $n"
	elif [ "$n" -ge "$2" ]; then
		record true "$label" "$n rows"
	else
		record false "$label" "$n rows" "$1 has $n rows, fewer than the $2 required"
	fi
}

sql_check() { # sql
	if ! out=$(q -c "$1"); then
		out=$(printf '%s\n' "$out" | upkeep_reason | shorten)
		record false "$1" "$out" "SQL check failed: $1: $out"
		return 0
	fi
	case $out in
	t) record true "$1" "true" ;;
	'') detail="returned no rows" ;;
	*"$nl"*) detail="returned $(printf '%s\n' "$out" | wc -l | tr -d ' ') rows" ;;
	f) detail="returned false" ;;
	*) detail="returned '$out', not true" ;;
	esac
	[ "$out" = t ] || record false "$1" "$detail" "SQL check failed: $1: $detail"
}

# Each line is parsed by the scratch server's json type: no JSON parser in shell.
while IFS= read -r line; do
	[ -n "$line" ] || continue
	if ! kind=$(printf '%s\n' "SELECT coalesce(c->>'table', '') || '|' || coalesce(c->>'minRows', '') FROM (SELECT :'c'::jsonb AS c) s" |
		upkeep_psql -d verify -t -A -v c="$line" 2>&1); then
		record false "$line" "$(printf '%s\n' "$kind" | upkeep_reason)" "malformed check: $line"
		continue
	fi
	table=${kind%%|*} min=${kind#*|}
	if [ -n "$table" ] && is_count "$min"; then
		table_check "$table" "$min"
	elif sql=$(printf '%s\n' "SELECT :'c'::jsonb->>'sql'" | upkeep_psql -d verify -t -A -v c="$line" 2>/dev/null) && [ -n "$sql" ]; then
		sql_check "$sql"
	else
		record false "$line" "expected {\"table\",\"minRows\"} or {\"sql\"}" "malformed check: $line"
	fi
done <<EOF
$checks
EOF

[ -z "$failures" ] || fail "$failures"
finish pass
