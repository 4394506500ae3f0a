#!/bin/sh
# Delete rows older than each table's retention in batches that each commit on
# their own, stopping cleanly before the Job's deadline.
# UPKEEP_CLEANUP_TABLES: whitespace-separated schema.table:column:days:batch
#
# One session per table runs the batches in a DO block that COMMITs after each
# one. The first batch deletes `batch` rows; every later one is sized from the
# last one's rate to take about UPKEEP_CLEANUP_BATCH_SECONDS, at most 4x the
# last and at most 1,000,000 rows, so a batch that ran slow shrinks the next.
# Batches walk the timestamp index forward from the last value deleted, so no
# batch re-reads the dead index entries of the ones before it.
# Needs PostgreSQL 11+ (COMMIT in DO) and psql 10+ (\gexec).
set -eu
export UPKEEP_TASK=cleanup
# shellcheck source-path=SCRIPTDIR source=common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

# The cutoff and the batch bounds travel as text; ISO in UTC round-trips exactly.
PGTZ=UTC PGDATESTYLE=ISO
export PGTZ PGDATESTYLE
lock_timeout=${UPKEEP_LOCK_TIMEOUT:-5s}
statement_timeout=${UPKEEP_STATEMENT_TIMEOUT:-30s}
batch_seconds=${UPKEEP_CLEANUP_BATCH_SECONDS:-0.25}
deadline=$UPKEEP_DEADLINE_SECONDS
upkeep_require_int UPKEEP_DEADLINE_SECONDS "$deadline"
case $batch_seconds in
'' | *[!0-9.]* | *.*.* | . | .* | *.) bad=1 ;;
*) bad=$(awk -v s="$batch_seconds" 'BEGIN { print (s + 0 < 0.01 || s + 0 > 10) ? 1 : "" }') ;;
esac
[ -z "$bad" ] || upkeep_fail "UPKEEP_CLEANUP_BATCH_SECONDS must be a number of seconds from 0.01 to 10, got '$batch_seconds'"
entries=${UPKEEP_CLEANUP_TABLES:-}
set -f # entries are split on whitespace below, never globbed

is_ident() {
	case $1 in '' | [!a-z_]* | *[!a-z0-9_]*) return 1 ;; esac
}
is_num() { # a count or 0
	upkeep_is_count "$1" || [ "$1" = 0 ]
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
		is_ident "$column" && upkeep_is_count "$days" && upkeep_is_count "$batch"
}

# Validate everything before touching any table.
count=0
for entry in $entries; do
	parse_entry "$entry" || upkeep_fail "malformed UPKEEP_CLEANUP_TABLES entry '$entry':" \
		"expected [schema.]table:column:retentionDays:batchSize with identifiers matching ^[a-z_][a-z0-9_]*\$"
	count=$((count + 1))
done
[ "$count" -gt 0 ] || upkeep_fail "UPKEEP_CLEANUP_TABLES is empty: nothing to clean up"

# One session: the cutoff (computed here from the server clock on the first
# session of a table, then passed back in), then the batches in one DO
# statement, which reports on one INFO line (always sent to the client):
# upkeep-result|status|deleted|batches|largest|slowest ms|next batch|cutoff|error|last value
# (its own batches; "slowest" goes in as the slowest of the whole run).
# SQL goes in on stdin: psql interpolates :variables there, not in -c or in
# dollar quotes. The DO statement carries its inputs in its own text, as JSON
# built by the server and base64-encoded (no value can end its dollar quote),
# so it depends on no session state but statement_timeout, which it checks.
# It creates nothing in the database.
#
# statement_timeout bounds the DO statement as a whole, so the block starts
# batches for at most statement_timeout ("more": the script starts another
# session) and runs under twice that: every batch it starts gets at least
# statement_timeout to finish, as when each batch was its own statement.
session_sql() {
	cat <<'EOF'
SET statement_timeout = :'statement_timeout';
SELECT setting::bigint AS stmt_ms, least(2 * setting::bigint, 2147483647) AS hard_ms,
       CASE WHEN :'cutoff' = '' THEN (now() - make_interval(days => :'days'::int))::text
            ELSE :'cutoff' END AS cutoff
  FROM pg_settings WHERE name = 'statement_timeout' \gset
SET statement_timeout = :hard_ms;
SELECT replace($body$DO $do$
DECLARE
  p jsonb := convert_from(decode(@params@, 'base64'), 'UTF8')::jsonb;
  rel text := CASE p->>'schema' WHEN '' THEN format('%I', p->>'table')
              ELSE format('%I.%I', p->>'schema', p->>'table') END;
  col text := format('%I', p->>'column');
  cutoff text := p->>'cutoff';
  lo text := nullif(p->>'lo', '');
  n bigint := (p->>'next')::bigint;
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
BEGIN
  -- A pooler that hands statements to other sessions would lose the bound.
  IF (SELECT setting FROM pg_settings WHERE name = 'statement_timeout') <> p->>'hard_ms' THEN
    RAISE EXCEPTION 'statement_timeout is % in the session running the batches, not % ms: is a transaction-mode pooler in between?',
      current_setting('statement_timeout'), p->>'hard_ms';
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
      IF lo IS NULL THEN
        -- Where the expired rows start: one descent of the index.
        EXECUTE format('SELECT min(%s) FROM %s WHERE %s < %L', col, rel, col, cutoff) INTO lo;
      ELSIF stuck THEN
        -- No row at lo went last time (a trigger or rule kept them): step over.
        EXECUTE format('SELECT min(%s) FROM %s WHERE %s > %L AND %s < %L', col, rel, col, lo, col, cutoff) INTO lo;
        stuck := false;
      END IF;
      -- The n+1st row from lo bounds this batch: [lo, hi) holds at most n rows.
      -- Bounds are untyped literals, so they take the column's type; every
      -- DELETE repeats "col < cutoff", so no newer row is ever deleted.
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
    EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
      -- Retried by the script after a pause outside any transaction.
      status := 'locked';
      err := SQLERRM;
      EXIT;
    END;
    COMMIT;
    IF lo IS NULL THEN
      status := 'done'; -- nothing (more) older than the cutoff
      EXIT;
    END IF;
    dt := extract(epoch FROM clock_timestamp() - t0);
    deleted := deleted + got;
    batches := batches + 1;
    largest := greatest(largest, got);
    slowest := greatest(slowest, dt);
    IF hi IS NULL THEN
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
    ceil(slowest * 1000)::bigint, n, cutoff, replace(err, '|', '/'), coalesce(lo, ''));
END
$do$
$body$, '@params@', quote_literal(encode(convert_to(json_build_object(
  'schema', :'schema', 'table', :'table', 'column', :'col', 'cutoff', :'cutoff', 'lo', :'lo',
  'next', :'next', 'batch_seconds', :'batch_seconds', 'lock_timeout', :'lock_timeout',
  'left', :'left', 'slowest_ms', :'slowest', 'chunk_ms', :stmt_ms, 'hard_ms', :hard_ms)::text, 'UTF8'), 'base64'))) \gexec
EOF
}

q() {
	upkeep_psql -t -A -v VERBOSITY=verbose -v schema="$schema" -v table="$table" \
		-v col="$column" -v days="$days" -v cutoff="$cutoff" \
		-v lo="$lo" -v next="$next" -v batch_seconds="$batch_seconds" -v left="$1" \
		-v slowest="$slowest" -v lock_timeout="$lock_timeout" -v statement_timeout="$statement_timeout"
}

total=0 slowest=0 summary='' stopped='' skipped='' connected=''
for entry in $entries; do
	parse_entry "$entry"
	if [ -n "$stopped" ]; then
		skipped="$skipped $rel"
		continue
	fi

	# The cutoff comes from the first session of the table, from the server
	# clock, and stays fixed: rows written during the run are always newer.
	cutoff='' lo='' next=$batch deleted=0 batches=0 largest=0 tslowest=0 attempt=1
	while :; do
		left=$((deadline - $(upkeep_elapsed)))
		if [ "$left" -lt $(((2 * slowest + 999) / 1000 + 10)) ]; then
			stopped=1
			break
		fi
		rc=0
		out=$(session_sql | q "$left" 2>&1) || rc=$?
		if [ "$rc" -ne 0 ]; then
			# The first session is also the connection check (no separate round
			# trip): nothing has been deleted when it cannot connect.
			if [ -z "$connected" ] && upkeep_psql_never_connected "$out" "$rc"; then
				upkeep_fail_with "cannot connect to $(upkeep_target)" "$out"
			fi
			upkeep_fail_with "deleting from $rel failed" "$out"
		fi
		connected=1
		line=$(printf '%s\n' "$out" | sed -n 's/^.*upkeep-result|//p' | tail -n 1)
		IFS='|' read -r status d b l s next cutoff err lo <<EOF
$line
EOF
		if ! { is_num "$d" && is_num "$b" && is_num "$l" && is_num "$s" && upkeep_is_count "$next"; }; then
			upkeep_fail_with "unexpected output deleting from $rel" "$out"
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
			# lock released. Three attempts per batch, as before.
			[ "$b" -eq 0 ] || attempt=1
			[ "$attempt" -lt 3 ] || upkeep_fail "deleting from $rel failed after $attempt attempts: $err"
			attempt=$((attempt + 1))
			sleep 2
			;;
		*) upkeep_fail_with "unexpected output deleting from $rel" "$out" ;;
		esac
	done
	total=$((total + deleted))
	summary="$summary${summary:+; }$rel: $deleted in $batches batch(es)"
	[ "$batches" -eq 0 ] || summary="$summary, largest $largest, slowest $tslowest ms"
done

if [ -n "$stopped" ]; then
	[ -z "$skipped" ] || summary="$summary; not started:$skipped"
	upkeep_log "stopped at the deadline after deleting $total row(s) ($summary) in $(upkeep_elapsed) s; the next run continues"
else
	upkeep_log "deleted $total row(s) older than the retention cutoff ($summary) in $(upkeep_elapsed) s"
fi
