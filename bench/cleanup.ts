/**
 * Cleanup throughput against lock safety, on real PostgreSQL 15.
 *
 * For each mode (upkeep's batched cleanup.sh, then one naive DELETE), on a
 * freshly built public.events (see pgdata.ts):
 * 1. a writer starts: one psql process running a DO loop that, every 1 ms,
 *    INSERTs a new row and UPDATEs a random recent row (ids in the newer 40%),
 *    each its own transaction, timing each statement + COMMIT with
 *    clock_timestamp() on the server (so psql/node scheduling is excluded);
 * 2. idle phase: the writer alone, for --idle seconds: the idle p99;
 * 3. run phase: the cleanup runs while the writer goes on;
 * 4. the writer stops and writes its latencies, tagged by phase.
 * Longest transaction: the cleanup runs as role `maint`, which has
 * log_min_duration_statement = 0; the server log (prefix "%n [%p] %a:") is
 * parsed per backend: a transaction runs from its BEGIN's start (log time −
 * duration) to its COMMIT's log time; a statement outside BEGIN…COMMIT is its
 * own transaction. A DO statement may COMMIT inside, which the log cannot
 * show: its transactions come from a sampler, one more psql running a DO loop
 * that reads pg_stat_get_activity() every 5 ms in both phases
 * and, in the run phase, records each maint backend's xact_start. A sampled
 * transaction runs from its xact_start to the first sample that no longer
 * shows it, or the next xact_start of the same backend, or the DO's end,
 * whichever is first: an upper bound, within a sampling interval. WAL:
 * pg_wal_lsn_diff of pg_current_wal_lsn() around the run;
 * the writer's share (its WAL per iteration in the idle phase × its iterations
 * during the run) is subtracted and reported separately. full_page_writes is
 * off on the throwaway server, so WAL excludes full-page images.
 */
import { readFileSync, statSync } from "node:fs";
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startPostgres, type Postgres } from "../test/support/postgres";
import { createEventsTable, oldRows, RETENTION_DAYS } from "./pgdata";
import { log, median, onAbort, percentile, round, runTimed, type Target } from "./util";

const ROOT = resolve(__dirname, "..");
const SCRIPTS = join(ROOT, "components", "scripts");
const DB = "bench";
const MAINT_PW = "maint-bench-pw";
const BATCH = 5000;

export interface CleanupOptions {
  readonly rows: number;
  /** With the index on created_at, or without one: cleanup.sh then walks the heap in block ranges. */
  readonly index: boolean;
  readonly idleSeconds: number;
  /** Runs per mode, alternating the order; one run of a few hundred milliseconds is at the mercy of a noisy machine. */
  readonly repeats: number;
}

export interface CleanupMode {
  readonly mode: "batched" | "naive";
  readonly rowsDeleted: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly transactions: number;
  /** Transactions inside DO statements, seen by the sampler; and how many samples it took in the run phase. */
  readonly sampled: { transactions: number; samples: number };
  readonly longestTransactionMs: number;
  readonly medianTransactionMs: number;
  readonly writer: { idleP99Ms: number; idleMaxMs: number; p99Ms: number; maxMs: number; idleStatements: number; statements: number };
  readonly walBytes: { total: number; writerEstimate: number; cleanup: number };
  readonly check: { oldBefore: number; newerBefore: number; newerAfter: number; oldLeft: number; writerInserted: number; writerRowsLeft: number; ok: boolean };
}

export interface CleanupResult {
  readonly rows: number;
  readonly index: boolean;
  readonly batchSize: number;
  readonly retentionDays: number;
  readonly idleSeconds: number;
  readonly repeats: number;
  /** Per mode, the run with the median rows/s: the table's rows. */
  readonly modes: CleanupMode[];
  /** Every run, per mode, in the order they ran. */
  readonly runs: { readonly batched: CleanupMode[]; readonly naive: CleanupMode[] };
  readonly targets: Target[];
}

/** The run with the median rows/s (the lower middle one for an even count). */
function medianRun(runs: readonly CleanupMode[]): CleanupMode {
  const sorted = [...runs].sort((a, b) => a.rowsPerSecond - b.rowsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

const WRITER_SQL = (lo: number, span: number) => `DO $$
DECLARE
  t0 timestamptz; ph text; v bigint;
  phases text[] := '{}'; kinds text[] := '{}'; lat float8[] := '{}';
BEGIN
  LOOP
    SELECT phase INTO ph FROM bench_ctl;
    EXIT WHEN ph = 'stop';
    t0 := clock_timestamp();
    INSERT INTO public.events (created_at, payload) VALUES (clock_timestamp(), 'writer');
    COMMIT;
    phases := phases || ph; kinds := kinds || 'insert'::text;
    lat := lat || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
    v := ${lo} + floor(random() * ${span})::bigint;
    t0 := clock_timestamp();
    UPDATE public.events SET payload = md5(clock_timestamp()::text) WHERE id = v;
    COMMIT;
    phases := phases || ph; kinds := kinds || 'update'::text;
    lat := lat || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
    PERFORM pg_sleep(0.001);
  END LOOP;
  INSERT INTO bench_latency (phase, kind, ms) SELECT * FROM unnest(phases, kinds, lat);
  COMMIT;
END $$`;

/**
 * Samples the transactions of maint's backends. Runs in both phases (so the
 * writer's idle and run latencies see the same load) and records in the run
 * phase only. COMMIT each round: it clears the statistics snapshot and holds
 * no xmin back.
 */
const SAMPLER_SQL = `DO $$
DECLARE
  maint oid := (SELECT oid FROM pg_roles WHERE rolname = 'maint');
  ph text; i int := 0; t0 timestamptz; t1 timestamptz; r record;
  s_i int[] := '{}'; s_t0 timestamptz[] := '{}'; s_t1 timestamptz[] := '{}';
  b_i int[] := '{}'; b_pid int[] := '{}'; b_x timestamptz[] := '{}';
BEGIN
  LOOP
    SELECT phase INTO ph FROM bench_ctl;
    EXIT WHEN ph = 'stop';
    t0 := clock_timestamp();
    FOR r IN SELECT a.pid, a.xact_start FROM pg_stat_get_activity(NULL) a WHERE a.usesysid = maint LOOP
      IF ph = 'run' THEN b_i := b_i || i; b_pid := b_pid || r.pid; b_x := b_x || r.xact_start; END IF;
    END LOOP;
    t1 := clock_timestamp();
    IF ph = 'run' THEN s_i := s_i || i; s_t0 := s_t0 || t0; s_t1 := s_t1 || t1; END IF;
    i := i + 1;
    COMMIT;
    PERFORM pg_sleep(0.005);
  END LOOP;
  INSERT INTO bench_samples (i, t0, t1) SELECT * FROM unnest(s_i, s_t0, s_t1);
  INSERT INTO bench_sample_backends (i, pid, x) SELECT * FROM unnest(b_i, b_pid, b_x);
  COMMIT;
END $$`;

/** Each sampled transaction: pid, xact_start, and the first time it was seen over (ms since the epoch). */
const SAMPLED_SQL = `WITH g AS (
  SELECT pid, x, max(i) AS last_i FROM bench_sample_backends WHERE x IS NOT NULL GROUP BY pid, x)
SELECT concat_ws(',', g.pid, extract(epoch FROM g.x) * 1000,
  extract(epoch FROM least(
    (SELECT s.t1 FROM bench_samples s WHERE s.i > g.last_i ORDER BY s.i LIMIT 1),
    (SELECT min(b.x) FROM bench_sample_backends b WHERE b.pid = g.pid AND b.x > g.x))) * 1000)
FROM g ORDER BY g.pid, g.x`;

interface Txn {
  readonly pid: string;
  readonly ms: number;
  readonly sampled?: boolean;
}

export interface SampledTxn {
  readonly pid: string;
  /** xact_start, ms since the epoch. */
  readonly start: number;
  /** When it was first seen over, ms since the epoch; undefined when never. */
  readonly end?: number;
}

export function parseSampled(text: string): SampledTxn[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [pid, start, end] = l.split(",");
      return { pid: pid!, start: Number(start), end: end ? Number(end) : undefined };
    });
}

/**
 * Transactions of the logged (maint) sessions in a slice of the server log.
 * A DO statement outside BEGIN…COMMIT is replaced by the sampled transactions
 * of its backend that started while it ran (it may COMMIT inside); when none
 * was sampled, it counts as one transaction of its whole duration.
 */
export function transactionsFromLog(text: string, sampled: readonly SampledTxn[] = []): Txn[] {
  const open = new Map<string, number>();
  const out: Txn[] = [];
  const re = /^(\d+\.\d+) \[(\d+)\] [^:]*: LOG: {2}duration: ([\d.]+) ms {2}statement: (.*)$/;
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    const m = re.exec(line);
    if (!m) continue;
    const end = Number(m[1]) * 1000;
    const pid = m[2]!;
    const dur = Number(m[3]);
    // A statement that starts with a line break continues on the next log line.
    const stmt = (m[4]!.trim() || (lines[i + 1] ?? "")).trim().toUpperCase();
    if (/^(BEGIN|START TRANSACTION)\b/.test(stmt)) open.set(pid, end - dur);
    else if (/^(COMMIT|END|ROLLBACK)\b/.test(stmt)) {
      const start = open.get(pid);
      if (start !== undefined) out.push({ pid, ms: end - start });
      open.delete(pid);
    } else if (!open.has(pid)) {
      const inside = /^DO\b/.test(stmt)
        ? sampled.filter((t) => t.pid === pid && t.start >= end - dur - 1 && t.start <= end + 1)
        : [];
      if (inside.length === 0) out.push({ pid, ms: dur });
      for (const t of inside) out.push({ pid, ms: Math.max(0, Math.min(t.end ?? end + 1, end + 1) - t.start), sampled: true });
    }
  }
  return out;
}

async function lsn(pg: Postgres): Promise<string> {
  return pg.psql("SELECT pg_current_wal_lsn()", DB);
}
async function walDiff(pg: Postgres, a: string, b: string): Promise<number> {
  return Number(await pg.psql(`SELECT pg_wal_lsn_diff('${b}', '${a}')`, DB));
}
const num = async (pg: Postgres, sql: string) => Number(await pg.psql(sql, DB));

async function runMode(pg: Postgres, mode: "batched" | "naive", opts: CleanupOptions, logFile: string): Promise<CleanupMode> {
  const { rows } = opts;
  const old = oldRows(rows);
  const what = opts.index ? "cleanup" : "cleanup (no index)";
  log(`${what} ${mode}: building ${rows} rows`);
  await createEventsTable(pg, DB, rows, "maint", opts.index);
  await pg.psql(
    `DROP TABLE IF EXISTS bench_ctl, bench_latency;
     CREATE TABLE bench_ctl (phase text NOT NULL); INSERT INTO bench_ctl VALUES ('warmup');
     CREATE TABLE bench_latency (phase text, kind text, ms float8);
     DROP TABLE IF EXISTS bench_samples, bench_sample_backends;
     CREATE TABLE bench_samples (i int, t0 timestamptz, t1 timestamptz);
     CREATE TABLE bench_sample_backends (i int, pid int, x timestamptz);
     CHECKPOINT;`,
    DB,
  );
  const cutoffSql = `now() - interval '${RETENTION_DAYS} days'`;
  const oldBefore = await num(pg, `SELECT count(*) FROM public.events WHERE created_at < ${cutoffSql}`);
  const newerBefore = await num(pg, `SELECT count(*) FROM public.events WHERE created_at >= ${cutoffSql}`);
  if (oldBefore !== old) throw new Error(`expected ${old} rows older than the cutoff, found ${oldBefore}`);

  const writer = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", WRITER_SQL(old + 1, rows - old)], {
    env: { PATH: process.env.PATH ?? "", ...pg.connEnv(pg.superuser, pg.password, DB), PGAPPNAME: "bench-writer" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let writerErr = "";
  writer.stderr!.on("data", (d) => (writerErr += d));
  const writerDone = new Promise<number | null>((r) => writer.once("close", r));
  const sampler = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", SAMPLER_SQL], {
    env: { PATH: process.env.PATH ?? "", ...pg.connEnv(pg.superuser, pg.password, DB), PGAPPNAME: "bench-sampler" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let samplerErr = "";
  sampler.stderr!.on("data", (d) => (samplerErr += d));
  const samplerDone = new Promise<number | null>((r) => sampler.once("close", r));
  const setPhase = (p: string) => pg.psql(`UPDATE bench_ctl SET phase = '${p}'`, DB);
  try {
    await sleep(500); // connection and plan caches warm, outside both phases
    const idleLsn0 = await lsn(pg);
    await setPhase("idle");
    await sleep(opts.idleSeconds * 1000);
    await setPhase("run");
    const idleLsn1 = await lsn(pg);
    const logOffset = statSync(logFile).size;

    const env = { PATH: `${process.env.PATH}`, HOME: "/tmp", ...pg.connEnv("maint", MAINT_PW, DB) };
    log(`${what} ${mode}: running`);
    const ran =
      mode === "batched"
        ? await runTimed("sh", [join(SCRIPTS, "cleanup.sh")], {
            env: { ...env, UPKEEP_CLEANUP_TABLES: `public.events:created_at:${RETENTION_DAYS}:${BATCH}`, UPKEEP_DEADLINE_SECONDS: "3600" },
          })
        : await runTimed("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `DELETE FROM public.events WHERE created_at < ${cutoffSql}`], {
            env: { ...env, PGAPPNAME: "bench-naive" },
          });
    const runLsn1 = await lsn(pg);
    if (ran.code !== 0) throw new Error(`${mode} cleanup failed (${ran.code}): ${ran.stderr}${ran.stdout}`);
    if (mode === "batched") log(`${what} ${mode}: ${ran.stdout.split("\n")[0]}`);
    await sleep(200);
    await setPhase("stop");
    const code = await writerDone;
    if (code !== 0) throw new Error(`the writer failed (${code}): ${writerErr}`);
    const samplerCode = await samplerDone;
    if (samplerCode !== 0) throw new Error(`the sampler failed (${samplerCode}): ${samplerErr}`);

    const sampled = parseSampled(await pg.psql(SAMPLED_SQL, DB));
    const samples = await num(pg, "SELECT count(*) FROM bench_samples");
    const txns = transactionsFromLog(readFileSync(logFile).subarray(logOffset).toString("utf8"), sampled);
    const lat = (phase: string) => pg.psql(`SELECT coalesce(string_agg(ms::text, ','), '') FROM bench_latency WHERE phase = '${phase}'`, DB).then((s) => (s ? s.split(",").map(Number) : []));
    const idle = await lat("idle");
    const run = await lat("run");
    const idleIterations = idle.length / 2;
    const runIterations = run.length / 2;
    const idleWal = await walDiff(pg, idleLsn0, idleLsn1);
    const totalWal = await walDiff(pg, idleLsn1, runLsn1);
    const writerEstimate = idleIterations > 0 ? Math.round((idleWal / idleIterations) * runIterations) : 0;

    const oldLeft = await num(pg, `SELECT count(*) FROM public.events WHERE id <= ${rows} AND created_at < ${cutoffSql}`);
    const newerAfter = await num(pg, `SELECT count(*) FROM public.events WHERE id <= ${rows} AND created_at >= ${cutoffSql}`);
    const writerInserted = await num(pg, "SELECT count(*) FROM bench_latency WHERE kind = 'insert'");
    const writerRowsLeft = await num(pg, `SELECT count(*) FROM public.events WHERE id > ${rows}`);
    const rowsDeleted = oldBefore - oldLeft;
    const seconds = ran.ms / 1000;
    const result: CleanupMode = {
      mode,
      rowsDeleted,
      seconds: round(seconds, 3),
      rowsPerSecond: Math.round(rowsDeleted / seconds),
      transactions: txns.length,
      sampled: { transactions: txns.filter((t) => t.sampled).length, samples },
      longestTransactionMs: round(Math.max(0, ...txns.map((t) => t.ms)), 1),
      medianTransactionMs: round(median(txns.map((t) => t.ms)), 1),
      writer: {
        idleP99Ms: round(percentile(idle, 99), 3),
        idleMaxMs: round(Math.max(...idle), 3),
        p99Ms: round(percentile(run, 99), 3),
        maxMs: round(Math.max(...run), 3),
        idleStatements: idle.length,
        statements: run.length,
      },
      walBytes: { total: totalWal, writerEstimate, cleanup: Math.max(0, totalWal - writerEstimate) },
      check: {
        oldBefore,
        newerBefore,
        newerAfter,
        oldLeft,
        writerInserted,
        writerRowsLeft,
        ok: newerAfter === newerBefore && writerRowsLeft === writerInserted && oldLeft === 0,
      },
    };
    log(`${what} ${mode}: ${rowsDeleted} rows in ${result.seconds} s, longest txn ${result.longestTransactionMs} ms, writer p99 ${result.writer.p99Ms} ms (idle ${result.writer.idleP99Ms} ms)`);
    return result;
  } finally {
    await setPhase("stop").catch(() => {});
    for (const [child, done] of [[writer, writerDone], [sampler, samplerDone]] as const) {
      if (child.exitCode === null && child.signalCode === null) {
        const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await done;
        clearTimeout(t);
      }
    }
  }
}

export async function runCleanupBench(opts: CleanupOptions): Promise<CleanupResult> {
  log("cleanup: starting PostgreSQL 15");
  const pg = await startPostgres();
  const unregister = onAbort(() => pg.stop());
  try {
    const dataDir = await pg.psql("SHOW data_directory");
    const logFile = join(dirname(dataDir), "log");
    await pg.psql(`ALTER SYSTEM SET log_line_prefix = '%n [%p] %a: '`);
    await pg.psql("SELECT pg_reload_conf()");
    await pg.psql(`CREATE ROLE maint LOGIN PASSWORD '${MAINT_PW}'`);
    await pg.psql("ALTER ROLE maint SET log_min_duration_statement = 0");
    await pg.psql(`CREATE DATABASE ${DB}`);
    const runs = { batched: [] as CleanupMode[], naive: [] as CleanupMode[] };
    for (let i = 0; i < opts.repeats; i++) {
      // Alternate the order so drift on a noisy machine hits both alike.
      for (const mode of i % 2 === 0 ? (["batched", "naive"] as const) : (["naive", "batched"] as const)) {
        runs[mode].push(await runMode(pg, mode, opts, logFile));
      }
    }
    const b = medianRun(runs.batched);
    const n = medianRun(runs.naive);
    const writerRatio = median(runs.batched.map((r) => r.writer.p99Ms / r.writer.idleP99Ms));
    const longest = Math.max(...runs.batched.map((r) => r.longestTransactionMs));
    const newerDeleted = runs.batched.reduce((sum, r) => sum + (r.check.newerBefore - r.check.newerAfter), 0);
    const name = opts.index ? "cleanup" : "cleanup without an index";
    const targets: Target[] = [
      { benchmark: `${name} batched/naive throughput`, value: round(b.rowsPerSecond / n.rowsPerSecond), unit: "×", target: "≥ 0.5", ok: b.rowsPerSecond >= 0.5 * n.rowsPerSecond },
      { benchmark: `${name} longest batch transaction (any run)`, value: longest, unit: "ms", target: "≤ 1000", ok: longest <= 1000 },
      { benchmark: `${name} writer p99 batched/idle`, value: round(writerRatio), unit: "×", target: "≤ 2", ok: writerRatio <= 2 },
      { benchmark: `${name} no newer row deleted (all runs)`, value: newerDeleted, unit: "rows", target: "= 0", ok: runs.batched.every((r) => r.check.ok) },
    ];
    return { rows: opts.rows, index: opts.index, batchSize: BATCH, retentionDays: RETENTION_DAYS, idleSeconds: opts.idleSeconds, repeats: opts.repeats, modes: [b, n], runs, targets };
  } finally {
    unregister();
    await pg.stop();
  }
}
