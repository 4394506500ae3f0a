// Dump verification end to end against real PostgreSQL 15: a "production"
// server (startPostgres) makes real pg_dump -Fc and -Fd dumps into a local
// directory that a fake `aws` first on PATH serves as the bucket, so the real
// dump-fetch.sh runs its real listing and copy logic; the real
// scratch-postgres.sh runs as a non-root user on a free loopback port; and
// dump-verify.sh restores into it, as the pod runs them: `sh script.sh`,
// input only through the environment. Plus the pure pieces of
// components/jobs/dumpVerification.ts and the cronjob.ts pod extension.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, startPostgres, type Postgres } from "./support/postgres";
import { outcomeOf, startScript, until } from "./support/scripts";
import { startPushgateway, type Server as Gateway } from "./support/monitoring";
import { assertPushedAsRecorded } from "./support/record";
import { installFakeAws, QUERY } from "./support/fakeAws";
import {
  dumpReaderPolicy,
  dumpVerificationPod,
  encodeChecks,
  type DumpCheck,
  type DumpConfig,
} from "../components/jobs/dumpVerification";
import { irsaTrustPolicy } from "../components/jobs/awsAccess";
import { buildCronJob, buildServiceAccount, type CronJobInputs } from "../components/kubernetes/cronjob";
import type { MaintenanceTask } from "../components/tasks/maintenanceTasks";
import { TIER_DEFAULTS } from "../components/config/tiers";

const run = promisify(execFile);
const SCRIPTS = join(__dirname, "..", "components", "scripts");
const PG_BIN = process.env.UPKEEP_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const asRoot = process.getuid?.() === 0;
const BUCKET = "acme-dumps";

const work = mkdtempSync(join(tmpdir(), "upkeep-dumps-"));
chmodSync(work, 0o755); // the scratch server's user must reach its directory
const s3root = join(work, "s3");
const bucketDir = join(s3root, BUCKET);
const bin = join(work, "bin");
let prod: Postgres;
let scratch: { port: number; data: string; proc: ChildProcess; log: () => string };

// ---------------------------------------------------------------- helpers
interface Run { code: number; stdout: string; stderr: string }

function sh(script: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile("sh", [join(SCRIPTS, script)], { env: { PATH: `${bin}:${PG_BIN}:${process.env.PATH}`, HOME: "/tmp", ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const scratchEnv = () => ({ PGHOST: "127.0.0.1", PGPORT: String(scratch.port), PGUSER: "postgres", PGDATABASE: "postgres" });
const scratchSql = async (sql: string, db = "postgres") =>
  (await run("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], { env: { PATH: process.env.PATH ?? "", ...scratchEnv() } })).stdout.trim();

/**
 * The verdict from a run's outcome line (the only JSON line, the last on
 * stdout): its figures (dump, ageHours, restoreSeconds, checks, verdict) and
 * the outcome's reason. The outcome is success exactly when the verdict is pass.
 */
function judged(stdout: string): Record<string, unknown> {
  const { outcome } = outcomeOf(stdout);
  assert.equal(outcome.kind, "dump-verify");
  assert.equal(outcome.outcome, (outcome.figures as { verdict: string }).verdict === "pass" ? "success" : "failed");
  return { ...outcome.figures, reason: outcome.reason };
}

let cases = 0;
interface Verified { fetch: Run; verify?: Run; json?: Record<string, unknown>; dumpDir: string; awsCalls: string[][] }

/** dump-fetch.sh then, if it succeeded, dump-verify.sh: the pod's two steps. Checks as a string go to UPKEEP_DUMP_CHECKS as they are. */
async function verifyDump(prefix: string, format: "custom" | "directory", maxAgeHours: number, checks: readonly DumpCheck[] | string, env: Record<string, string> = {}): Promise<Verified> {
  const caseDir = join(work, `case-${++cases}`);
  const dumpDir = join(caseDir, "dump");
  mkdirSync(dumpDir, { recursive: true });
  const log = join(caseDir, "aws.log");
  const common = { UPKEEP_DUMP_LOCATION: `s3://${BUCKET}/${prefix}`, UPKEEP_DUMP_FORMAT: format, UPKEEP_DUMP_DIR: dumpDir, ...env };
  const fetch = await sh("dump-fetch.sh", { ...common, FAKE_S3_ROOT: s3root, FAKE_AWS_LOG: log });
  const awsCalls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]) : [];
  if (fetch.code !== 0) return { fetch, dumpDir, awsCalls };
  const verify = await sh("dump-verify.sh", {
    ...common,
    ...scratchEnv(),
    UPKEEP_DUMP_MAX_AGE_HOURS: String(maxAgeHours),
    UPKEEP_RESTORE_JOBS: "2",
    UPKEEP_DUMP_CHECKS: typeof checks === "string" ? checks : encodeChecks(checks),
  });
  return { fetch, verify, json: judged(verify.stdout), dumpDir, awsCalls };
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
/** Set mtime (the fake's LastModified) of a file, or of every file in a directory. */
function age(path: string, when: Date): void {
  const files = statSync(path).isDirectory() ? readdirSync(path).map((f) => join(path, f)) : [path];
  for (const f of files) utimesSync(f, when, when);
}

async function pgDump(format: "c" | "d", target: string): Promise<void> {
  await run(join(PG_BIN, "pg_dump"), [`-F${format}`, ...(format === "d" ? ["-j", "2"] : []), "-f", target], {
    env: { PATH: process.env.PATH ?? "", ...prod.connEnv(prod.superuser, prod.password, "orders") },
  });
}

async function startScratch(): Promise<typeof scratch> {
  const dir = join(work, "scratch");
  mkdirSync(dir);
  if (asRoot) await run("chown", ["postgres:", dir]);
  const data = join(dir, "data");
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const env = [`PATH=${PG_BIN}:${process.env.PATH}`, "HOME=/tmp", `PGDATA=${data}`, `PGPORT=${port}`];
    const cmd = ["env", "-i", ...env, "sh", join(SCRIPTS, "scratch-postgres.sh")];
    // initdb and postgres refuse root: the sidecar runs as the image's postgres user.
    const proc = asRoot ? spawn("runuser", ["-u", "postgres", "--", ...cmd], { stdio: ["ignore", "pipe", "pipe"] }) : spawn(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout!.on("data", (d) => (out += d));
    proc.stderr!.on("data", (d) => (out += d));
    for (let i = 0; i < 150 && proc.exitCode === null; i++) {
      // The pod's startupProbe, the same command.
      if (spawnSync(join(PG_BIN, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres"]).status === 0) {
        return { port, data, proc, log: () => out };
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    proc.kill("SIGKILL");
    if (attempt >= 3) throw new Error(`scratch-postgres.sh did not start:\n${out}`);
  }
}

async function stopScratch(): Promise<void> {
  if (!scratch) return;
  // postgres is the exec'd script; runuser may not forward signals, so ask the postmaster itself.
  const pidFile = join(scratch.data, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    try { process.kill(pid, "SIGINT"); } catch { /* already gone */ }
  }
  if (scratch.proc.exitCode === null) await new Promise((r) => { scratch.proc.once("exit", r); setTimeout(r, 10_000); });
}

const GOOD_CHECKS: DumpCheck[] = [
  { table: "public.orders", minRows: 1000 },
  { table: "billing.invoices", minRows: 50 },
  { sql: "SELECT count(*) = 10 FROM public.customers" },
];
const GOOD_RESULTS = [
  { check: "public.orders >= 1000 rows", ok: true, detail: "1234 rows" },
  { check: "billing.invoices >= 50 rows", ok: true, detail: "50 rows" },
  { check: "SELECT count(*) = 10 FROM public.customers", ok: true, detail: "true" },
];

// ---------------------------------------------------------------- real restores
describe("dump verification against real PostgreSQL 15", () => {
  let gateway: Gateway;
  /** The task env of a run whose outcome is pushed too. */
  const recorded = (task: string) => ({ UPKEEP_TASK: task, UPKEEP_ENVIRONMENT: "prod", UPKEEP_PUSHGATEWAY_URL: gateway.url });
  const pushed = (r: Verified) => assertPushedAsRecorded(gateway.url, outcomeOf(r.verify!.stdout).outcome);

  before(async () => {
    gateway = await startPushgateway();
    mkdirSync(bin);
    installFakeAws(bin);
    mkdirSync(bucketDir, { recursive: true });

    // Both at once; keep whichever started, so `after` stops it even if the other failed.
    const [pg, sc] = await Promise.allSettled([startPostgres(), startScratch()]);
    if (pg.status === "fulfilled") prod = pg.value;
    if (sc.status === "fulfilled") scratch = sc.value;
    for (const r of [pg, sc]) if (r.status === "rejected") throw r.reason;
    await prod.psql("CREATE DATABASE orders");
    await prod.psql(`CREATE TABLE public.orders (id bigint PRIMARY KEY, total numeric NOT NULL);
      INSERT INTO public.orders SELECT g, CASE WHEN g % 500 = 0 THEN -1 ELSE g END FROM generate_series(1, 1234) g;
      CREATE TABLE public.customers (id int PRIMARY KEY, name text);
      INSERT INTO public.customers SELECT g, 'c' || g FROM generate_series(1, 10) g;
      CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int);
      INSERT INTO billing.invoices SELECT generate_series(1, 50);`, "orders");

    const mk = (p: string) => { mkdirSync(join(bucketDir, p), { recursive: true }); return join(bucketDir, p); };
    // custom: a good newest dump beside an older broken one, so picking the newest matters.
    await pgDump("c", join(mk("custom"), "orders-2.dump"));
    writeFileSync(join(bucketDir, "custom", "orders-1.dump"), "not a dump");
    age(join(bucketDir, "custom", "orders-1.dump"), hoursAgo(5));
    age(join(bucketDir, "custom", "orders-2.dump"), hoursAgo(1));
    // A sibling prefix that must not be listed: newer than everything.
    writeFileSync(join(mk("custom-other"), "newer.dump"), "not a dump");
    // truncated: the good dump cut to 60%.
    await pgDump("c", join(mk("truncated"), "orders.dump"));
    const t = join(bucketDir, "truncated", "orders.dump");
    truncateSync(t, Math.floor(statSync(t).size * 0.6));
    // old: a good dump 30 hours old.
    await pgDump("c", join(mk("old"), "orders.dump"));
    age(join(bucketDir, "old", "orders.dump"), hoursAgo(30));
    // directory: two dumps, the newer good one in the middle of the key order.
    await pgDump("d", join(mk("dir"), "2024-02"));
    await pgDump("d", join(bucketDir, "dir", "2024-01"));
    await pgDump("d", join(bucketDir, "dir", "2024-03"));
    for (const f of readdirSync(join(bucketDir, "dir", "2024-01"))) if (f.endsWith(".gz")) writeFileSync(join(bucketDir, "dir", "2024-01", f), "garbage");
    age(join(bucketDir, "dir", "2024-01"), hoursAgo(10));
    age(join(bucketDir, "dir", "2024-02"), hoursAgo(2));
    age(join(bucketDir, "dir", "2024-03"), hoursAgo(8));
    // dir-corrupt: the newest directory dump's table data overwritten.
    await pgDump("d", join(mk("dir-corrupt"), "d1"));
    for (const f of readdirSync(join(bucketDir, "dir-corrupt", "d1"))) {
      const p = join(bucketDir, "dir-corrupt", "d1", f);
      // Keep the gzip header, scramble the deflate stream after it.
    if (f.endsWith(".dat.gz") && statSync(p).size > 100) {
      const b = readFileSync(p);
      for (let i = 20; i < b.length - 8; i++) b[i] = (i * 131) & 0xff;
      writeFileSync(p, b);
    }
    }
    mk("empty");
    writeFileSync(join(mk("empty-not"), "x.dump"), "not under empty/");
    // sums: the dump's checksum uploaded after it, as the backup job does.
    await pgDump("c", join(mk("sums"), "orders.dump"));
    writeFileSync(join(bucketDir, "sums", "orders.dump.sha256"), "0123  orders.dump\n");
    age(join(bucketDir, "sums", "orders.dump"), hoursAgo(2));
    age(join(bucketDir, "sums", "orders.dump.sha256"), hoursAgo(1));
    // mixed: the dumps are *.dump; something newer that is not one beside them.
    await pgDump("c", join(mk("mixed"), "a-orders.dump"));
    writeFileSync(join(bucketDir, "mixed", "b-orders.pgdump"), "not a dump");
    age(join(bucketDir, "mixed", "a-orders.dump"), hoursAgo(3));
    age(join(bucketDir, "mixed", "b-orders.pgdump"), hoursAgo(1));
    // future: stamped two hours ahead of this clock.
    await pgDump("c", join(mk("future"), "orders.dump"));
    age(join(bucketDir, "future", "orders.dump"), hoursAgo(-2));
    // slow: restoring it takes about 3 s, an index whose expression sleeps 0.3 s a row.
    await prod.psql("CREATE DATABASE slow");
    await prod.psql(`CREATE FUNCTION slow_id(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 FROM pg_sleep(0.3)';
      CREATE TABLE s (id int); INSERT INTO s SELECT generate_series(1, 10); CREATE INDEX ON s (slow_id(id));`, "slow");
    await run(join(PG_BIN, "pg_dump"), ["-Fc", "-f", join(mk("slow"), "slow.dump")], {
      env: { PATH: process.env.PATH ?? "", ...prod.connEnv(prod.superuser, prod.password, "slow") },
    });
  });

  after(async () => {
    await stopScratch();
    await prod?.stop();
    await gateway?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test("the scratch server comes with an empty database verify; the first verification restores into it, a later one into a new one", async () => {
    const oid = () => scratchSql("SELECT oid FROM pg_database WHERE datname = 'verify'");
    const comment = () => scratchSql("SELECT coalesce(shobj_description(oid, 'pg_database'), '(none)') FROM pg_database WHERE datname = 'verify'");
    assert.equal(await scratchSql("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace", "verify"), "0");
    assert.equal(await comment(), "(none)");
    const made = await oid();
    const first = await verifyDump("custom/", "custom", 26, GOOD_CHECKS);
    assert.equal(first.verify!.code, 0, first.verify!.stderr);
    assert.equal(await oid(), made, "the sidecar's database, not a new one");
    assert.equal(await comment(), "upkeep dump-verify: restore started");
    const second = await verifyDump("custom/", "custom", 26, GOOD_CHECKS);
    assert.equal(second.verify!.code, 0, second.verify!.stderr);
    assert.notEqual(await oid(), made, "a used database is made anew");
    assert.equal(await scratchSql("SELECT count(*) FROM public.orders", "verify"), "1234");
  });

  test("a scratch server that never accepts connections fails after UPKEEP_SCRATCH_WAIT_SECONDS, with one line", async () => {
    const dumpDir = join(work, "no-server", "dump");
    mkdirSync(dumpDir, { recursive: true });
    const common = { UPKEEP_DUMP_LOCATION: `s3://${BUCKET}/custom/`, UPKEEP_DUMP_FORMAT: "custom", UPKEEP_DUMP_DIR: dumpDir };
    const fetched = await sh("dump-fetch.sh", { ...common, FAKE_S3_ROOT: s3root, FAKE_AWS_LOG: join(work, "no-server", "aws.log") });
    assert.equal(fetched.code, 0, fetched.stderr);
    const port = String(await freePort());
    const env = { ...common, ...scratchEnv(), PGPORT: port, UPKEEP_DUMP_MAX_AGE_HOURS: "26", UPKEEP_DUMP_CHECKS: encodeChecks(GOOD_CHECKS) };
    const r = await sh("dump-verify.sh", { ...env, UPKEEP_SCRATCH_WAIT_SECONDS: "2" });
    const reason = `the scratch server 127.0.0.1:${port}/postgres as postgres did not accept connections within 2 s`;
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `upkeep dump-verify: dump verification failed for s3://${BUCKET}/custom/orders-2.dump: ${reason}\n`);
    const { ageHours, ...rest } = judged(r.stdout);
    assert.equal(typeof ageHours, "number");
    assert.deepEqual(rest, { dump: `s3://${BUCKET}/custom/orders-2.dump`, restoreSeconds: null, checks: [], verdict: "fail", reason });
    const bad = await sh("dump-verify.sh", { ...env, UPKEEP_SCRATCH_WAIT_SECONDS: "0" });
    assert.equal(bad.stderr, "upkeep dump-verify: dump verification failed: UPKEEP_SCRATCH_WAIT_SECONDS must be a positive integer, got '0'\n");
  });

  test("a fresh custom dump passes and reports each check; fetch takes the newest object under the prefix", async () => {
    const r = await verifyDump("custom/", "custom", 26, GOOD_CHECKS, recorded("orders-dump-verify"));
    assert.equal(r.fetch.code, 0, r.fetch.stderr);
    assert.match(r.fetch.stdout, /^upkeep dump-fetch: fetched s3:\/\/acme-dumps\/custom\/orders-2\.dump \(last modified \S+\) in \d+ s\n$/);
    assert.equal(r.verify!.code, 0, r.verify!.stderr);
    assert.equal(r.verify!.stderr, "");
    const { ageHours, restoreSeconds, ...rest } = r.json!;
    assert.deepEqual(rest, { dump: `s3://${BUCKET}/custom/orders-2.dump`, checks: GOOD_RESULTS, verdict: "pass", reason: null });
    assert.equal(typeof ageHours, "number");
    assert.ok(Math.abs((ageHours as number) - 1) < 0.05, `ageHours ${ageHours}`);
    assert.equal(typeof restoreSeconds, "number");
    // The exact calls: credentials never in the arguments, only IRSA's environment.
    assert.deepEqual(r.awsCalls, [
      ["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "custom/", "--query", QUERY, "--output", "text"],
      ["s3", "cp", "--only-show-errors", "--no-progress", `s3://${BUCKET}/custom/orders-2.dump`, join(r.dumpDir, "dump")],
    ]);
    const meta = readFileSync(join(r.dumpDir, ".meta"), "utf8");
    const mtime = Math.floor(statSync(join(bucketDir, "custom", "orders-2.dump")).mtimeMs / 1000);
    assert.equal(meta, `uri=s3://${BUCKET}/custom/orders-2.dump\nlast_modified=${mtime}\n`);
    assert.equal(await scratchSql("SELECT count(*) FROM public.orders", "verify"), "1234");
    // The same outcome, as the record's gauges: the age in seconds, the restore time, each check.
    await pushed(r);
  });

  test("a fresh directory dump passes, restored in parallel, from the directory with the newest toc.dat", async () => {
    const r = await verifyDump("dir/", "directory", 26, GOOD_CHECKS);
    assert.equal(r.fetch.code, 0, r.fetch.stderr);
    assert.equal(r.verify!.code, 0, r.verify!.stderr);
    const { ageHours, restoreSeconds, ...rest } = r.json!;
    assert.deepEqual(rest, { dump: `s3://${BUCKET}/dir/2024-02/`, checks: GOOD_RESULTS, verdict: "pass", reason: null });
    assert.ok(Math.abs((ageHours as number) - 2) < 0.05, `ageHours ${ageHours}`);
    assert.equal(typeof restoreSeconds, "number");
    assert.deepEqual(r.awsCalls, [
      ["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "dir/", "--query", QUERY, "--output", "text"],
      ["s3", "cp", "--only-show-errors", "--no-progress", "--recursive", `s3://${BUCKET}/dir/2024-02/`, join(r.dumpDir, "dump/")],
    ]);
    assert.ok(existsSync(join(r.dumpDir, "dump", "toc.dat")));
  });

  test("a truncated custom dump fails while restoring, with pg_restore's reason", async () => {
    const r = await verifyDump("truncated/", "custom", 26, GOOD_CHECKS);
    assert.equal(r.verify!.code, 1);
    const j = r.json!;
    assert.equal(j.verdict, "fail");
    assert.deepEqual(j.checks, []);
    assert.equal(typeof j.restoreSeconds, "number");
    assert.equal(j.reason, "restore failed: could not read from input file: end of file");
    assert.equal(r.verify!.stderr, `upkeep dump-verify: dump verification failed for s3://${BUCKET}/truncated/orders.dump: ${j.reason}\n`);
  });

  test("a corrupted directory dump fails while restoring, with pg_restore's reason", async () => {
    const r = await verifyDump("dir-corrupt/", "directory", 26, GOOD_CHECKS);
    assert.equal(r.verify!.code, 1);
    const j = r.json!;
    assert.equal(j.verdict, "fail");
    assert.deepEqual(j.checks, []);
    assert.match(String(j.reason), /^restore failed: could not read from input file: \/\S+\/dump\/\d+\.dat\.gz: \S.*$/);
    assert.match(r.verify!.stderr, /^upkeep dump-verify: dump verification failed for s3:\/\/acme-dumps\/dir-corrupt\/d1\/: restore failed: .+\n$/);
  });

  test("a dump older than maxAgeHours fails on age, before restoring", async () => {
    await scratchSql("DROP DATABASE IF EXISTS verify");
    const r = await verifyDump("old/", "custom", 26, GOOD_CHECKS);
    assert.equal(r.verify!.code, 1);
    const { ageHours, ...rest } = r.json!;
    assert.ok(Math.abs((ageHours as number) - 30) < 0.05, `ageHours ${ageHours}`);
    assert.deepEqual(rest, {
      dump: `s3://${BUCKET}/old/orders.dump`,
      restoreSeconds: null,
      checks: [],
      verdict: "fail",
      reason: `the dump is ${(ageHours as number).toFixed(2)} hours old, older than maxAgeHours 26`,
    });
    assert.match(r.verify!.stderr, /^upkeep dump-verify: dump verification failed for s3:\/\/acme-dumps\/old\/orders\.dump: the dump is 30\.\d\d hours old, older than maxAgeHours 26\n$/);
    assert.equal(await scratchSql("SELECT count(*) FROM pg_database WHERE datname = 'verify'"), "0", "no restore was attempted");
  });

  test("an unmet minRows fails, naming the table and the counts; a failing SQL check shows the query; every check still runs", async () => {
    const failingSql = "SELECT count(*) = 0 FROM public.orders WHERE total < 0";
    const r = await verifyDump("custom/", "custom", 26, [
      { table: "public.customers", minRows: 1000 },
      { sql: failingSql },
      { table: "orders", minRows: 1 },
      { sql: "SELECT 1 FROM public.orders LIMIT 2" },
      { table: "public.missing", minRows: 0 },
    ], recorded("failed-checks-dump-verify"));
    assert.equal(r.verify!.code, 1);
    const j = r.json!;
    assert.equal(j.verdict, "fail");
    assert.deepEqual(j.checks, [
      { check: "public.customers >= 1000 rows", ok: false, detail: "10 rows" },
      { check: failingSql, ok: false, detail: "returned false" },
      { check: "orders >= 1 rows", ok: true, detail: "1234 rows" },
      { check: "SELECT 1 FROM public.orders LIMIT 2", ok: false, detail: "returned 2 rows" },
      { check: "public.missing >= 0 rows", ok: false, detail: 'relation "public.missing" does not exist' },
    ]);
    const reason = [
      "public.customers has 10 rows, fewer than the 1000 required",
      `SQL check failed: ${failingSql}: returned false`,
      "SQL check failed: SELECT 1 FROM public.orders LIMIT 2: returned 2 rows",
      'public.missing: relation "public.missing" does not exist',
    ].join("; ");
    assert.equal(j.reason, reason);
    assert.equal(r.verify!.stderr, `upkeep dump-verify: dump verification failed for s3://${BUCKET}/custom/orders-2.dump: ${reason}\n`);
    await pushed(r);
  });

  test("SQL with quotes, backslashes and newlines survives the env and the JSON line", async () => {
    const sql = "SELECT 'a\"b\\\\c' <> ''\n  AND true";
    const r = await verifyDump("custom/", "custom", 26, [{ sql }], recorded("quoted-dump-verify"));
    assert.equal(r.verify!.code, 0, r.verify!.stdout + r.verify!.stderr);
    assert.deepEqual(r.json!.checks, [{ check: sql, ok: true, detail: "true" }]);
    // The check is a label value: its quotes, backslashes and newline escaped in the push.
    await pushed(r);
  });

  test("all checks share one session, yet each reports its own result: malformed lines, an error and a short table beside passing checks", async () => {
    const raw = [
      '{"table":"public.orders","minRows":1000}',
      "not json",
      "",
      '{"table":"public.orders"}',
      '{"sql":"SELECT 1/0"}',
      '{"table":"billing.invoices","minRows":51}',
      '{"sql":"SELECT count(*) = 10 FROM public.customers"}',
      "",
    ].join("\n");
    const r = await verifyDump("custom/", "custom", 26, raw);
    assert.equal(r.verify!.code, 1);
    const j = r.json!;
    assert.equal(j.verdict, "fail");
    assert.deepEqual(j.checks, [
      { check: "public.orders >= 1000 rows", ok: true, detail: "1234 rows" },
      { check: "not json", ok: false, detail: "invalid input syntax for type json" },
      { check: '{"table":"public.orders"}', ok: false, detail: 'expected {"table","minRows"} or {"sql"}' },
      { check: "SELECT 1/0", ok: false, detail: "division by zero" },
      { check: "billing.invoices >= 51 rows", ok: false, detail: "50 rows" },
      { check: "SELECT count(*) = 10 FROM public.customers", ok: true, detail: "true" },
    ]);
    const reason = [
      "malformed check: not json",
      'malformed check: {"table":"public.orders"}',
      "SQL check failed: SELECT 1/0: division by zero",
      "billing.invoices has 50 rows, fewer than the 51 required",
    ].join("; ");
    assert.equal(j.reason, reason);
    assert.equal(r.verify!.stderr, `upkeep dump-verify: dump verification failed for s3://${BUCKET}/custom/orders-2.dump: ${reason}\n`);
  });

  test("each check is rolled back: none changes the restored data or the settings the next check sees", async () => {
    const r = await verifyDump("custom/", "custom", 26, [
      { sql: "WITH d AS (DELETE FROM public.customers RETURNING 1) SELECT count(*) = 10 FROM d" },
      { table: "public.customers", minRows: 10 },
      { sql: "SELECT set_config('search_path', 'billing', false) = 'billing'" },
      { table: "invoices", minRows: 1 },
    ]);
    assert.equal(r.verify!.code, 1);
    assert.deepEqual(r.json!.checks, [
      { check: "WITH d AS (DELETE FROM public.customers RETURNING 1) SELECT count(*) = 10 FROM d", ok: true, detail: "true" },
      { check: "public.customers >= 10 rows", ok: true, detail: "10 rows" },
      { check: "SELECT set_config('search_path', 'billing', false) = 'billing'", ok: true, detail: "true" },
      { check: "invoices >= 1 rows", ok: false, detail: 'relation "invoices" does not exist' },
    ]);
    assert.equal(r.json!.reason, 'invoices: relation "invoices" does not exist');
    assert.equal(await scratchSql("SELECT count(*) FROM public.customers", "verify"), "10");
  });

  test("an SQL check's value reads as psql prints it", async () => {
    const r = await verifyDump("custom/", "custom", 26, [
      { sql: "SELECT 42" },
      { sql: "SELECT 'x', true, NULL::int" },
      { sql: "SELECT 'a \"b\", (c) \\ d'" },
      { sql: "SELECT true WHERE false" },
      { sql: "SELECT true;" },
    ]);
    assert.deepEqual(r.json!.checks, [
      { check: "SELECT 42", ok: false, detail: "returned '42', not true" },
      { check: "SELECT 'x', true, NULL::int", ok: false, detail: "returned 'x|t|', not true" },
      { check: "SELECT 'a \"b\", (c) \\ d'", ok: false, detail: "returned 'a \"b\", (c) \\ d', not true" },
      { check: "SELECT true WHERE false", ok: false, detail: "returned no rows" },
      { check: "SELECT true;", ok: true, detail: "true" },
    ]);
  });

  test("a check that ends its own session: the checks run again one session each, and the others still report", async () => {
    const killer = '{"sql":"SELECT pg_terminate_backend(pg_backend_pid())"}';
    const r = await verifyDump("custom/", "custom", 26, ['{"sql":"SELECT true"}', killer, '{"table":"public.orders","minRows":2000}'].join("\n"));
    assert.equal(r.verify!.code, 1);
    assert.deepEqual(r.json!.checks, [
      { check: "SELECT true", ok: true, detail: "true" },
      { check: killer, ok: false, detail: "terminating connection due to administrator command" },
      { check: "public.orders >= 2000 rows", ok: false, detail: "1234 rows" },
    ]);
    assert.equal(r.json!.reason, `check could not run: ${killer}: terminating connection due to administrator command; public.orders has 1234 rows, fewer than the 2000 required`);
  });

  test("checks of only blank lines pass with no check", async () => {
    const r = await verifyDump("custom/", "custom", 26, "\n\n");
    assert.equal(r.verify!.code, 0, r.verify!.stderr);
    assert.deepEqual(r.json!.checks, []);
    assert.equal(r.json!.verdict, "pass");
  });

  test("an empty prefix fails with 'no dump found under s3://…'", async () => {
    const r = await verifyDump("empty/", "custom", 26, GOOD_CHECKS);
    assert.equal(r.fetch.code, 1);
    assert.deepEqual(judged(r.fetch.stdout), {
      dump: null, ageHours: null, restoreSeconds: null, checks: [], verdict: "fail", reason: `no dump found under s3://${BUCKET}/empty/`,
    });
    assert.equal(r.fetch.stderr, `upkeep dump-fetch: no dump found under s3://${BUCKET}/empty/\n`);
    assert.equal(existsSync(join(r.dumpDir, ".meta")), false);
    const d = await verifyDump("empty/", "directory", 26, GOOD_CHECKS);
    assert.equal(d.fetch.stderr, `upkeep dump-fetch: no dump found under s3://${BUCKET}/empty/\n`);
  });

  test("a listing error gives the CLI's reason", async () => {
    const r = await sh("dump-fetch.sh", {
      UPKEEP_DUMP_LOCATION: "s3://no-such-bucket/x/", UPKEEP_DUMP_FORMAT: "custom", UPKEEP_DUMP_DIR: work,
      FAKE_S3_ROOT: s3root, FAKE_AWS_LOG: join(work, "err.log"),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^upkeep dump-fetch: cannot list s3:\/\/no-such-bucket\/x\/: An error occurred \(NoSuchBucket\).*\n$/);
  });

  test("verify without a fetched dump fails with one JSON line", async () => {
    const dir = mkdtempSync(join(work, "nometa-"));
    const r = await sh("dump-verify.sh", { ...scratchEnv(), UPKEEP_DUMP_DIR: dir, UPKEEP_DUMP_MAX_AGE_HOURS: "1", UPKEEP_DUMP_CHECKS: "" });
    assert.equal(r.code, 1);
    assert.deepEqual(judged(r.stdout), {
      dump: null, ageHours: null, restoreSeconds: null, checks: [], verdict: "fail",
      reason: `no dump was fetched (${dir}/.meta is missing)`,
    });
  });

  test("fetch takes the newest dump, not the newest object: by default never a checksum file", async () => {
    const r = await verifyDump("sums/", "custom", 26, GOOD_CHECKS);
    assert.equal(r.fetch.code, 0, r.fetch.stderr);
    assert.equal(r.verify!.code, 0, r.verify!.stderr);
    assert.equal(r.json!.dump, `s3://${BUCKET}/sums/orders.dump`);
  });

  test("UPKEEP_DUMP_MATCH: a suffix or a glob on the key after the prefix; for a directory dump, on its path", async () => {
    for (const match of [".dump", "a-*"]) {
      const r = await verifyDump("mixed/", "custom", 26, GOOD_CHECKS, { UPKEEP_DUMP_MATCH: match });
      assert.equal(r.verify!.code, 0, r.verify!.stderr);
      assert.equal(r.json!.dump, `s3://${BUCKET}/mixed/a-orders.dump`, match);
    }
    const none = await verifyDump("mixed/", "custom", 26, GOOD_CHECKS, { UPKEEP_DUMP_MATCH: ".backup" });
    assert.equal(none.fetch.code, 1);
    assert.equal(none.fetch.stderr, `upkeep dump-fetch: no dump found under s3://${BUCKET}/mixed/ matching '.backup'\n`);
    // dir/2024-03 is older than dir/2024-02, yet the only one the glob selects.
    const dir = await verifyDump("dir/", "directory", 26, GOOD_CHECKS, { UPKEEP_DUMP_MATCH: "*-03" });
    assert.equal(dir.verify!.code, 0, dir.verify!.stderr);
    assert.equal(dir.json!.dump, `s3://${BUCKET}/dir/2024-03/`);
  });

  test("a whole bucket is refused: the location must name a prefix", async () => {
    const r = await sh("dump-fetch.sh", { UPKEEP_DUMP_LOCATION: `s3://${BUCKET}/`, UPKEEP_DUMP_FORMAT: "custom", UPKEEP_DUMP_DIR: work, FAKE_S3_ROOT: s3root, FAKE_AWS_LOG: join(work, "bucket.log") });
    const reason = `UPKEEP_DUMP_LOCATION must name a prefix under the bucket (s3://${BUCKET}/prefix/), not the whole bucket: got 's3://${BUCKET}/'`;
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `upkeep dump-fetch: ${reason}\n`);
    assert.equal(judged(r.stdout).reason, reason);
    assert.equal(existsSync(join(work, "bucket.log")), false, "nothing listed");
  });

  test("a dump from the future fails with 'clock skew', before restoring", async () => {
    const r = await verifyDump("future/", "custom", 26, GOOD_CHECKS);
    assert.equal(r.verify!.code, 1);
    const reason = String(r.json!.reason);
    assert.match(reason, /^clock skew: the dump's LastModified \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\) is 7\d\d\d s ahead of this pod's clock \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/);
    assert.equal(r.json!.restoreSeconds, null);
    assert.equal(r.verify!.stderr, `upkeep dump-verify: dump verification failed for s3://${BUCKET}/future/orders.dump: ${reason}\n`);
  });

  test("checks run as upkeep_check, not a superuser: no COPY ... TO PROGRAM, no server files", async () => {
    const marker = join(work, "owned");
    const r = await verifyDump("custom/", "custom", 26, [
      { sql: "SELECT current_user = 'upkeep_check' AND NOT rolsuper FROM pg_roles WHERE rolname = current_user" },
      { sql: `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'` },
      { sql: "SELECT pg_read_file('postgresql.conf') <> ''" },
      { table: "public.orders", minRows: 1 },
    ]);
    assert.equal(r.verify!.code, 1);
    assert.deepEqual(r.json!.checks, [
      { check: "SELECT current_user = 'upkeep_check' AND NOT rolsuper FROM pg_roles WHERE rolname = current_user", ok: true, detail: "true" },
      { check: `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`, ok: false, detail: "must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external program" },
      { check: "SELECT pg_read_file('postgresql.conf') <> ''", ok: false, detail: "permission denied for function pg_read_file" },
      { check: "public.orders >= 1 rows", ok: true, detail: "1234 rows" },
    ]);
    assert.equal(existsSync(marker), false);
  });

  test("a slow check fails at the deadline, named in the verdict; the checks after it are not started", async () => {
    const slow = "SELECT pg_sleep(60) IS NOT NULL";
    const r = await verifyDump("custom/", "custom", 26, [{ sql: "SELECT true" }, { sql: slow }, { table: "public.orders", minRows: 1 }], {
      UPKEEP_DEADLINE_SECONDS: "6", UPKEEP_DEADLINE_MARGIN_SECONDS: "0",
    });
    assert.equal(r.verify!.code, 1);
    const checks = r.json!.checks as { check: string; ok: boolean; detail: string }[];
    assert.deepEqual(checks[0], { check: "SELECT true", ok: true, detail: "true" });
    assert.deepEqual({ ...checks[1], detail: undefined }, { check: slow, ok: false, detail: undefined });
    const after = checks[1]!.detail.match(/^timed out after (\d+) s, at the deadline$/);
    assert.ok(after, checks[1]!.detail);
    assert.deepEqual(checks[2], { check: "public.orders >= 1 rows", ok: false, detail: "not run: the deadline was reached" });
    assert.equal(r.json!.reason, `check timed out after ${after[1]} s, at the deadline: ${slow}; check not run, the deadline was reached: public.orders >= 1 rows`);
    assert.equal(await scratchSql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'upkeep-%'"), "0");
  });

  test("a restore that outlasts the slot is stopped at the deadline, its sessions ended", async () => {
    const r = await verifyDump("slow/", "custom", 26, [], { UPKEEP_DEADLINE_SECONDS: "2", UPKEEP_DEADLINE_MARGIN_SECONDS: "0" });
    assert.equal(r.verify!.code, 1);
    assert.match(String(r.json!.reason), /^the restore did not finish within the \d+ s left before the deadline$/);
    assert.equal(typeof r.json!.restoreSeconds, "number");
    assert.equal(await scratchSql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'upkeep-%'"), "0");
  });

  test("SIGTERM during a check: one line, exit 143, nothing left running on the scratch server", async () => {
    const dumpDir = join(work, "term", "dump");
    mkdirSync(dumpDir, { recursive: true });
    const common = { UPKEEP_DUMP_LOCATION: `s3://${BUCKET}/custom/`, UPKEEP_DUMP_FORMAT: "custom", UPKEEP_DUMP_DIR: dumpDir };
    assert.equal((await sh("dump-fetch.sh", { ...common, FAKE_S3_ROOT: s3root, FAKE_AWS_LOG: join(work, "term", "aws.log") })).code, 0);
    const run = startScript("dump-verify.sh", {
      PATH: `${PG_BIN}:${process.env.PATH}`, ...common, ...scratchEnv(), UPKEEP_DUMP_MAX_AGE_HOURS: "26",
      UPKEEP_DUMP_CHECKS: encodeChecks([{ sql: "SELECT pg_sleep(60) IS NOT NULL" }]),
    });
    const sleeping = async () => (await scratchSql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'upkeep-%' AND wait_event = 'PgSleep'")) === "1";
    await until(sleeping, "the check to run");
    process.kill(run.pid, "SIGTERM");
    const r = await run.done;
    assert.equal(r.code, 143);
    assert.match(r.stderr, /^upkeep dump-verify: stopped by SIGTERM after \d+ s\n$/);
    assert.equal(r.log, "");
    assert.deepEqual([r.outcome.outcome, (r.outcome.figures as { verdict: string }).verdict], ["failed", "fail"]);
    assert.equal(await scratchSql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'upkeep-%'"), "0");
  });

  test("the scratch server listens on 127.0.0.1 only and runs as a non-root user", async () => {
    assert.equal(await scratchSql("SHOW listen_addresses"), "127.0.0.1");
    assert.equal(await scratchSql("SHOW fsync"), "off");
    assert.match(scratch.log(), /upkeep scratch-postgres: scratch server on 127\.0\.0\.1:\d+, data in /);
    const owner = statSync(join(scratch.data, "PG_VERSION")).uid;
    assert.notEqual(owner, 0);
  });

  test("the scripts pass shellcheck", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", ...["common.sh", "dump-fetch.sh", "dump-verify.sh", "scratch-postgres.sh"].map((s) => join(SCRIPTS, s))], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

// ---------------------------------------------------------------- pure pieces
const DUMP: DumpConfig = {
  database: "orders",
  location: "s3://acme-db-dumps/prod/orders/",
  format: "directory",
  maxAgeHours: 26,
  cadence: "daily",
  durationMinutes: 60,
  checks: [{ table: "public.orders", minRows: 1000 }, { sql: "SELECT count(*) = 0 FROM public.orders WHERE total < 0" }],
};
const ROLE = "arn:aws:iam::123456789012:role/upkeep-dump-reader";
const TASK = { id: "orders-dump-verify", durationMinutes: 60, timeZone: "Europe/Berlin", cadence: "daily", cron: "30 1 * * *" };
const OPTIONS = { postgresImage: "docker.io/library/postgres:15.10-alpine", environment: "prod", namespace: "upkeep-prod", roleArn: ROLE };

describe("dumpReaderPolicy", () => {
  test("lists and reads only the prefix, with no wildcard actions", () => {
    const doc = dumpReaderPolicy(DUMP.location);
    assert.deepEqual(doc, {
      Version: "2012-10-17",
      Statement: [
        { Sid: "ListDumpPrefix", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::acme-db-dumps", Condition: { StringLike: { "s3:prefix": ["prod/orders/*"] } } },
        { Sid: "ReadDumps", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-db-dumps/prod/orders/*" },
      ],
    });
    for (const s of doc.Statement) assert.doesNotMatch(String(s.Action), /\*/);
  });

  test("with the bucket's customer key: kms:Decrypt on that key only, and only through S3 in its region", () => {
    const key = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const doc = dumpReaderPolicy(DUMP.location, key);
    assert.deepEqual(doc.Statement.slice(0, 2), dumpReaderPolicy(DUMP.location).Statement);
    assert.deepEqual(doc.Statement[2], {
      Sid: "DecryptDumps",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: key,
      Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } },
    });
    assert.equal(doc.Statement.length, 3);
  });

  test("the IRSA trust names only the task's ServiceAccount", () => {
    const arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC";
    assert.deepEqual(irsaTrustPolicy(arn, "https://oidc.eks.eu-central-1.amazonaws.com/id/ABC", "upkeep-prod", "orders-dump-verify"), {
      Version: "2012-10-17",
      Statement: [{
        Sid: "IrsaServiceAccount",
        Effect: "Allow",
        Principal: { Federated: arn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "oidc.eks.eu-central-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:upkeep-prod:orders-dump-verify",
            "oidc.eks.eu-central-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
          },
        },
      }],
    });
  });
});

describe("dumpVerificationPod", () => {
  const hardened = (uid?: number) => ({
    allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
    ...(uid !== undefined ? { runAsUser: uid, runAsGroup: uid } : {}),
    capabilities: { drop: ["ALL"] },
  });
  const resources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "512Mi" } };
  const standard = [
    { name: "HOME", value: "/tmp" },
    { name: "UPKEEP_TASK", value: "orders-dump-verify" },
    { name: "UPKEEP_KIND", value: "dump-verify" },
    { name: "UPKEEP_ENVIRONMENT", value: "prod" },
    { name: "UPKEEP_CADENCE", value: "daily" },
    { name: "UPKEEP_TIMEZONE", value: "Europe/Berlin" },
    { name: "UPKEEP_SLOT_START", value: "01:30" },
    { name: "UPKEEP_DEADLINE_SECONDS", value: "3600" },
  ];
  const dumpEnv = [
    { name: "UPKEEP_DUMP_LOCATION", value: "s3://acme-db-dumps/prod/orders/" },
    { name: "UPKEEP_DUMP_FORMAT", value: "directory" },
    { name: "UPKEEP_DUMP_DIR", value: "/dump" },
  ];
  const common = [...standard, ...dumpEnv];
  const probe = { exec: { command: ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres"] } };

  test("the scratch server first, as a native sidecar without a startup probe beside the fetch, then the verifier", () => {
    const pod = dumpVerificationPod(TASK, DUMP, OPTIONS);
    assert.deepEqual(pod, {
      container: {
        image: OPTIONS.postgresImage,
        command: ["/bin/sh", "/upkeep/scripts/dump-verify.sh"],
        args: [],
        env: [
          ...common,
          { name: "PGHOST", value: "127.0.0.1" },
          { name: "PGPORT", value: "5432" },
          { name: "PGUSER", value: "postgres" },
          { name: "PGDATABASE", value: "postgres" },
          { name: "PGCONNECT_TIMEOUT", value: "10" },
          { name: "UPKEEP_DUMP_MAX_AGE_HOURS", value: "26" },
          { name: "UPKEEP_RESTORE_JOBS", value: "2" },
          { name: "UPKEEP_DUMP_CHECKS", value: '{"table":"public.orders","minRows":1000}\n{"sql":"SELECT count(*) = 0 FROM public.orders WHERE total < 0"}' },
        ],
        resources,
        runAsUser: 10001,
      },
      initContainers: [
        {
          name: "scratch-postgres",
          image: OPTIONS.postgresImage,
          imagePullPolicy: "IfNotPresent",
          restartPolicy: "Always",
          command: ["/bin/sh", "/upkeep/scripts/scratch-postgres.sh"],
          env: [{ name: "HOME", value: "/tmp" }, { name: "PGDATA", value: "/scratch/data" }, { name: "PGPORT", value: "5432" }],
          resources,
          securityContext: hardened(70),
          readinessProbe: { ...probe, periodSeconds: 10 },
          volumeMounts: [
            { name: "tmp", mountPath: "/tmp" },
            { name: "scripts", mountPath: "/upkeep/scripts", readOnly: true },
            { name: "scratch", mountPath: "/scratch" },
          ],
        },
        {
          name: "fetch",
          image: "docker.io/amazon/aws-cli:2.22.35",
          imagePullPolicy: "IfNotPresent",
          command: ["/bin/sh", "/upkeep/scripts/dump-fetch.sh"],
          env: [...standard, { name: "UPKEEP_STEP", value: "fetch" }, ...dumpEnv],
          resources,
          securityContext: hardened(),
          volumeMounts: [
            { name: "tmp", mountPath: "/tmp" },
            { name: "scripts", mountPath: "/upkeep/scripts", readOnly: true },
            { name: "dump", mountPath: "/dump" },
          ],
        },
      ],
      volumes: [{ name: "dump", emptyDir: {} }, { name: "scratch", emptyDir: {} }],
      volumeMounts: [{ name: "dump", mountPath: "/dump", readOnly: true }],
      serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": ROLE },
    });
    // Credentials only through IRSA: no AWS variable anywhere.
    for (const c of [...pod.initContainers, { env: pod.container.env }]) {
      for (const e of c.env as { name: string }[]) assert.doesNotMatch(e.name, /^AWS_/);
    }
  });

  test("monthly slots guard the fetch and the verifier; Debian images run the server as uid 999", () => {
    const pod = dumpVerificationPod({ ...TASK, cadence: "monthly", guard: "first-week-of-month" }, DUMP, { ...OPTIONS, postgresImage: "docker.io/library/postgres:15.10" });
    assert.deepEqual(pod.container.command, ["/bin/sh", "/upkeep/scripts/period-guard.sh", "/bin/sh", "/upkeep/scripts/dump-verify.sh"]);
    assert.deepEqual(pod.initContainers[1]!.command, ["/bin/sh", "/upkeep/scripts/period-guard.sh", "/bin/sh", "/upkeep/scripts/dump-fetch.sh"]);
    assert.deepEqual(pod.initContainers[0]!.command, ["/bin/sh", "/upkeep/scripts/scratch-postgres.sh"]);
    assert.deepEqual(pod.initContainers[0]!.securityContext, hardened(999));
  });

  test("a dump's match reaches the fetch; without one the script's default per format applies", () => {
    const env = (p: ReturnType<typeof dumpVerificationPod>) => (p.initContainers[1]!.env as { name: string; value?: string }[]);
    const withMatch = dumpVerificationPod(TASK, { ...DUMP, match: "orders-*" }, OPTIONS);
    assert.deepEqual(env(withMatch).find((e) => e.name === "UPKEEP_DUMP_MATCH"), { name: "UPKEEP_DUMP_MATCH", value: "orders-*" });
    assert.equal(env(dumpVerificationPod(TASK, DUMP, OPTIONS)).some((e) => e.name === "UPKEEP_DUMP_MATCH"), false);
  });

  test("in the CronJob: init containers, volumes and mounts after the built-in ones, the IRSA annotation on the ServiceAccount", () => {
    const pod = dumpVerificationPod(TASK, DUMP, OPTIONS);
    const task = { id: TASK.id, kind: "custom", title: "t", configPath: "upkeep:backups.dumps[0]", schedule: { id: TASK.id, cadence: "daily", durationMinutes: 60, cron: "30 1 * * *", timeZone: "Europe/Berlin", outsideWindow: false } } as unknown as MaintenanceTask;
    const inputs: CronJobInputs = {
      task, environment: "prod", paused: false, namespace: "upkeep-prod", tier: TIER_DEFAULTS.production, container: pod.container,
      scriptsConfigMap: "upkeep-scripts", scriptsChecksum: "sha256:x", runbookUrl: "https://x", window: "sat 00:30 240 Europe/Berlin",
    };
    const withPod = { ...inputs, pod };
    // Plain JSON in, plain JSON out: view it without Pulumi's Input wrappers.
    interface PodSpecView {
      initContainers?: unknown[];
      containers: { volumeMounts: { name: string }[] }[];
      volumes: { name: string }[];
      automountServiceAccountToken: boolean;
    }
    const podSpec = (i: CronJobInputs) =>
      (buildCronJob(i) as unknown as { spec: { jobTemplate: { spec: { template: { spec: PodSpecView } } } } }).spec.jobTemplate.spec.template.spec;
    const saAnnotations = (i: CronJobInputs) => (buildServiceAccount(i) as unknown as { metadata: { annotations?: unknown } }).metadata.annotations;
    const plainSpec = podSpec(inputs);
    const spec = podSpec(withPod);
    assert.equal("initContainers" in plainSpec, false);
    assert.deepEqual(spec.initContainers, pod.initContainers);
    assert.deepEqual(spec.volumes.map((v) => v.name), ["tmp", "scripts", "dump", "scratch"]);
    assert.deepEqual(spec.containers[0]!.volumeMounts.map((m) => m.name), ["tmp", "scripts", "dump"]);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.deepEqual(saAnnotations(withPod), { "eks.amazonaws.com/role-arn": ROLE });
    assert.equal(saAnnotations(inputs), undefined);
  });
});
