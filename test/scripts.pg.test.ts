// The task scripts against a real PostgreSQL 15, run the way the CronJob runs
// them: `sh script.sh`, connection only through the environment, as a
// least-privileged role that owns the tables.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { freePort, startPostgres, type Postgres } from "./support/postgres";

const DB = "app";
const MAINT_PW = "maint-" + randomBytes(8).toString("hex");
let pg: Postgres;

interface Run { code: number; stdout: string; stderr: string; ms: number }

function runScript(task: string, env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      "sh",
      [`components/scripts/${task}.sh`],
      { env: { PATH: process.env.PATH ?? "", HOME: "/tmp", ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

const maintEnv = () => pg.connEnv("maint", MAINT_PW, DB);

/** SQL as maint, so the objects it creates are owned by maint. */
async function maintSql(sql: string): Promise<string> {
  const { stdout } = await promisify(execFile)("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql], {
    env: { PATH: process.env.PATH ?? "", ...maintEnv() },
  });
  return stdout.trim();
}

const num = async (sql: string) => Number(await pg.psql(sql, DB));

/** Statistics arrive asynchronously: poll until `sql` returns 't'. */
async function eventually(sql: string, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while ((await pg.psql(sql, DB)) !== "t") {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  pg = await startPostgres();
  await pg.psql(`CREATE ROLE maint LOGIN PASSWORD '${MAINT_PW}'`);
  await pg.psql(`CREATE DATABASE ${DB}`);
  await pg.psql("GRANT CREATE ON SCHEMA public TO maint", DB);
});

after(async () => {
  await pg?.stop();
});

test("vacuum.sh vacuums and analyzes, printing one line", async () => {
  await maintSql(`CREATE TABLE vac (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = false);
    INSERT INTO vac SELECT g, 'x' FROM generate_series(1, 5000) g;
    DELETE FROM vac WHERE id % 2 = 0;`);
  await eventually("SELECT n_dead_tup > 0 FROM pg_stat_user_tables WHERE relname = 'vac'", "dead tuples");

  const r = await runScript("vacuum", { ...maintEnv(), UPKEEP_VACUUM_JOBS: "2" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^upkeep vacuum: vacuumed and analyzed app in \d+ s\n$/);
  assert.equal(r.stderr, "");
  await eventually(
    `SELECT n_dead_tup = 0 AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL
     FROM pg_stat_user_tables WHERE relname = 'vac'`,
    "vacuum and analyze statistics",
  );
});

test("reindex.sh drops _ccnew leftovers, rebuilds invalid indexes, reindexes tables", async () => {
  await maintSql(`CREATE TABLE ri (id int PRIMARY KEY, v int);
    INSERT INTO ri SELECT g, g FROM generate_series(1, 2000) g;
    CREATE INDEX ri_v_idx ON ri (v);
    CREATE INDEX ri_v_idx_ccnew ON ri (v);`);
  await pg.psql(
    "UPDATE pg_index SET indisvalid = false WHERE indexrelid IN ('ri_v_idx'::regclass, 'ri_v_idx_ccnew'::regclass)",
    DB,
  );
  const pkeyFile = await pg.psql("SELECT pg_relation_filenode('ri_pkey')", DB);

  const r = await runScript("reindex", { ...maintEnv(), UPKEEP_REINDEX_JOBS: "2" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^upkeep reindex: dropped 1 leftover index\(es\), rebuilt 1 invalid index\(es\), reindexed \d+ table\(s\) in app.* in \d+ s\n$/);
  assert.equal(r.stderr, "");
  assert.equal(await pg.psql("SELECT to_regclass('ri_v_idx_ccnew') IS NULL", DB), "t");
  assert.equal(await pg.psql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ri_v_idx'::regclass", DB), "t");
  assert.equal(await num("SELECT count(*) FROM pg_index WHERE NOT indisvalid"), 0);
  // A concurrent reindex builds a new index file for every index of the table.
  assert.notEqual(await pg.psql("SELECT pg_relation_filenode('ri_pkey')", DB), pkeyFile);
});

test("cleanup.sh deletes only expired rows, in batches, beside a concurrent writer", async () => {
  await maintSql(`CREATE TABLE ev (id bigserial PRIMARY KEY, ts timestamptz NOT NULL, payload text NOT NULL);
    CREATE INDEX ev_ts_idx ON ev (ts);
    INSERT INTO ev (ts, payload)
      SELECT CASE WHEN g % 5 < 3 THEN now() - interval '91 days' - g * interval '1 minute'
                  ELSE now() - interval '89 days' + g * interval '1 minute' END, 'seed'
      FROM generate_series(1, 20000) g;
    CREATE TABLE kept AS SELECT id FROM ev WHERE ts > now() - interval '90 days';
    CREATE TABLE writer (stop boolean NOT NULL, inserted int NOT NULL);
    INSERT INTO writer VALUES (false, 0);`);
  assert.equal(await num("SELECT count(*) FROM ev WHERE ts < now() - interval '90 days'"), 12000);
  const keptBefore = await num("SELECT count(*) FROM kept");

  // Inserts fresh rows and updates surviving old-enough-to-matter rows until
  // told to stop, counting its inserts in the same transactions.
  const writer = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `DO $$
    BEGIN
      WHILE NOT (SELECT stop FROM writer) LOOP
        INSERT INTO ev (ts, payload) VALUES (now(), 'writer');
        UPDATE writer SET inserted = inserted + 1;
        UPDATE ev SET payload = 'seed' WHERE id IN (SELECT id FROM kept ORDER BY random() LIMIT 3);
        COMMIT;
        PERFORM pg_sleep(0.002);
      END LOOP;
    END $$`], { env: { PATH: process.env.PATH ?? "", ...maintEnv() }, stdio: ["ignore", "ignore", "pipe"] });
  let writerErr = "";
  writer.stderr.on("data", (d) => (writerErr += d));
  const writerDone = new Promise<number | null>((resolve) => writer.on("close", resolve));
  try {
    await eventually("SELECT inserted > 0 FROM writer", "the writer to start");
    const env = { ...maintEnv(), UPKEEP_CLEANUP_TABLES: "public.ev:ts:90:1000" };
    const r = await runScript("cleanup", env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const m = r.stdout.match(/^upkeep cleanup: deleted (\d+) row\(s\) older than the retention cutoff \(public\.ev: \d+ in (\d+) batch\(es\)\) in \d+ s\n$/);
    assert.ok(m, r.stdout);
    assert.equal(Number(m[1]), 12000);
    assert.ok(Number(m[2]) > 1, "more than one batch");

    await pg.psql("UPDATE writer SET stop = true", DB);
    assert.equal(await writerDone, 0, writerErr);

    assert.equal(await num("SELECT count(*) FROM ev WHERE ts < now() - interval '90 days'"), 0);
    assert.equal(await num("SELECT count(*) FROM kept WHERE id NOT IN (SELECT id FROM ev)"), 0);
    assert.equal(await num("SELECT count(*) FROM kept"), keptBefore);
    const inserted = await num("SELECT inserted FROM writer");
    assert.ok(inserted > 0);
    assert.equal(await num("SELECT count(*) FROM ev WHERE payload = 'writer'"), inserted);

    const again = await runScript("cleanup", env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^upkeep cleanup: deleted 0 row\(s\) older than the retention cutoff/);
  } finally {
    await pg.psql("UPDATE writer SET stop = true", DB).catch(() => {});
    writer.kill();
    await writerDone;
  }
});

test("cleanup.sh stops cleanly before the deadline", async () => {
  await maintSql(`CREATE TABLE slow (id serial PRIMARY KEY, ts timestamptz NOT NULL);
    CREATE INDEX ON slow (ts);
    INSERT INTO slow (ts) SELECT now() - interval '100 days' FROM generate_series(1, 1000);
    INSERT INTO slow (ts) SELECT now() - interval '10 days' FROM generate_series(1, 100);
    CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(1.2); RETURN NULL; END $$;
    CREATE TRIGGER slow_delete BEFORE DELETE ON slow FOR EACH STATEMENT EXECUTE FUNCTION slow_down();`);

  const r = await runScript("cleanup", {
    ...maintEnv(),
    UPKEEP_CLEANUP_TABLES: "slow:ts:90:100",
    UPKEEP_DEADLINE_SECONDS: "14",
  });
  assert.equal(r.code, 0, r.stderr);
  const m = r.stdout.match(/^upkeep cleanup: stopped at the deadline after deleting (\d+) row\(s\) \(slow: .*\) in \d+ s; the next run continues\n$/);
  assert.ok(m, r.stdout);
  const deleted = Number(m[1]);
  assert.ok(deleted > 0 && deleted < 1000, `deleted ${deleted}`);
  assert.ok(r.ms < 14_000, `took ${r.ms} ms`);
  assert.equal(await num("SELECT count(*) FROM slow WHERE ts < now() - interval '90 days'"), 1000 - deleted);
  assert.equal(await num("SELECT count(*) FROM slow WHERE ts > now() - interval '90 days'"), 100);
});

test("a wrong password fails fast with one line and no password", async () => {
  const wrong = "not-the-password-" + randomBytes(4).toString("hex");
  for (const task of ["vacuum", "reindex", "cleanup"]) {
    const r = await runScript(task, {
      ...pg.connEnv("maint", wrong, DB),
      UPKEEP_CLEANUP_TABLES: "ev:ts:90:1000",
    });
    assert.notEqual(r.code, 0);
    assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^upkeep ${task}: cannot connect to 127\\.0\\.0\\.1:${pg.port}/app as maint: .*password authentication failed`));
    assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong));
    assert.equal(r.stdout, "");
  }
});

test("an unreachable server fails fast with one line", async () => {
  const port = await freePort();
  const r = await runScript("vacuum", { ...maintEnv(), PGPORT: String(port) });
  assert.notEqual(r.code, 0);
  assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^upkeep vacuum: cannot connect to 127\\.0\\.0\\.1:${port}/app as maint: Connection refused\\n$`));
});

test("a malformed cleanup entry is rejected before anything is deleted", async () => {
  await maintSql(`CREATE TABLE bad (id serial PRIMARY KEY, ts timestamptz NOT NULL);
    INSERT INTO bad (ts) SELECT now() - interval '100 days' FROM generate_series(1, 50);`);
  const entry = "public.x;drop:ts:90:100";
  const r = await runScript("cleanup", { ...maintEnv(), UPKEEP_CLEANUP_TABLES: `public.bad:ts:90:10 ${entry}` });
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  assert.ok(r.stderr.startsWith(`upkeep cleanup: malformed UPKEEP_CLEANUP_TABLES entry '${entry}'`), r.stderr);
  assert.equal(await num("SELECT count(*) FROM bad"), 50);
});

test("the scripts pass shellcheck", async () => {
  const files = ["common", "vacuum", "reindex", "cleanup"].map((f) => `components/scripts/${f}.sh`);
  const { stdout } = await promisify(execFile)("shellcheck", ["-s", "sh", ...files]);
  assert.equal(stdout, "");
});
