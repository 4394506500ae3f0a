#!/bin/sh
# Verify the dump that dump-fetch.sh left in UPKEEP_DUMP_DIR by restoring it:
#   1. its age (from .meta) against UPKEEP_DUMP_MAX_AGE_HOURS, before anything
#      else; a dump more than 60 s in the future fails with "clock skew";
#   2. pg_restore into a fresh database "verify" on the scratch server (PG*
#      environment), in parallel (UPKEEP_RESTORE_JOBS) for the directory format,
#      under a statement_timeout and a timer that end it at the deadline;
#   3. every check of UPKEEP_DUMP_CHECKS, one JSON object a line:
#      {"table":"schema.table","minRows":N} or {"sql":"..."} (one row, one value: true),
#      as the role upkeep_check, not a superuser (no COPY ... TO PROGRAM, no
#      server files), each under a statement_timeout of the time left: a slow
#      check fails, named, instead of holding the pod until it is killed;
#   4. prints the outcome line, whose figures hold the dump, its age, the
#      restore time, each check and the verdict, and on failure one human line
#      on stderr and exit 1.
# Besides pg_restore it starts two psql sessions, one to prepare the database
# and one for all the checks, and few other processes: each costs milliseconds,
# and the verification should cost little more than the restore itself.
set -eu
upkeep_name=dump-verify
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$here/common.sh"

dir=${UPKEEP_DUMP_DIR:-/dump}
format=${UPKEEP_DUMP_FORMAT:-custom}
max_hours=${UPKEEP_DUMP_MAX_AGE_HOURS:-}
jobs=${UPKEEP_RESTORE_JOBS:-2}
wait_seconds=${UPKEEP_SCRATCH_WAIT_SECONDS:-120}
checks=${UPKEEP_DUMP_CHECKS:-}
# The role the checks run as on the scratch server.
check_role=upkeep_check
nl='
'

# Tool messages can quote a whole bad row: keep reasons to one readable line.
shorten() {
	awk '{ if (length($0) > 300) $0 = substr($0, 1, 300) "..."; print }'
}

uri='' age=null restore=null results='' failures='' verdict=fail

upkeep_figures() {
	_dump=null
	if [ -n "$uri" ]; then upkeep_json_str "$uri" && _dump=$js; fi
	printf '{"dump":%s,"ageHours":%s,"restoreSeconds":%s,"checks":[%s],"verdict":"%s"}' \
		"$_dump" "$age" "$restore" "$results" "$verdict"
}

# The outcome line, then for a failure the human line and exit 1.
finish() { # verdict reason
	verdict=$1
	if [ "$1" = pass ]; then
		upkeep_outcome success "$(upkeep_figures)"
		exit 0
	fi
	printf 'upkeep dump-verify: dump verification failed%s: %s\n' "${uri:+ for $uri}" "$2" >&2
	upkeep_outcome failed "$(upkeep_figures)" "$2"
	exit 1
}
fail() { finish fail "$*"; }

# A signal ends the restore's or the checks' sessions on the scratch server.
upkeep_stop_hook() {
	if _n=$(upkeep_end_sessions 10 2>/dev/null); then
		[ "$_n" = 0 ] || upkeep_stop_note="; $_n session(s) still ending on the scratch server"
	fi
}

is_count() { # 0 and up, at most 10 digits
	case $1 in '' | *[!0-9]*) return 1 ;; esac
	[ "${#1}" -le 10 ]
}

is_positive() { is_count "$1" && [ "$1" -gt 0 ]; }

is_positive "$max_hours" || fail "UPKEEP_DUMP_MAX_AGE_HOURS must be a positive integer, got '$max_hours'"
is_positive "$jobs" || fail "UPKEEP_RESTORE_JOBS must be a positive integer, got '$jobs'"
is_positive "$wait_seconds" || fail "UPKEEP_SCRATCH_WAIT_SECONDS must be a positive integer, got '$wait_seconds'"
case $format in custom | directory) ;; *) fail "UPKEEP_DUMP_FORMAT must be custom or directory, got '$format'" ;; esac
upkeep_deadline_init

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
# S3 stamps LastModified with its own clock: a minute ahead is still "now".
if [ "$age_seconds" -lt -60 ]; then
	fail "clock skew: the dump's LastModified ($(upkeep_iso "$modified")) is $((-age_seconds)) s ahead of this pod's clock ($(upkeep_iso "$(upkeep_now)"))"
fi
[ "$age_seconds" -le $((max_hours * 3600)) ] ||
	fail "the dump is $age hours old, older than maxAgeHours $max_hours"

# 2. Restore into a fresh database: the empty "verify" the sidecar made while
# the fetch ran, or, when a run before this one already used it (the comment
# says so) or it is missing, a new one. The role the checks run as is made
# here too: it may read and write every table (pg_read_all_data,
# pg_write_all_data; the checks are rolled back) and nothing else.
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
COMMENT ON DATABASE verify IS 'upkeep dump-verify: restore started';
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$check_role') AS make_role \gset
\if :make_role
CREATE ROLE $check_role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
GRANT pg_read_all_data, pg_write_all_data TO $check_role;
\endif"
upkeep_tmpdir
printf '%s\n' "$prepare" >"$upkeep_tmp/prepare.sql"
upkeep_run - psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$upkeep_tmp/prepare.sql"
if [ "$upkeep_rc" -ne 0 ]; then
	fail "cannot prepare the scratch server $(upkeep_target): $(upkeep_reason <"$upkeep_tmp/err")"
fi
set --
[ "$format" = custom ] || set -- --jobs "$jobs"
left=$(upkeep_left)
[ "$left" -ge 1 ] || fail "no time left in the slot to restore the dump"
t0=$(upkeep_now)
upkeep_run "$left" env PGOPTIONS="${PGOPTIONS:-} -c statement_timeout=${left}s" \
	pg_restore --no-owner --no-privileges --exit-on-error "$@" --dbname=verify "$src"
restore=$(($(upkeep_now) - t0))
if [ "$upkeep_rc" -ne 0 ]; then
	err=$(cat "$upkeep_tmp/err")
	if [ "$(upkeep_left)" -le 0 ] || printf '%s' "$err" | grep -q 'statement timeout'; then
		upkeep_stop_hook
		fail "the restore did not finish within the $left s left before the deadline"
	fi
	fail "restore failed: $(printf '%s\n' "$err" | sed 's/^pg_restore: //; s/^error: //' | upkeep_reason | shorten)"
fi

# 3. Checks, all of them, so one run reports every problem. One psql session
# as $check_role: the scratch server parses each line (its jsonb type: no
# JSON parser in shell) and runs each check as its own statement (\gexec), so
# each gets its own statement_timeout: the time left before the deadline. A
# statement before each one sets that timeout and records the check as timed
# out; the check, when it finishes, records its result instead. Each check
# runs in a subtransaction that is always rolled back, so a failing check is
# recorded alone and no check changes what the next one sees. An SQL check's
# value reads as psql -t -A would print it. The session prints the checks'
# JSON objects on one line, then the failures joined by "; ". Notices and
# warnings are off from the connection's start, so nothing else reaches the
# output.
checks_sql() {
	cat <<'SQL'
SET statement_timeout = '10s';
SELECT set_config('upkeep.checks', :'checks', false), set_config('upkeep.deadline', :'deadline', false),
       set_config('upkeep.i', '0', false) \g /dev/null
SELECT count(*) AS n FROM unnest(regexp_split_to_array(current_setting('upkeep.checks'), E'\n')) l WHERE l <> '' \gset
SELECT s FROM generate_series(1, :n) g, (VALUES (1, $limit$DO $l$
DECLARE
	lines text[] := ARRAY(SELECT l FROM unnest(regexp_split_to_array(current_setting('upkeep.checks'), E'\n'))
		WITH ORDINALITY AS u(l, k) WHERE l <> '' ORDER BY k);
	i int := current_setting('upkeep.i')::int + 1;
	line text := lines[i];
	c jsonb;
	label text := line;
	ms bigint := floor((current_setting('upkeep.deadline')::float8 - extract(epoch FROM clock_timestamp())) * 1000);
BEGIN
	PERFORM set_config('upkeep.i', i::text, false);
	BEGIN
		c := line::jsonb;
	EXCEPTION WHEN OTHERS THEN
		c := NULL;
	END;
	IF jsonb_typeof(c) = 'object' THEN
		IF coalesce(c->>'table', '') <> '' AND coalesce(c->>'minRows', '') ~ '^[0-9]{1,10}$' THEN
			label := (c->>'table') || ' >= ' || (c->>'minRows') || ' rows';
		ELSIF coalesce(rtrim(c->>'sql', E'\n'), '') <> '' THEN
			label := rtrim(c->>'sql', E'\n');
		END IF;
	END IF;
	IF ms < 1000 THEN
		-- Less than a second left: the check is not started.
		PERFORM set_config('upkeep.done_' || i, '1', false),
			set_config('upkeep.item_' || i, '{"check":' || to_json(regexp_replace(label, '[\x01-\x08\x0b-\x1f]', ' ', 'g'))
				|| ',"ok":false,"detail":"not run: the deadline was reached"}', false),
			set_config('upkeep.failure_' || i, 'check not run, the deadline was reached: ' || label, false);
	ELSE
		PERFORM set_config('upkeep.pending_' || i, '{"check":' || to_json(regexp_replace(label, '[\x01-\x08\x0b-\x1f]', ' ', 'g'))
				|| ',"ok":false,"detail":' || to_json('timed out after ' || round(ms / 1000.0) || ' s, at the deadline') || '}', false),
			set_config('upkeep.pendingfail_' || i, 'check timed out after ' || round(ms / 1000.0) || ' s, at the deadline: ' || label, false),
			set_config('statement_timeout', ms::text, false);
	END IF;
END
$l$$limit$), (2, $check$DO $c$
DECLARE
	i int := current_setting('upkeep.i')::int;
	line text := (ARRAY(SELECT l FROM unnest(regexp_split_to_array(current_setting('upkeep.checks'), E'\n'))
		WITH ORDINALITY AS u(l, k) WHERE l <> '' ORDER BY k))[i];
	c jsonb;
	kind text;
	tbl text;
	min_rows text;
	q text;
	n bigint;
	rec record;
	out text;
	err text;
	label text := line;
	ok boolean := false;
	detail text;
	failure text;
BEGIN
	IF current_setting('upkeep.done_' || i, true) = '1' THEN
		RETURN; -- not run
	END IF;
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
						ELSE m[1] END, '|' ORDER BY o)
					INTO out
					FROM regexp_matches(substr(rec::text, 2, length(rec::text) - 2) || ',', '("(?:[^"\\]|""|\\.)*"|[^,]*),', 'g')
						WITH ORDINALITY AS f(m, o);
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
	-- JSON as the shell's upkeep_json_str writes it: other control characters as spaces.
	PERFORM set_config('upkeep.done_' || i, '1', false),
		set_config('upkeep.item_' || i, '{"check":' || to_json(regexp_replace(label, '[\x01-\x08\x0b-\x1f]', ' ', 'g'))
			|| ',"ok":' || CASE WHEN ok THEN 'true' ELSE 'false' END
			|| ',"detail":' || to_json(regexp_replace(detail, '[\x01-\x08\x0b-\x1f]', ' ', 'g')) || '}', false),
		set_config('upkeep.failure_' || i, coalesce(failure, ''), false);
END
$c$$check$)) v(o, s) ORDER BY g, o \gexec
SET statement_timeout = '10s';
SELECT coalesce(string_agg(CASE WHEN current_setting('upkeep.done_' || g, true) = '1'
                                THEN current_setting('upkeep.item_' || g) ELSE current_setting('upkeep.pending_' || g) END, ',' ORDER BY g), '')
       || E'\n' ||
       coalesce(string_agg(nullif(CASE WHEN current_setting('upkeep.done_' || g, true) = '1'
                                       THEN current_setting('upkeep.failure_' || g) ELSE current_setting('upkeep.pendingfail_' || g) END, ''),
                           '; ' ORDER BY g), '')
  FROM generate_series(1, :n) g;
SQL
}

run_checks() { # lines; sets out and rc
	upkeep_tmpdir
	[ -s "$upkeep_tmp/checks.sql" ] || checks_sql >"$upkeep_tmp/checks.sql"
	upkeep_run - env PGUSER="$check_role" PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=error" \
		psql -X -q -t -A -d verify -v checks="$1" -v deadline="$upkeep_stop_at" -f "$upkeep_tmp/checks.sql"
	rc=$upkeep_rc
	out=$(cat "$upkeep_tmp/out")
	[ "$rc" -eq 0 ] || out=$(cat "$upkeep_tmp/err")
}

collect() { # output of run_checks
	set -- "${1%%"$nl"*}" "$1"
	results=$results${results:+${1:+,}}$1
	case $2 in *"$nl"*) set -- "${2#*"$nl"}" ;; *) set -- '' ;; esac
	[ -z "$1" ] || failures=$failures${failures:+; }$1
}

case $checks in
*[!"$nl"]*)
	run_checks "$checks"
	if [ "$rc" -eq 0 ]; then
		collect "$out"
	else
		# The session was lost: a check ended its own connection, or the server
		# restarted. Again, one session a check, so the others still report.
		while IFS= read -r line; do
			[ -n "$line" ] || continue
			run_checks "$line"
			if [ "$rc" -eq 0 ]; then
				collect "$out"
				continue
			fi
			out=$(printf '%s\n' "$out" | upkeep_reason | shorten)
			upkeep_json_str "$line" && label=$js && upkeep_json_str "$out"
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
