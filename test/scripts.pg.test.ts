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
    const m = r.stdout.match(/^upkeep cleanup: deleted (\d+) row\(s\) older than the retention cutoff \(public\.ev: \d+ in (\d+) batch\(es\), largest \d+, slowest \d+ ms\) in \d+ s\n$/);
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
    assert.match(again.stdout, /^upkeep cleanup: deleted 0 row\(s\) older than the retention cutoff \(public\.ev: 0 in 0 batch\(es\)\) in \d+ s\n$/);
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
  const m = r.stdout.match(/^upkeep cleanup: stopped at the deadline after deleting (\d+) row\(s\) \(slow: \1 in \d+ batch\(es\), largest \d+, slowest \d+ ms\) in \d+ s; the next run continues\n$/);
  assert.ok(m, r.stdout);
  const deleted = Number(m[1]);
  assert.ok(deleted > 0 && deleted < 1000, `deleted ${deleted}`);
  assert.ok(r.ms < 14_000, `took ${r.ms} ms`);
  assert.equal(await num("SELECT count(*) FROM slow WHERE ts < now() - interval '90 days'"), 1000 - deleted);
  assert.equal(await num("SELECT count(*) FROM slow WHERE ts > now() - interval '90 days'"), 100);
});

/**
 * SQL that records every DELETE statement on `table` (one per batch) in
 * `<table>_batches`: its rows, its transaction and its backend, in the same
 * transaction, so only batches that committed are there.
 */
const batchLog = (table: string) => `
  CREATE TABLE ${table}_batches (n serial, rows bigint, xid xid8, pid int);
  CREATE FUNCTION ${table}_log() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN
      INSERT INTO ${table}_batches (rows, xid, pid) SELECT count(*), pg_current_xact_id(), pg_backend_pid() FROM old_rows;
      RETURN NULL;
    END $$;
  CREATE TRIGGER ${table}_log AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ${table}_log();`;

async function batchesOf(table: string): Promise<{ rows: number; xid: string; pid: string }[]> {
  const out = await pg.psql(`SELECT concat_ws(' ', rows, xid, pid) FROM ${table}_batches ORDER BY n`, DB);
  return out === "" ? [] : out.split("\n").map((l) => {
    const [rows, xid, pid] = l.split(" ");
    return { rows: Number(rows), xid: xid!, pid: pid! };
  });
}

/** `rows` rows `days` days old, one second apart, and `fresh` rows of now. */
const seed = (table: string, rows: number, fresh = 0, days = 40) => `
  CREATE TABLE ${table} (id serial PRIMARY KEY, ts timestamptz NOT NULL) WITH (autovacuum_enabled = false);
  CREATE INDEX ON ${table} (ts);
  INSERT INTO ${table} (ts) SELECT now() - interval '${days} days' - g * interval '1 second' FROM generate_series(1, ${rows}) g;
  INSERT INTO ${table} (ts) SELECT now() FROM generate_series(1, ${fresh}) g;`;

test("cleanup.sh grows each batch from the last one's rate, one transaction per batch, one session per table", async () => {
  await maintSql(`${seed("grow", 50000, 1000)} ${batchLog("grow")} ${seed("quiet", 0, 10)}`);
  const r = await runScript("cleanup", {
    ...maintEnv(),
    UPKEEP_CLEANUP_TABLES: "public.grow:ts:30:100 quiet:ts:30:100",
    UPKEEP_CLEANUP_BATCH_SECONDS: "10",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^upkeep cleanup: deleted 50000 row\(s\) older than the retention cutoff \(public\.grow: 50000 in 6 batch\(es\), largest 25600, slowest \d+ ms; quiet: 0 in 0 batch\(es\)\) in \d+ s\n$/);
  // With 10 s per batch as the target, each batch is 4x the last until the rest fits.
  const batches = await batchesOf("grow");
  assert.deepEqual(batches.map((b) => b.rows), [100, 400, 1600, 6400, 25600, 15900]);
  assert.equal(new Set(batches.map((b) => b.xid)).size, 6, "each batch commits on its own");
  assert.equal(new Set(batches.map((b) => b.pid)).size, 1, "one session for the table");
  assert.equal(await num("SELECT count(*) FROM grow WHERE ts < now() - interval '30 days'"), 0);
  assert.equal(await num("SELECT count(*) FROM grow"), 1000);
  assert.equal(await num("SELECT count(*) FROM quiet"), 10);
});

test("cleanup.sh shrinks the next batch after one that ran slow", async () => {
  // Every deleted row costs at least 2 ms, so no batch can take 0.1 s with more than 50 rows.
  await maintSql(`${seed("shrink", 600, 5)} ${batchLog("shrink")}
    CREATE FUNCTION shrink_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN OLD; END $$;
    CREATE TRIGGER shrink_slow BEFORE DELETE ON shrink FOR EACH ROW EXECUTE FUNCTION shrink_slow();`);
  const r = await runScript("cleanup", { ...maintEnv(), UPKEEP_CLEANUP_TABLES: "shrink:ts:30:300", UPKEEP_CLEANUP_BATCH_SECONDS: "0.1" });
  assert.equal(r.code, 0, r.stderr);
  const m = r.stdout.match(/^upkeep cleanup: deleted 600 row\(s\) older than the retention cutoff \(shrink: 600 in (\d+) batch\(es\), largest 300, slowest (\d+) ms\) in \d+ s\n$/);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[2]) >= 600, `the first batch took at least 600 ms (${m[2]})`);
  const sizes = (await batchesOf("shrink")).map((b) => b.rows);
  assert.equal(sizes.length, Number(m[1]));
  assert.equal(sizes[0], 300);
  assert.ok(sizes.slice(1).every((n) => n >= 1 && n <= 50), `later batches ${sizes.slice(1).join(",")}`);
  assert.equal(await num("SELECT count(*) FROM shrink"), 5);
});

test("cleanup.sh takes runs of equal timestamps longer than a batch a batch at a time", async () => {
  await maintSql(`${seed("tied", 300, 50)} ${batchLog("tied")}
    INSERT INTO tied (ts) SELECT now() - interval '50 days' FROM generate_series(1, 1000);`);
  const r = await runScript("cleanup", { ...maintEnv(), UPKEEP_CLEANUP_TABLES: "tied:ts:30:100", UPKEEP_CLEANUP_BATCH_SECONDS: "10" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^upkeep cleanup: deleted 1300 row\(s\) older than the retention cutoff \(tied: 1300 in 3 batch\(es\), largest 800, slowest \d+ ms\) in \d+ s\n$/);
  assert.deepEqual((await batchesOf("tied")).map((b) => b.rows), [100, 400, 800]);
  assert.equal(await num("SELECT count(*) FROM tied"), 50);
  // A run that a trigger keeps is stepped over, not retried forever.
  await maintSql(`${seed("stepped", 300, 0)}
    INSERT INTO stepped (ts) SELECT now() - interval '50 days' FROM generate_series(1, 300);
    CREATE FUNCTION stepped_keep() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN IF OLD.ts < now() - interval '45 days' THEN RETURN NULL; END IF; RETURN OLD; END $$;
    CREATE TRIGGER stepped_keep BEFORE DELETE ON stepped FOR EACH ROW EXECUTE FUNCTION stepped_keep();`);
  const stepped = await runScript("cleanup", { ...maintEnv(), UPKEEP_CLEANUP_TABLES: "stepped:ts:30:100", UPKEEP_CLEANUP_BATCH_SECONDS: "10" });
  assert.equal(stepped.code, 0, stepped.stderr);
  assert.match(stepped.stdout, /^upkeep cleanup: deleted 300 row\(s\) older than the retention cutoff \(stepped: 300 in 3 batch\(es\), largest 200, slowest \d+ ms\) in \d+ s\n$/);
  assert.equal(await num("SELECT count(*) FROM stepped"), 300);
});

test("cleanup.sh retries a lock timeout after a pause, and fails after three attempts", async () => {
  await maintSql(seed("locked", 500, 5));
  const env = { ...maintEnv(), UPKEEP_CLEANUP_TABLES: "locked:ts:30:100", UPKEEP_LOCK_TIMEOUT: "200ms" };
  // Holds a SHARE lock on the table, which DELETE waits for, for `seconds`.
  const hold = async (seconds: number) => {
    const holder = spawn("psql", ["-X", "-q", "-c", `BEGIN; LOCK TABLE locked IN SHARE MODE; SELECT pg_sleep(${seconds}); COMMIT;`], {
      env: { PATH: process.env.PATH ?? "", ...maintEnv(), PGAPPNAME: "locker" },
      stdio: "ignore",
    });
    const done = new Promise((resolve) => holder.on("close", resolve));
    await eventually("SELECT count(*) > 0 FROM pg_locks WHERE relation = 'locked'::regclass AND mode = 'ShareLock' AND granted", "the lock");
    return { done }; // not the promise itself, which await would wait for
  };
  try {
    const held = await hold(30);
    const failed = await runScript("cleanup", env);
    assert.equal(failed.code, 1, `${failed.ms} ms: ${failed.stdout}${failed.stderr}`);
    assert.equal(failed.stderr, "upkeep cleanup: deleting from locked failed after 3 attempts: canceling statement due to lock timeout\n");
    assert.equal(failed.stdout, "");
    assert.ok(failed.ms >= 4000, `two pauses of 2 s, took ${failed.ms} ms`);
    assert.equal(await num("SELECT count(*) FROM locked"), 505);
    await pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'", DB);
    await held.done;

    const released = await hold(1);
    const r = await runScript("cleanup", env);
    await released.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^upkeep cleanup: deleted 500 row\(s\) older than the retention cutoff \(locked: 500 in \d+ batch\(es\), largest \d+, slowest \d+ ms\) in \d+ s\n$/);
    assert.ok(r.ms >= 2000, `retried after a pause of 2 s, took ${r.ms} ms`);
    assert.equal(await num("SELECT count(*) FROM locked"), 5);
  } finally {
    await pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'", DB);
  }
});

test("cleanup.sh hands over to a fresh session after statement_timeout, and fails on a batch that exceeds it", async () => {
  // 2 s of deleting at 5 ms a row: with statement_timeout 1s, more than one session.
  await maintSql(`${seed("chunked", 400, 10)} ${batchLog("chunked")}
    CREATE FUNCTION chunked_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.005); RETURN OLD; END $$;
    CREATE TRIGGER chunked_slow BEFORE DELETE ON chunked FOR EACH ROW EXECUTE FUNCTION chunked_slow();`);
  const r = await runScript("cleanup", {
    ...maintEnv(),
    UPKEEP_CLEANUP_TABLES: "chunked:ts:30:20",
    UPKEEP_CLEANUP_BATCH_SECONDS: "0.1",
    UPKEEP_STATEMENT_TIMEOUT: "1s",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^upkeep cleanup: deleted 400 row\(s\) older than the retention cutoff \(chunked: 400 in \d+ batch\(es\), largest \d+, slowest \d+ ms\) in \d+ s\n$/);
  const batches = await batchesOf("chunked");
  assert.equal(batches.reduce((a, b) => a + b.rows, 0), 400);
  assert.equal(new Set(batches.map((b) => b.xid)).size, batches.length);
  assert.ok(new Set(batches.map((b) => b.pid)).size >= 2, "more than one session");
  assert.equal(await num("SELECT count(*) FROM chunked"), 10);

  // A batch that alone outlasts twice the statement_timeout is cancelled and rolled back.
  await maintSql(`${seed("stuck", 100, 0)}
    CREATE FUNCTION stuck_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2.5); RETURN NULL; END $$;
    CREATE TRIGGER stuck_slow BEFORE DELETE ON stuck FOR EACH STATEMENT EXECUTE FUNCTION stuck_slow();`);
  const stuck = await runScript("cleanup", { ...maintEnv(), UPKEEP_CLEANUP_TABLES: "stuck:ts:30:100", UPKEEP_STATEMENT_TIMEOUT: "1s" });
  assert.equal(stuck.code, 1);
  assert.equal(stuck.stderr, "upkeep cleanup: deleting from stuck failed: canceling statement due to statement timeout\n");
  assert.equal(await num("SELECT count(*) FROM stuck"), 100);
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

  for (const seconds of ["0", "fast", "1.2.3", "11"]) {
    const r = await runScript("cleanup", { ...maintEnv(), UPKEEP_CLEANUP_TABLES: "public.bad:ts:90:10", UPKEEP_CLEANUP_BATCH_SECONDS: seconds });
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr, `upkeep cleanup: UPKEEP_CLEANUP_BATCH_SECONDS must be a number of seconds from 0.01 to 10, got '${seconds}'\n`);
    assert.equal(await num("SELECT count(*) FROM bad"), 50);
  }
});

test("the scripts pass shellcheck", async () => {
  const files = ["common", "vacuum", "reindex", "cleanup"].map((f) => `components/scripts/${f}.sh`);
  const { stdout } = await promisify(execFile)("shellcheck", ["-s", "sh", ...files]);
  assert.equal(stdout, "");
});
