#!/bin/sh
# Verify the dump that dump-fetch.sh left in UPKEEP_DUMP_DIR by restoring it:
#   1. its age (from .meta) against UPKEEP_DUMP_MAX_AGE_HOURS, before anything else;
#   2. pg_restore into a fresh database "verify" on the scratch server (PG*
#      environment), in parallel (UPKEEP_RESTORE_JOBS) for the directory format;
#   3. every check of UPKEEP_DUMP_CHECKS, one JSON object a line:
#      {"table":"schema.table","minRows":N} or {"sql":"..."} (one row, one value: true);
#   4. prints one JSON line with the dump, its age, the restore time, each
#      check and the verdict, and on failure one human line on stderr and exit 1.
# Besides pg_restore it starts two psql sessions, one to prepare the database
# and one for all the checks, and few other processes: each costs milliseconds,
# and the verification should cost little more than the restore itself.
set -eu
export UPKEEP_TASK=dump-verify
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"

dir=${UPKEEP_DUMP_DIR:-/dump}
format=${UPKEEP_DUMP_FORMAT:-custom}
max_hours=${UPKEEP_DUMP_MAX_AGE_HOURS:-}
jobs=${UPKEEP_RESTORE_JOBS:-2}
wait_seconds=${UPKEEP_SCRATCH_WAIT_SECONDS:-120}
checks=${UPKEEP_DUMP_CHECKS:-}
nl='
'

# Sets js to a JSON string literal of $1 (the dump's URI, the reason). Only a
# string with quotes, backslashes or control characters needs awk to escape it.
json_str() {
	case $1 in
	*[\"\\[:cntrl:]]*)
		js=$(printf '%s' "$1" | awk '
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
		}')
		;;
	*) js="\"$1\"" ;;
	esac
}

# Tool messages can quote a whole bad row: keep reasons to one readable line.
shorten() {
	awk '{ if (length($0) > 300) $0 = substr($0, 1, 300) "..."; print }'
}

uri='' age=null restore=null results='' failures=''

# The one JSON line, then for a failure the human line and exit 1.
finish() { # verdict reason
	dump=null reason=null
	if [ -n "$uri" ]; then json_str "$uri" && dump=$js; fi
	if [ "$1" != pass ]; then json_str "$2" && reason=$js; fi
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
is_positive "$wait_seconds" || fail "UPKEEP_SCRATCH_WAIT_SECONDS must be a positive integer, got '$wait_seconds'"
case $format in custom | directory) ;; *) fail "UPKEEP_DUMP_FORMAT must be custom or directory, got '$format'" ;; esac

# 1. Age, before restoring: a stale dump fails however good it is.
meta=$dir/.meta
[ -r "$meta" ] || fail "no dump was fetched ($meta is missing)"
modified=''
while IFS= read -r kv || [ -n "$kv" ]; do
	case $kv in
	uri=*) uri=${kv#uri=} ;;
	last_modified=*) modified=${kv#last_modified=} ;;
	esac
done <"$meta"
if [ -z "$uri" ] || ! is_count "$modified"; then fail "$meta is malformed"; fi
age_seconds=$(($(upkeep_now) - modified))
# Hours with two decimals, rounded half up, in the shell's integer arithmetic.
a=$age_seconds sign=''
[ "$a" -ge 0 ] || { a=$((-a)) sign=-; }
a=$(((a * 100 + 1800) / 3600))
frac=$((a % 100))
[ "$frac" -ge 10 ] || frac=0$frac
age=$sign$((a / 100)).$frac
[ "$age_seconds" -le $((max_hours * 3600)) ] ||
	fail "the dump is $age hours old, older than maxAgeHours $max_hours"

# 2. Restore into a fresh database: the empty "verify" the sidecar made while
# the fetch ran, or, when a run before this one already used it (the comment
# says so) or it is missing, a new one.
src=$dir/dump
[ -e "$src" ] || fail "the fetched dump $src is missing"
waited=0
until pg_isready -q -d postgres; do
	# The sidecar starts beside the fetch, so its server may still be starting.
	[ "$waited" -lt "$wait_seconds" ] || fail "the scratch server $(upkeep_target) did not accept connections within $wait_seconds s"
	sleep 1
	waited=$((waited + 1))
done
prepare="SELECT count(*) = 1 AND bool_and(shobj_description(oid, 'pg_database') IS NULL) AS fresh
  FROM pg_database WHERE datname = 'verify' \gset
\if :fresh
\else
DROP DATABASE IF EXISTS verify;
CREATE DATABASE verify;
\endif
COMMENT ON DATABASE verify IS 'upkeep dump-verify: restore started';"
if ! err=$(printf '%s\n' "$prepare" | upkeep_psql -d postgres 2>&1 >/dev/null); then
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

# 3. Checks, all of them, so one run reports every problem. One psql session:
# the scratch server parses each line (its jsonb type: no JSON parser in shell)
# and runs each check in a subtransaction that is always rolled back, so a
# failing check is recorded alone and no check changes what the next one sees.
# An SQL check's value reads as psql -t -A would print it. The session prints
# the checks' JSON objects on one line, then the failures joined by "; ".
# Notices and warnings are off from the connection's start, so nothing else
# reaches the output (run_checks runs in a subshell: the export stays there).
run_checks() { # lines
	export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=error"
	upkeep_psql -d verify -t -A -v checks="$1" <<'SQL'
SET upkeep.checks = :'checks';
DO $checks$
DECLARE
	line text;
	c jsonb;
	kind text;
	tbl text;
	min_rows text;
	q text;
	n bigint;
	rec record;
	out text;
	err text;
	label text;
	ok boolean;
	detail text;
	failure text;
	items text[] := '{}';
	failures text[] := '{}';
BEGIN
	FOREACH line IN ARRAY regexp_split_to_array(current_setting('upkeep.checks'), E'\n') LOOP
		CONTINUE WHEN line = '';
		kind := NULL; n := NULL; out := NULL; err := NULL; label := line; ok := false; detail := NULL; failure := NULL;
		BEGIN
			c := line::jsonb;
			kind := 'malformed';
			tbl := coalesce(c->>'table', '');
			min_rows := coalesce(c->>'minRows', '');
			q := rtrim(c->>'sql', E'\n'); -- as psql prints it
			IF tbl <> '' AND min_rows ~ '^[0-9]{1,10}$' THEN
				kind := 'table';
				label := tbl || ' >= ' || min_rows || ' rows';
				EXECUTE 'SELECT count(*) FROM ' || CASE WHEN strpos(tbl, '.') > 0
					THEN quote_ident(split_part(tbl, '.', 1)) || '.' || quote_ident(substr(tbl, strpos(tbl, '.') + 1))
					ELSE quote_ident(tbl) END INTO n;
			ELSIF q <> '' THEN
				kind := 'sql';
				label := q;
				EXECUTE q INTO rec;
				GET DIAGNOSTICS n = ROW_COUNT;
				IF n = 1 THEN
					-- The row as psql -t -A prints it: its fields' text joined by |, NULL as
					-- nothing. rec::text is the composite literal: (f1,"f 2",,...).
					SELECT string_agg(CASE WHEN left(m[1], 1) = '"'
							THEN replace(replace(substr(m[1], 2, length(m[1]) - 2), '\\', '\'), '""', '"')
							ELSE m[1] END, '|' ORDER BY i)
						INTO out
						FROM regexp_matches(substr(rec::text, 2, length(rec::text) - 2) || ',', '("(?:[^"\\]|""|\\.)*"|[^,]*),', 'g')
							WITH ORDINALITY AS f(m, i);
					out := rtrim(out, E'\n');
				END IF;
			END IF;
			RAISE SQLSTATE 'UK000'; -- roll the check back
		EXCEPTION
			WHEN SQLSTATE 'UK000' THEN NULL;
			WHEN OTHERS THEN
				IF kind = 'sql' AND SQLERRM = 'INTO used with a command that cannot return data' THEN
					n := 0; -- psql printed nothing for such a command
				ELSE
					err := btrim(split_part(SQLERRM, E'\n', 1), E' \t');
					IF err = '' THEN err := 'unknown error'; END IF;
					IF length(err) > 300 THEN err := left(err, 300) || '...'; END IF;
				END IF;
		END;
		IF kind IS NULL THEN
			detail := err;
			failure := 'malformed check: ' || line;
		ELSIF kind = 'malformed' THEN
			detail := 'expected {"table","minRows"} or {"sql"}';
			failure := 'malformed check: ' || line;
		ELSIF err IS NOT NULL THEN
			detail := err;
			failure := CASE kind WHEN 'table' THEN tbl || ': ' || err ELSE 'SQL check failed: ' || q || ': ' || err END;
		ELSIF kind = 'table' THEN
			ok := n >= min_rows::bigint;
			detail := n || ' rows';
			IF NOT ok THEN failure := tbl || ' has ' || n || ' rows, fewer than the ' || min_rows || ' required'; END IF;
		ELSE
			ok := n = 1 AND out = 't';
			detail := CASE
				WHEN ok THEN 'true'
				WHEN n > 1 THEN 'returned ' || n || ' rows'
				WHEN n = 0 OR out = '' THEN 'returned no rows'
				WHEN strpos(out, E'\n') > 0 THEN 'returned ' || (length(out) - length(replace(out, E'\n', '')) + 1) || ' rows'
				WHEN out = 'f' THEN 'returned false'
				ELSE 'returned ''' || out || ''', not true' END;
			IF NOT ok THEN failure := 'SQL check failed: ' || q || ': ' || detail; END IF;
		END IF;
		-- JSON as the shell's json_str writes it: other control characters as spaces.
		items := items || ('{"check":' || to_json(regexp_replace(label, '[\x01-\x08\x0b-\x1f]', ' ', 'g'))
			|| ',"ok":' || CASE WHEN ok THEN 'true' ELSE 'false' END
			|| ',"detail":' || to_json(regexp_replace(detail, '[\x01-\x08\x0b-\x1f]', ' ', 'g')) || '}');
		IF failure IS NOT NULL THEN failures := failures || failure; END IF;
	END LOOP;
	PERFORM set_config('upkeep.out', array_to_string(items, ',') || E'\n' || array_to_string(failures, '; '), false);
END
$checks$;
SELECT current_setting('upkeep.out');
SQL
}

collect() { # output of run_checks
	set -- "${1%%"$nl"*}" "$1"
	results=$results${results:+${1:+,}}$1
	case $2 in *"$nl"*) set -- "${2#*"$nl"}" ;; *) set -- '' ;; esac
	[ -z "$1" ] || failures=$failures${failures:+; }$1
}

case $checks in
*[!"$nl"]*)
	if out=$(run_checks "$checks" 2>&1); then
		collect "$out"
	else
		# The session was lost: a check ended its own connection, or the server
		# restarted. Again, one session a check, so the others still report.
		while IFS= read -r line; do
			[ -n "$line" ] || continue
			if out=$(run_checks "$line" 2>&1); then
				collect "$out"
				continue
			fi
			out=$(printf '%s\n' "$out" | upkeep_reason | shorten)
			json_str "$line" && label=$js && json_str "$out"
			results="$results${results:+,}{\"check\":$label,\"ok\":false,\"detail\":$js}"
			failures="$failures${failures:+; }check could not run: $line: $out"
		done <<EOF
$checks
EOF
	fi
	;;
esac

[ -z "$failures" ] || fail "$failures"
finish pass
