/**
 * Backup verification overhead, on real PostgreSQL 15.
 *
 * A source database holds public.events (--rows rows, see pgdata.ts); pg_dump
 * writes it in custom (-Fc) and directory (-Fd -j 2) format into a local
 * directory that a fake `aws` (first on PATH; the tests' own, so the bench
 * runs dump-fetch.sh against the same fake they check it with) serves as the S3 bucket. Per
 * format and repetition, on the same server, each with its target database
 * absent (as in the pod's fresh scratch server) and a CHECKPOINT right before
 * the timed part:
 * - upkeep: CREATE DATABASE verify (untimed: in the pod the scratch sidecar
 *   makes it while the fetch downloads), the real dump-fetch.sh (list the
 *   prefix, copy the newest dump), timed on its own, then the real
 *   dump-verify.sh, timed from spawn to exit: age check, the readiness check
 *   and the session that takes over the database, pg_restore --no-owner
 *   --no-privileges --exit-on-error [--jobs 2], the checks, the JSON verdict.
 *   That is the verification as issue 7 defines it ("age check, restore,
 *   checks"); the fetch is transport, reported beside it but not in the ratio;
 * - plain: CREATE DATABASE plain (untimed), then the same pg_restore command
 *   into it, timed from spawn to exit.
 * The ratio is median(dump-verify.sh) / median(plain) per format.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { installFakeAws } from "../test/support/fakeAws";
import { startPostgres, type Postgres } from "../test/support/postgres";
import { createEventsTable } from "./pgdata";
import { log, median, onAbort, round, runOk, runTimed, type Target } from "./util";

const ROOT = resolve(__dirname, "..");
const SCRIPTS = join(ROOT, "components", "scripts");
const PG_BIN = process.env.UPKEEP_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const BUCKET = "bench-dumps";
const RESTORE_JOBS = "2";

export interface VerifyOptions {
  readonly rows: number;
  readonly repeats: number;
}

export interface VerifyFormat {
  readonly format: "custom" | "directory";
  readonly dumpBytes: number;
  /** dump-verify.sh from spawn to exit: age check, restore, checks, verdict. The fetch is not included. */
  readonly upkeepMs: number[];
  readonly plainMs: number[];
  /** dump-fetch.sh from spawn to exit, measured separately and not part of the ratio. */
  readonly fetchMs: number[];
  readonly upkeepMedianMs: number;
  readonly plainMedianMs: number;
  readonly fetchMedianMs: number;
  /** upkeepMedianMs / plainMedianMs. */
  readonly ratio: number;
}

export interface VerifyResult {
  readonly rows: number;
  readonly repeats: number;
  readonly restoreJobs: number;
  readonly formats: VerifyFormat[];
  readonly targets: Target[];
}

const encodeChecks = (checks: readonly object[]) => checks.map((c) => JSON.stringify(c)).join("\n"); // as components/jobs/dumpVerification.ts

async function measureFormat(pg: Postgres, format: "custom" | "directory", opts: VerifyOptions, work: string): Promise<VerifyFormat> {
  const bin = join(work, "bin");
  const s3root = join(work, "s3");
  const prefix = `${format}/`;
  const src = format === "custom" ? join(s3root, BUCKET, prefix, "events.dump") : join(s3root, BUCKET, prefix, "d1");
  const dumpDir = join(work, `fetched-${format}`);
  const path = `${bin}:${PG_BIN}:${process.env.PATH}`;
  const pgEnv = { ...pg.connEnv(pg.superuser, pg.password, "postgres"), PATH: path, HOME: "/tmp" };
  const du = await runOk("du", ["-sb", src]);
  const dumpBytes = Number(du.stdout.split(/\s/)[0]);
  const restoreArgs = ["--no-owner", "--no-privileges", "--exit-on-error", ...(format === "directory" ? ["--jobs", RESTORE_JOBS] : [])];
  const checks = encodeChecks([
    { table: "public.events", minRows: opts.rows },
    { sql: "SELECT count(*) = 0 FROM public.events WHERE created_at > now()" },
  ]);
  const upkeepMs: number[] = [];
  const plainMs: number[] = [];
  const fetchMs: number[] = [];

  const plain = async () => {
    await pg.psql("DROP DATABASE IF EXISTS plain");
    await pg.psql("CREATE DATABASE plain");
    await pg.psql("CHECKPOINT");
    const r = await runOk(join(PG_BIN, "pg_restore"), [...restoreArgs, "--dbname=plain", src], { env: pgEnv });
    plainMs.push(r.ms);
    await pg.psql("DROP DATABASE plain");
  };
  const upkeep = async () => {
    await pg.psql("DROP DATABASE IF EXISTS verify");
    // What the pod's sidecar does while the fetch downloads: the empty database to restore into.
    await pg.psql("CREATE DATABASE verify");
    rmSync(dumpDir, { recursive: true, force: true });
    mkdirSync(dumpDir, { recursive: true });
    const common = { UPKEEP_DUMP_LOCATION: `s3://${BUCKET}/${prefix}`, UPKEEP_DUMP_FORMAT: format, UPKEEP_DUMP_DIR: dumpDir };
    const fetch = await runTimed("sh", [join(SCRIPTS, "dump-fetch.sh")], { env: { ...pgEnv, ...common, FAKE_S3_ROOT: s3root } });
    if (fetch.code !== 0) throw new Error(`dump-fetch.sh failed: ${fetch.stderr}`);
    await pg.psql("CHECKPOINT");
    const verify = await runTimed("sh", [join(SCRIPTS, "dump-verify.sh")], {
      env: { ...pgEnv, ...common, UPKEEP_DUMP_MAX_AGE_HOURS: "26", UPKEEP_RESTORE_JOBS: RESTORE_JOBS, UPKEEP_DUMP_CHECKS: checks },
    });
    // The outcome line, last on stdout, holds the verdict in its figures.
    const outcome = JSON.parse(verify.stdout.trim().split("\n").pop() ?? "{}") as { figures?: { verdict?: string } };
    if (verify.code !== 0 || outcome.figures?.verdict !== "pass") throw new Error(`dump-verify.sh did not pass: ${verify.stdout}${verify.stderr}`);
    fetchMs.push(fetch.ms);
    upkeepMs.push(verify.ms);
    await pg.psql("DROP DATABASE verify");
  };
  for (let i = 0; i < opts.repeats; i++) {
    // Alternate the order so drift on a noisy machine hits both alike.
    if (i % 2 === 0) { await plain(); await upkeep(); } else { await upkeep(); await plain(); }
  }
  const u = median(upkeepMs);
  const p = median(plainMs);
  const f = median(fetchMs);
  log(`verify ${format}: dump-verify.sh ${Math.round(u)} ms, plain pg_restore ${Math.round(p)} ms (×${round(u / p)}); dump-fetch.sh ${Math.round(f)} ms, not in the ratio`);
  return {
    format,
    dumpBytes,
    upkeepMs: upkeepMs.map((x) => round(x, 1)),
    plainMs: plainMs.map((x) => round(x, 1)),
    fetchMs: fetchMs.map((x) => round(x, 1)),
    upkeepMedianMs: round(u, 1),
    plainMedianMs: round(p, 1),
    fetchMedianMs: round(f, 1),
    ratio: round(u / p, 3),
  };
}

export async function runVerifyBench(opts: VerifyOptions): Promise<VerifyResult> {
  const work = mkdtempSync(join(tmpdir(), "upkeep-bench-verify-"));
  log("verify: starting PostgreSQL 15");
  let pg: Postgres | undefined;
  let unregister = () => {};
  try {
    pg = await startPostgres();
    const started = pg;
    unregister = onAbort(() => started.stop());
    // The checks connect as upkeep_check, which the pod's sidecar trusts on its loopback (trust
    // authentication, no password anywhere); this server asks for passwords, so trust that role here too.
    const hba = await pg.psql("SHOW hba_file");
    writeFileSync(hba, `host all upkeep_check 127.0.0.1/32 trust\n${readFileSync(hba, "utf8")}`);
    await pg.psql("SELECT pg_reload_conf()");
    mkdirSync(join(work, "bin"));
    installFakeAws(join(work, "bin"));
    await pg.psql("CREATE DATABASE src");
    log(`verify: building ${opts.rows} rows and dumping them`);
    await createEventsTable(pg, "src", opts.rows);
    const env = { ...pg.connEnv(pg.superuser, pg.password, "src"), PATH: process.env.PATH ?? "" };
    const bucket = join(work, "s3", BUCKET);
    mkdirSync(join(bucket, "custom"), { recursive: true });
    mkdirSync(join(bucket, "directory"), { recursive: true });
    await runOk(join(PG_BIN, "pg_dump"), ["-Fc", "-f", join(bucket, "custom", "events.dump")], { env });
    await runOk(join(PG_BIN, "pg_dump"), ["-Fd", "-j", "2", "-f", join(bucket, "directory", "d1")], { env });
    const formats = [await measureFormat(pg, "custom", opts, work), await measureFormat(pg, "directory", opts, work)];
    const targets: Target[] = formats.map((f) => ({
      benchmark: `verify ${f.format} upkeep/pg_restore`,
      value: round(f.ratio),
      unit: "×",
      target: "≤ 1.3",
      ok: f.ratio <= 1.3,
    }));
    return { rows: opts.rows, repeats: opts.repeats, restoreJobs: Number(RESTORE_JOBS), formats, targets };
  } finally {
    unregister();
    await pg?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
