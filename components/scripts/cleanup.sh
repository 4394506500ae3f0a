#!/bin/sh
# Delete rows older than each table's retention in batches that each commit on
# their own, stopping cleanly before the slot ends.
# UPKEEP_CLEANUP_TABLES: whitespace-separated schema.table:column:days:batch[:zone]
# (zone: the IANA zone a timestamp-without-time-zone or date column is written in).
#
# Per table, the first session checks the table, the column's type and the
# privileges before its first batch, and computes the cutoff from the server
# clock:
# - timestamptz: now() - retention;
# - timestamp (naive) and date: the cutoff as wall-clock time in the table's
#   zone, taking the lowest of that zone's offsets over the following 3 hours,
#   so a clock change never lets a newer row through; a date column deletes
#   only whole days that ended before it. Without a zone: the cutoff safe in
#   every zone, 12 hours (UTC-12, the most western offset) before the UTC one.
# Each session runs its batches in a DO block that COMMITs after each one. The
# first batch deletes `batch` rows; every later one is sized from the last
# one's rate to take about UPKEEP_CLEANUP_BATCH_SECONDS, at most 4x the last,
# so a batch that ran slow shrinks the next.
# - With a btree index led by the column, batches walk it forward from the
#   last value deleted, so no batch re-reads the dead entries of the ones before.
# - Without one, batches walk the heap in ranges of blocks (a TID range scan,
#   PostgreSQL 14+), so no batch re-reads the blocks of the ones before; a
#   range is sized in blocks the same way, by time.
# Every DELETE repeats "column < cutoff", so no newer row is ever deleted. A
# table that fails (missing, no privilege, a foreign key that still references
# its rows, a lock held past three attempts) is reported and the next one is
# cleaned; the run then exits 1.
# Needs PostgreSQL 11+ (COMMIT in DO) and psql 10+ (\gexec).
set -eu
upkeep_name=cleanup
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

# The cutoff and the batch bounds travel as text; ISO in UTC round-trips exactly.
PGTZ=UTC PGDATESTYLE=ISO
export PGTZ PGDATESTYLE
lock_timeout=${UPKEEP_LOCK_TIMEOUT:-5s}
statement_timeout=${UPKEEP_STATEMENT_TIMEOUT:-30s}
batch_seconds=${UPKEEP_CLEANUP_BATCH_SECONDS:-0.25}
case $batch_seconds in
'' | *[!0-9.]* | *.*.* | . | .* | *.) bad=1 ;;
*) bad=$(awk -v s="$batch_seconds" 'BEGIN { print (s + 0 < 0.01 || s + 0 > 10) ? 1 : "" }') ;;
esac
[ -z "$bad" ] || upkeep_invalid "UPKEEP_CLEANUP_BATCH_SECONDS must be a number of seconds from 0.01 to 10, got '$batch_seconds'"
upkeep_deadline_init
entries=${UPKEEP_CLEANUP_TABLES:-}
set -f # entries are split on whitespace below, never globbed

is_ident() {
	case $1 in '' | [!a-z_]* | *[!a-z0-9_]*) return 1 ;; esac
}
is_num() { # a count or 0
	upkeep_is_count "$1" || [ "$1" = 0 ]
}

# Sets rel, schema, table, column, days, batch, zone from one entry.
parse_entry() {
	case $1 in
	*:*:*:*:*:*) return 1 ;;
	*:*:*:*:*) zone=${1##*:} rest=${1%:*} ;;
	*:*:*:*) zone='' rest=$1 ;;
	*) return 1 ;;
	esac
	rel=${rest%%:*} rest=${rest#*:}
	column=${rest%%:*} rest=${rest#*:}
	days=${rest%%:*} batch=${rest#*:}
	case $rel in
	*.*) schema=${rel%%.*} table=${rel#*.} ;;
	*) schema='' table=$rel ;;
	esac
	case $zone in *[!A-Za-z0-9/_+-]* | /* | *..*) return 1 ;; esac
	{ [ -z "$schema" ] || is_ident "$schema"; } && is_ident "$table" &&
		is_ident "$column" && upkeep_is_count "$days" && upkeep_is_count "$batch"
}

# Validate everything before touching any table.
count=0
for entry in $entries; do
	parse_entry "$entry" || upkeep_invalid "malformed UPKEEP_CLEANUP_TABLES entry '$entry':" \
		"expected [schema.]table:column:retentionDays:batchSize[:timeZone] with identifiers matching ^[a-z_][a-z0-9_]*\$"
	count=$((count + 1))
done
[ "$count" -gt 0 ] || upkeep_invalid "UPKEEP_CLEANUP_TABLES is empty: nothing to clean up"

# SQL goes in on stdin: psql interpolates :variables there, not in -c or in
# dollar quotes. Each DO statement carries its inputs in its own text, as
# JSON built by the server and base64-encoded (no value can end its dollar
# quote), so it depends on no session state but statement_timeout, which it
# checks. Nothing is created in the database. Results come back on INFO lines
# (always sent to the client), fields joined by |.
do_block() { # body: a DO statement whose text holds @params@, the JSON object in $1
	printf '%s\n' "SELECT replace(\$body\$DO \$do\$"
	cat
	printf '%s\n' "\$do\$
\$body\$, '@params@', quote_literal(encode(convert_to(json_build_object($1)::text, 'UTF8'), 'base64'))) \\gexec"
}
params_head="'schema', :'schema', 'table', :'table', 'column', :'col'"

# One session of batches. It reports on INFO lines:
# - in the table's first session (no cutoff yet), before any batch, what it
#   found: upkeep-probe|type|mode|cutoff|blocks|first size|note;
# - after each batch commits: upkeep-batch|rows;
# - at the end: upkeep-result|status|deleted|batches|largest|slowest ms|next
#   size|error|resume point (its own batches; "slowest" goes in as the
#   slowest of the whole run);
# - when the table is done or the deadline stops it: upkeep-left|rows still
#   older than the cutoff|estimated (counted in the time the session has left,
#   else the planner's estimate).
#
# statement_timeout bounds the DO statement as a whole, so the block starts
# batches for at most statement_timeout ("more": the script starts another
# session) and runs under twice that: every batch it starts gets at least
# statement_timeout to finish, as when each batch was its own statement. The
# session never runs past the deadline: its bound is the time left at most.
session_sql() {
	cat <<'SQL'
SET statement_timeout = :'statement_timeout';
SELECT setting::bigint AS stmt_ms, least(2 * setting::bigint, 2147483647, :'left'::bigint * 1000) AS hard_ms
  FROM pg_settings WHERE name = 'statement_timeout' \gset
SET statement_timeout = :hard_ms;
SQL
	do_block "$params_head, 'days', :'days', 'zone', :'zone', 'batch', :'batch', 'mode', :'mode', 'cutoff', :'cutoff',
  'lo', :'lo', 'blocks', :'blocks', 'next', :'next', 'batch_seconds', :'batch_seconds', 'lock_timeout', :'lock_timeout',
  'left', :'left', 'slowest_ms', :'slowest', 'chunk_ms', :stmt_ms, 'hard_ms', :hard_ms" <<'SQL'
DECLARE
  p jsonb := convert_from(decode(@params@, 'base64'), 'UTF8')::jsonb;
  rel text := CASE p->>'schema' WHEN '' THEN format('%I', p->>'table')
              ELSE format('%I.%I', p->>'schema', p->>'table') END;
  shown text := CASE p->>'schema' WHEN '' THEN p->>'table' ELSE (p->>'schema') || '.' || (p->>'table') END;
  col text := format('%I', p->>'column');
  by_blocks boolean := p->>'mode' = 'blocks';
  blocks bigint := nullif(p->>'blocks', '')::bigint;
  cutoff text := nullif(p->>'cutoff', '');
  lo text := nullif(p->>'lo', '');
  n bigint := nullif(p->>'next', '')::bigint;
  target float8 := (p->>'batch_seconds')::float8;
  lock_timeout text := p->>'lock_timeout';
  left_s float8 := (p->>'left')::float8;
  slowest float8 := 0;
  slowest_before float8 := (p->>'slowest_ms')::float8 / 1000;
  chunk_s float8 := (p->>'chunk_ms')::float8 / 1000;
  started timestamptz := clock_timestamp();
  status text;
  err text := '';
  hi text;
  got bigint;
  deleted bigint := 0;
  batches int := 0;
  largest bigint := 0;
  t0 timestamptz;
  dt float8;
  since float8;
  stuck boolean := false;
  fk_name text;
  fk_schema text;
  fk_table text;
  -- the first session's checks
  zone text := p->>'zone';
  relid regclass;
  attnum int2;
  typ text;
  c timestamptz;
  lc timestamp;
  note text := '';
  per_block float8;
  -- what is left
  left_n bigint;
  plan json;
  estimated boolean := false;
BEGIN
  -- A pooler that hands statements to other sessions would lose the bound.
  IF (SELECT setting FROM pg_settings WHERE name = 'statement_timeout') <> p->>'hard_ms' THEN
    RAISE EXCEPTION 'statement_timeout is % in the session running the batches, not % ms: is a transaction-mode pooler in between?',
      current_setting('statement_timeout'), p->>'hard_ms';
  END IF;
  IF cutoff IS NULL THEN
    -- The table's first session: check the table, the column and the
    -- privileges, and fix the cutoff from the server clock, once.
    relid := to_regclass(rel);
    IF relid IS NULL THEN
      RAISE EXCEPTION 'table % does not exist', shown;
    END IF;
    SELECT a.attnum, format_type(a.atttypid, NULL) INTO attnum, typ FROM pg_attribute a
      WHERE a.attrelid = relid AND a.attname = p->>'column' AND a.attnum > 0 AND NOT a.attisdropped;
    IF attnum IS NULL THEN
      RAISE EXCEPTION 'column % does not exist in %', p->>'column', shown;
    END IF;
    IF NOT (has_table_privilege(relid, 'DELETE') AND has_column_privilege(relid, attnum, 'SELECT')) THEN
      RAISE EXCEPTION 'permission denied: % needs DELETE on % and SELECT on its column %', current_user, shown, p->>'column';
    END IF;
    c := now() - make_interval(days => (p->>'days')::int);
    IF typ = 'timestamp with time zone' THEN
      cutoff := c::text;
      IF zone <> '' THEN note := 'timestampZone has no effect on a timestamptz column'; END IF;
    ELSIF typ IN ('timestamp without time zone', 'date') THEN
      IF zone <> '' THEN
        -- c + x as wall-clock time, minus x: c under the offset in force at
        -- c + x. The lowest over 3 hours covers any clock change after c.
        lc := least(c AT TIME ZONE zone, (c + interval '1 hour') AT TIME ZONE zone - interval '1 hour',
                    (c + interval '2 hours') AT TIME ZONE zone - interval '2 hours',
                    (c + interval '3 hours') AT TIME ZONE zone - interval '3 hours');
      ELSE
        lc := (c AT TIME ZONE 'UTC') - interval '12 hours';
        note := format('%s is %s and has no timestampZone: using the cutoff safe in every zone, 12 h before the UTC cutoff',
                       p->>'column', CASE typ WHEN 'date' THEN 'a date' ELSE 'timestamp without time zone' END);
      END IF;
      -- A day is deleted only once all of it lies before the cutoff.
      cutoff := CASE typ WHEN 'date' THEN lc::date::text ELSE lc::text END;
    ELSE
      RAISE EXCEPTION 'column % of % is %, not timestamptz, timestamp or date', p->>'column', shown, typ;
    END IF;
    -- No btree index led by the column: walk the heap by block ranges (TID
    -- range scans need PostgreSQL 14).
    by_blocks := NOT EXISTS (
        SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
        WHERE i.indrelid = relid AND i.indisvalid AND i.indkey[0] = attnum AND am.amname = 'btree' AND i.indpred IS NULL)
      AND current_setting('server_version_num')::int >= 140000;
    blocks := pg_relation_size(relid) / current_setting('block_size')::int;
    n := (p->>'batch')::bigint;
    IF by_blocks THEN
      SELECT CASE WHEN relpages > 0 AND reltuples > 0 THEN reltuples / relpages ELSE 100 END INTO per_block
        FROM pg_class WHERE oid = relid;
      n := greatest(1, ceil(n / per_block))::bigint;
    END IF;
    RAISE INFO '%', concat_ws('|', 'upkeep-probe', typ, CASE WHEN by_blocks THEN 'blocks' ELSE 'index' END,
      cutoff, blocks, n, replace(note, '|', '/'));
  END IF;
  IF by_blocks AND lo IS NULL THEN
    lo := '0';
  END IF;
  WHILE status IS NULL LOOP
    since := extract(epoch FROM clock_timestamp() - started);
    -- Keep room before the deadline for another batch as slow as the slowest
    -- so far, plus margin; hand over to a fresh session after chunk_s.
    IF since + 2 * greatest(slowest, slowest_before) + 10 > left_s THEN
      status := 'deadline';
      EXIT;
    ELSIF chunk_s > 0 AND since >= chunk_s THEN
      status := 'more';
      EXIT;
    END IF;
    t0 := clock_timestamp();
    PERFORM set_config('lock_timeout', lock_timeout, true);
    got := 0;
    hi := NULL;
    BEGIN
      IF by_blocks THEN
        -- Blocks [lo, hi): a TID range scan reads only them. Blocks added
        -- after the first session hold rows written since: newer.
        IF lo::bigint < blocks THEN
          hi := least(lo::bigint + n, blocks)::text;
          EXECUTE format('DELETE FROM %s WHERE ctid >= %L::tid AND ctid < %L::tid AND %s < %L',
                         rel, format('(%s,0)', lo), format('(%s,0)', hi), col, cutoff);
          GET DIAGNOSTICS got = ROW_COUNT;
        END IF;
      ELSE
        IF lo IS NULL THEN
          -- Where the expired rows start: one descent of the index.
          EXECUTE format('SELECT min(%s) FROM %s WHERE %s < %L', col, rel, col, cutoff) INTO lo;
        ELSIF stuck THEN
          -- No row at lo went last time (a trigger or rule kept them): step over.
          EXECUTE format('SELECT min(%s) FROM %s WHERE %s > %L AND %s < %L', col, rel, col, lo, col, cutoff) INTO lo;
          stuck := false;
        END IF;
        -- The n+1st row from lo bounds this batch: [lo, hi) holds at most n rows.
        -- Bounds are untyped literals, so they take the column's type.
        IF lo IS NOT NULL THEN
          EXECUTE format('SELECT %s FROM %s WHERE %s >= %L AND %s < %L ORDER BY %s OFFSET %s LIMIT 1',
                         col, rel, col, lo, col, cutoff, col, n) INTO hi;
          IF hi IS NULL THEN
            EXECUTE format('DELETE FROM %s WHERE %s >= %L AND %s < %L', rel, col, lo, col, cutoff);
          ELSIF hi = lo THEN
            -- More than n rows share the value lo: take n of them by ctid.
            EXECUTE format('DELETE FROM %s WHERE ctid = ANY (ARRAY(SELECT ctid FROM %s WHERE %s = %L LIMIT %s)) AND %s = %L AND %s < %L',
                           rel, rel, col, lo, n, col, lo, col, cutoff);
          ELSE
            EXECUTE format('DELETE FROM %s WHERE %s >= %L AND %s < %L AND %s < %L', rel, col, lo, col, hi, col, cutoff);
          END IF;
          GET DIAGNOSTICS got = ROW_COUNT;
        END IF;
      END IF;
    EXCEPTION
      WHEN lock_not_available OR deadlock_detected THEN
        -- Retried by the script after a pause outside any transaction.
        status := 'locked';
        err := SQLERRM;
        EXIT;
      WHEN foreign_key_violation THEN
        GET STACKED DIAGNOSTICS fk_name = CONSTRAINT_NAME, fk_schema = SCHEMA_NAME, fk_table = TABLE_NAME;
        status := 'failed';
        err := format('rows older than the cutoff are still referenced through foreign key %s from table %s',
                      fk_name, format('%I.%I', fk_schema, fk_table));
        EXIT;
    END;
    COMMIT;
    IF (by_blocks AND hi IS NULL) OR (NOT by_blocks AND lo IS NULL) THEN
      status := 'done'; -- nothing (more) older than the cutoff
      EXIT;
    END IF;
    RAISE INFO 'upkeep-batch|%', got;
    dt := extract(epoch FROM clock_timestamp() - t0);
    deleted := deleted + got;
    batches := batches + 1;
    largest := greatest(largest, got);
    slowest := greatest(slowest, dt);
    IF by_blocks THEN
      lo := hi;
      IF hi::bigint >= blocks THEN
        status := 'done';
      ELSE
        -- Toward target seconds at the last range's rate: at most 4x the last.
        n := greatest(1, least(n * 4, 1000000, floor(n / greatest(dt, 0.0001) * target)::bigint));
      END IF;
    ELSIF hi IS NULL THEN
      status := 'done';
    ELSE
      IF hi <> lo THEN
        lo := hi;
      ELSE
        stuck := got = 0;
      END IF;
      -- Toward target seconds at the last batch's rate: at most 4x the last.
      IF got > 0 THEN
        n := greatest(1, least(n * 4, 1000000, floor(got / greatest(dt, 0.0001) * target)::bigint));
      END IF;
    END IF;
  END LOOP;
  RAISE INFO '%', concat_ws('|', 'upkeep-result', status, deleted, batches, largest,
    ceil(slowest * 1000)::bigint, n, replace(err, '|', '/'), coalesce(lo, ''));
  IF status IN ('done', 'deadline') THEN
    -- What is left older than the cutoff, for the backlog: counted in the
    -- time this statement has left, else the planner's estimate.
    BEGIN
      EXECUTE format('SELECT count(*) FROM %s WHERE %s < %L', rel, col, cutoff) INTO left_n;
    EXCEPTION WHEN query_canceled THEN
      EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM %s WHERE %s < %L', rel, col, cutoff) INTO plan;
      left_n := (plan->0->'Plan'->>'Plan Rows')::float8::bigint;
      estimated := true;
    END;
    RAISE INFO '%', concat_ws('|', 'upkeep-left', left_n, estimated);
  END IF;
END
SQL
}

# What is left older than the cutoff when the deadline came before a session
# could start: counted within at most 10 s (and the time left), else the
# planner's estimate. upkeep-left|rows|estimated
left_sql() {
	cat <<'SQL'
SET statement_timeout = :'count_ms';
SQL
	do_block "$params_head, 'cutoff', :'cutoff'" <<'SQL'
DECLARE
  p jsonb := convert_from(decode(@params@, 'base64'), 'UTF8')::jsonb;
  q text := format('FROM %s WHERE %I < %L', CASE p->>'schema' WHEN '' THEN format('%I', p->>'table')
                   ELSE format('%I.%I', p->>'schema', p->>'table') END, p->>'column', p->>'cutoff');
  n bigint;
  plan json;
  estimated boolean := false;
BEGIN
  BEGIN
    EXECUTE 'SELECT count(*) ' || q INTO n;
  EXCEPTION WHEN query_canceled THEN
    EXECUTE 'EXPLAIN (FORMAT JSON) SELECT 1 ' || q INTO plan;
    n := (plan->0->'Plan'->>'Plan Rows')::float8::bigint;
    estimated := true;
  END;
  RAISE INFO '%', concat_ws('|', 'upkeep-left', n, estimated);
END
SQL
}

# Runs SQL from function $1 as one session of psql with this table's
# variables (-f, in the background, so a SIGTERM stops it at once); sets out
# (stdout and stderr) and rc.
session() { # sql-function [psql args]
	_sql=$1
	shift
	upkeep_tmpdir
	"$_sql" >"$upkeep_tmp/sql"
	upkeep_run - psql -X -q -v ON_ERROR_STOP=1 -t -A -v VERBOSITY=verbose -v schema="$schema" -v table="$table" \
		-v col="$column" -v days="$days" -v zone="$zone" -v cutoff="$cutoff" -v mode="$mode" \
		-v blocks="$blocks" -v lo="$lo" -v next="$next" -v batch="$batch" -v batch_seconds="$batch_seconds" \
		-v slowest="$slowest" -v lock_timeout="$lock_timeout" -v statement_timeout="$statement_timeout" \
		"$@" -f "$upkeep_tmp/sql"
	rc=$upkeep_rc
	out=$(cat "$upkeep_tmp/out" "$upkeep_tmp/err")
	# The first session is also the connection check (no separate round
	# trip): nothing has been deleted when it cannot connect.
	if [ "$rc" -ne 0 ] && [ -z "$connected" ] && upkeep_psql_never_connected "$out" "$rc"; then
		upkeep_fail_with "cannot connect to $(upkeep_target)" "$out"
	fi
	[ "$rc" -ne 0 ] || connected=1
}
field() { # prefix: the last INFO line that starts with it, after the prefix
	printf '%s\n' "$out" | sed -n "s/^.*$1|//p" | tail -n 1
}

total=0 slowest=0 summary='' stopped='' skipped='' connected='' failed=0 tables_json=''
# The figures so far, for the outcome line, including a session cut short by a
# signal: its committed batches, counted from its upkeep-batch lines.
upkeep_figures() {
	_tj=$tables_json _d=0
	if [ -n "${in_table:-}" ]; then
		_d=$((deleted + $(sed -n 's/^.*upkeep-batch|\([0-9]*\).*$/\1/p' "$upkeep_tmp/err" 2>/dev/null |
			awk '{ s += $1 } END { print s + 0 }')))
		table_json "$_d" null null stopped
		_tj=$_tj${_tj:+,}$tj
	fi
	printf '{"deleted":%s,"tables":[%s]}' "$((total + _d))" "$_tj"
}
table_json() { # deleted rowsLeft estimated status
	upkeep_json_str "$rel" && _r=$js
	upkeep_json_str "${cutoff:-}" && _c=$js
	[ -n "${cutoff:-}" ] || _c=null
	_t=null
	if [ -n "${typ:-}" ]; then upkeep_json_str "$typ" && _t=$js; fi
	tj="{\"table\":$_r,\"status\":\"$4\",\"deleted\":$1,\"rowsLeft\":$2,\"rowsLeftEstimated\":$3,\"column\":\"$column\",\"type\":$_t,\"mode\":\"${mode:-none}\",\"cutoff\":$_c}"
}
add_table() { # deleted rowsLeft estimated status
	table_json "$@"
	tables_json=$tables_json${tables_json:+,}$tj
}
# A signal ends this run's session on the server; its open batch rolls back.
upkeep_stop_hook() {
	if left_n=$(upkeep_end_sessions 10); then
		[ "$left_n" = 0 ] || upkeep_stop_note="; $left_n session(s) still ending on the server"
	fi
	upkeep_stop_note="; the batch in progress was rolled back$upkeep_stop_note"
}
table_failed() { # reason
	failed=$((failed + 1))
	printf 'upkeep cleanup: deleting from %s failed: %s\n' "$rel" "$1" >&2
	in_table=''
	add_table "$deleted" null null failed
	total=$((total + deleted))
	if [ "$deleted" -gt 0 ]; then
		summary="$summary${summary:+; }$rel: failed after deleting $deleted"
	else
		summary="$summary${summary:+; }$rel: failed"
	fi
}

for entry in $entries; do
	parse_entry "$entry"
	cutoff='' lo='' mode='' typ='' blocks=0 next=$batch deleted=0 batches=0 largest=0 tslowest=0 attempt=1
	if [ -n "$stopped" ]; then
		skipped="$skipped $rel"
		add_table 0 null null "not started"
		continue
	fi

	# The cutoff comes from the table's first session, from the server clock,
	# and stays fixed: rows written during the run are always newer.
	in_table=1 rows_left=null estimated=null
	while :; do
		left=$(upkeep_left)
		if [ "$left" -lt $(((2 * slowest + 999) / 1000 + 10)) ]; then
			stopped=1
			break
		fi
		session session_sql -v left="$left"
		if [ "$rc" -ne 0 ]; then
			table_failed "$(printf '%s\n' "$out" | upkeep_reason)"
			break
		fi
		if [ -z "$cutoff" ]; then
			IFS='|' read -r typ mode cutoff blocks next note <<EOF
$(field upkeep-probe)
EOF
			[ -z "$note" ] || upkeep_log "$rel: $note"
		fi
		IFS='|' read -r status d b l s next err lo <<EOF
$(field upkeep-result)
EOF
		if [ -z "$cutoff" ] || ! { is_num "$blocks" && is_num "$d" && is_num "$b" && is_num "$l" && is_num "$s" && upkeep_is_count "$next"; }; then
			table_failed "unexpected output: $(printf '%s\n' "$out" | upkeep_reason)"
			break
		fi
		deleted=$((deleted + d)) batches=$((batches + b))
		[ "$l" -le "$largest" ] || largest=$l
		[ "$s" -le "$slowest" ] || slowest=$s
		[ "$s" -le "$tslowest" ] || tslowest=$s
		case $status in
		done) break ;;
		more) attempt=1 ;;
		deadline)
			stopped=1
			break
			;;
		locked)
			# A lock timeout or deadlock: the next attempt usually finds the
			# lock released. Three attempts per batch.
			[ "$b" -eq 0 ] || attempt=1
			if [ "$attempt" -ge 3 ]; then
				table_failed "$err after $attempt attempts"
				break
			fi
			attempt=$((attempt + 1))
			sleep 2
			;;
		failed)
			table_failed "$err"
			break
			;;
		*)
			table_failed "unexpected output: $(printf '%s\n' "$out" | upkeep_reason)"
			break
			;;
		esac
	done
	[ -n "$in_table" ] || continue
	summary="$summary${summary:+; }$rel: $deleted in $batches batch(es)"
	[ "$batches" -eq 0 ] || summary="$summary, largest $largest, slowest $tslowest ms"

	# What is left older than the cutoff, for the backlog: from the last
	# session, or, when the deadline came before one could start, counted now.
	left_line=$(field upkeep-left)
	if [ -z "$left_line" ] && [ -n "$cutoff" ] && [ "$(($(upkeep_left) - 5))" -ge 1 ]; then
		count_s=$(($(upkeep_left) - 5))
		[ "$count_s" -le 10 ] || count_s=10
		session left_sql -v count_ms="$((count_s * 1000))"
		[ "$rc" -ne 0 ] || left_line=$(field upkeep-left)
	fi
	n='' e=''
	IFS='|' read -r n e <<EOF
$left_line
EOF
	if is_num "$n"; then
		rows_left=$n estimated=false
		[ "$e" != true ] || estimated=true
	fi
	in_table=''
	total=$((total + deleted))
	if [ -n "$stopped" ]; then status=deadline; else status="done"; fi
	add_table "$deleted" "$rows_left" "$estimated" "$status"
done

figures=$(upkeep_figures)
if [ -n "$stopped" ]; then
	[ -z "$skipped" ] || summary="$summary; not started:$skipped"
	msg="stopped at the deadline after deleting $total row(s) ($summary) in $(upkeep_elapsed) s; the next run continues"
else
	msg="deleted $total row(s) older than the retention cutoff ($summary) in $(upkeep_elapsed) s"
fi
upkeep_log "$msg"
if [ "$failed" -gt 0 ]; then
	upkeep_outcome failed "$figures" "$failed of $count table(s) failed"
	exit 1
elif [ -n "$stopped" ]; then
	upkeep_outcome partial "$figures" "stopped at the deadline; the next run continues"
else
	upkeep_outcome success "$figures"
fi
