// reindex.sh against a real PostgreSQL 15, as the least-privileged role
// `maint`: leftovers of interrupted runs (in pg_toast too), invalid indexes of
// other owners, a held lock, an old snapshot that stalls REINDEX
// CONCURRENTLY, the deadline and SIGTERM. Each test has its own database.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { useMaintenanceDbAndPushgateway, type Database, type MaintenanceDb } from "./support/maintenanceDb";
import { runScript, startScript, until } from "./support/scripts";
import type { Server } from "./support/monitoring";
import { assertPushedAsRecorded } from "./support/record";

let db: MaintenanceDb;
let gateway: Server;
useMaintenanceDbAndPushgateway((d, g) => ((db = d), (gateway = g)));

const reindex = (d: Database, env: Record<string, string> = {}) => runScript("reindex.sh", { ...d.env(), ...env });
const invalid = (d: Database) => d.sql("SELECT coalesce(string_agg(indexrelid::regclass::text, ' ' ORDER BY 1), '') FROM pg_index WHERE NOT indisvalid");

/**
 * A session as the superuser that holds a snapshot (idle in a REPEATABLE READ
 * transaction) or runs `sql`, until stopped: what makes REINDEX CONCURRENTLY wait.
 */
async function holder(d: Database, sql: string): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn("psql", ["-X", "-q", "-c", sql], {
    env: { PATH: process.env.PATH ?? "", ...d.superEnv(), PGAPPNAME: "holder" },
    stdio: "ignore",
  });
  const done = new Promise((resolve) => child.on("close", resolve));
  await d.eventually("SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'holder' AND state = 'active' AND query LIKE '%pg_sleep%'", "the holder");
  return {
    async stop() {
      await d.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holder'");
      await done;
    },
  };
}
const OLD_SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1; SELECT pg_sleep(60); COMMIT;";

/**
 * A session as maint that takes a lock and then sits idle in its transaction:
 * it holds the lock but no snapshot, so it blocks only that table.
 */
async function idleLock(d: Database, table: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn("psql", ["-X", "-q"], { env: { PATH: process.env.PATH ?? "", ...d.env(), PGAPPNAME: "locker" }, stdio: ["pipe", "ignore", "ignore"] });
  const done = new Promise((resolve) => child.on("close", resolve));
  child.stdin!.write(`BEGIN; LOCK TABLE ${table} IN SHARE MODE;\n`);
  await d.eventually(`SELECT count(*) > 0 FROM pg_locks WHERE relation = '${table}'::regclass AND mode = 'ShareLock' AND granted`, "the lock");
  return {
    async stop() {
      await d.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'");
      child.stdin!.end();
      await done;
    },
  };
}

test("drops _ccnew leftovers, rebuilds invalid indexes, reindexes its tables, and passes the server's warnings on", async () => {
  const d = await db.newDatabase("ri_basic");
  await d.maintSql(`CREATE TABLE ri (id int PRIMARY KEY, v int);
    INSERT INTO ri SELECT g, g FROM generate_series(1, 2000) g;
    CREATE INDEX ri_v_idx ON ri (v);
    CREATE INDEX ri_v_idx_ccnew ON ri (v);
    CREATE TABLE ex (id int, EXCLUDE USING btree (id WITH =));`);
  await d.sql("UPDATE pg_index SET indisvalid = false WHERE indexrelid IN ('ri_v_idx'::regclass, 'ri_v_idx_ccnew'::regclass)");
  const pkeyFile = await d.sql("SELECT pg_relation_filenode('ri_pkey')");

  const r = await reindex(d, { UPKEEP_TASK: "app-reindex", UPKEEP_KIND: "reindex", UPKEEP_ENVIRONMENT: "dev", UPKEEP_PUSHGATEWAY_URL: gateway.url });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, 'upkeep reindex: warning: cannot reindex exclusion constraint index "public.ex_id_excl" concurrently, skipping\n');
  assert.match(r.log, /^upkeep reindex: dropped 1 leftover index\(es\), rebuilt 1 invalid index\(es\), reindexed 2 of 2 table\(s\) in ri_basic in \d+ s\n$/);
  assert.deepEqual([r.outcome.task, r.outcome.kind, r.outcome.environment, r.outcome.outcome], ["app-reindex", "reindex", "dev", "success"]);
  assert.deepEqual(r.outcome.figures, {
    tables: 2, tablesReindexed: 2, indexesRebuilt: 4, invalidRebuilt: 1, leftoversDropped: 1, leftoversLeft: 0,
    tablesNotOwned: 0, invalidNotOwned: 0, failures: 0,
  });
  // The same outcome, as the record's gauges (indexesRebuilt, leftoversDropped).
  await assertPushedAsRecorded(gateway.url, r.outcome);
  assert.equal(await d.sql("SELECT to_regclass('ri_v_idx_ccnew') IS NULL"), "t");
  assert.equal(await invalid(d), "");
  // A concurrent reindex builds a new index file for every index of the table.
  assert.notEqual(await d.sql("SELECT pg_relation_filenode('ri_pkey')"), pkeyFile);
});

test("leftovers in pg_toast: one line naming the GRANT without USAGE on pg_toast, dropped with it", async () => {
  const d = await db.newDatabase("ri_toast");
  await d.maintSql(`CREATE TABLE tt (id int PRIMARY KEY, body text);
    INSERT INTO tt SELECT g, repeat('x', 3000) FROM generate_series(1, 50) g;`);
  // An interrupted REINDEX CONCURRENTLY (here the superuser's, stalled by an old snapshot) leaves
  // invalid _ccnew indexes beside the table's own, one of them on its TOAST table.
  const old = await holder(d, OLD_SNAPSHOT);
  const stalled = await new Promise<string>((resolve) =>
    execFile("psql", ["-X", "-q", "-c", "REINDEX TABLE CONCURRENTLY tt"], { env: { PATH: process.env.PATH ?? "", ...d.superEnv(), PGOPTIONS: "-c lock_timeout=1s" } }, (_e, _o, stderr) => resolve(stderr)),
  );
  assert.equal(stalled, "ERROR:  canceling statement due to lock timeout\n");
  await old.stop();
  const toast = await d.sql("SELECT 'pg_toast.' || relname FROM pg_class WHERE relname ~ '^pg_toast_\\d+_index_ccnew$'");
  assert.match(toast, /^pg_toast\.pg_toast_\d+_index_ccnew$/);
  assert.equal(await invalid(d), `tt_pkey_ccnew ${toast}`);

  const r = await reindex(d);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, [
    `upkeep reindex: cannot drop the leftover index ${toast} of public.tt: permission denied for schema pg_toast; run GRANT USAGE ON SCHEMA pg_toast TO maint, or drop it as a superuser`,
    `upkeep reindex: warning: cannot reindex invalid index "${toast}" concurrently, skipping`,
    "",
  ].join("\n"));
  assert.match(r.log, /^upkeep reindex: dropped 1 leftover index\(es\), rebuilt 0 invalid index\(es\), reindexed 1 of 1 table\(s\) in ri_toast in \d+ s\n$/);
  assert.deepEqual([r.outcome.outcome, r.outcome.reason], ["failed", "1 problem(s); see the lines above"]);
  assert.deepEqual([r.outcome.figures.leftoversDropped, r.outcome.figures.leftoversLeft], [1, 1]);
  assert.equal(await invalid(d), toast);

  await d.sql("GRANT USAGE ON SCHEMA pg_toast TO maint");
  const granted = await reindex(d);
  assert.equal(granted.code, 0, granted.stderr);
  assert.equal(granted.stderr, "");
  assert.match(granted.log, /^upkeep reindex: dropped 1 leftover index\(es\), rebuilt 0 invalid index\(es\), reindexed 1 of 1 table\(s\) in ri_toast in \d+ s\n$/);
  assert.equal(await invalid(d), "");
});

test("an invalid index on a table it does not own is skipped with a warning; its own tables are reindexed", async () => {
  const d = await db.newDatabase("ri_owner");
  await d.maintSql("CREATE TABLE mine (id int PRIMARY KEY, v int); CREATE INDEX mine_v ON mine (v);");
  await d.sql("CREATE TABLE theirs (id int PRIMARY KEY, v int); CREATE INDEX theirs_v ON theirs (v)");
  await d.sql("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'theirs_v'::regclass");
  const r = await reindex(d);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "upkeep reindex: warning: skipped invalid index public.theirs_v on public.theirs: owned by postgres, not by maint\n");
  assert.match(r.log, /^upkeep reindex: dropped 0 leftover index\(es\), rebuilt 0 invalid index\(es\), reindexed 1 of 1 table\(s\) in ri_owner, skipped 1 table\(s\) not owned by maint in \d+ s\n$/);
  assert.deepEqual(r.outcome.figures, {
    tables: 1, tablesReindexed: 1, indexesRebuilt: 2, invalidRebuilt: 0, leftoversDropped: 0, leftoversLeft: 0,
    tablesNotOwned: 1, invalidNotOwned: 1, failures: 0,
  });
  assert.equal(await invalid(d), "theirs_v");
});

test("a held lock: lock_timeout fails that table with one line, the next table is still reindexed", async () => {
  const d = await db.newDatabase("ri_lock");
  await d.maintSql("CREATE TABLE a_locked (id int PRIMARY KEY); CREATE TABLE b_free (id int PRIMARY KEY);");
  const lock = await idleLock(d, "a_locked");
  try {
    const freeFile = await d.sql("SELECT pg_relation_filenode('b_free_pkey')");
    const r = await reindex(d, { UPKEEP_LOCK_TIMEOUT: "1s" });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "upkeep reindex: reindexing public.a_locked failed: canceling statement due to lock timeout\n");
    assert.match(r.log, /^upkeep reindex: dropped 0 leftover index\(es\), rebuilt 0 invalid index\(es\), reindexed 1 of 2 table\(s\) in ri_lock in \d+ s\n$/);
    assert.equal(r.outcome.outcome, "failed");
    assert.notEqual(await d.sql("SELECT pg_relation_filenode('b_free_pkey')"), freeFile);
    assert.equal(await invalid(d), "");
  } finally {
    await lock.stop();
  }
});

test("an old snapshot stalls REINDEX CONCURRENTLY: lock_timeout ends it, and the leftovers it made are dropped", async () => {
  const d = await db.newDatabase("ri_snapshot");
  await d.maintSql("CREATE TABLE c (id int PRIMARY KEY, v int); CREATE INDEX c_v ON c (v);");
  const old = await holder(d, OLD_SNAPSHOT);
  try {
    const r = await reindex(d, { UPKEEP_LOCK_TIMEOUT: "1s" });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "upkeep reindex: reindexing public.c failed: canceling statement due to lock timeout; dropped 2 leftover index(es) it created\n");
    assert.deepEqual([r.outcome.figures.leftoversDropped, r.outcome.figures.leftoversLeft], [2, 0]);
    assert.equal(await invalid(d), "");
    assert.equal(await d.scriptSessions(), 0);
  } finally {
    await old.stop();
  }
});

test("the deadline inside the slot: statement_timeout ends a stalled REINDEX, its leftovers are dropped", async () => {
  const d = await db.newDatabase("ri_deadline");
  await d.maintSql("CREATE TABLE c (id int PRIMARY KEY, v int); CREATE INDEX c_v ON c (v);");
  const old = await holder(d, OLD_SNAPSHOT);
  try {
    const r = await reindex(d, { UPKEEP_DEADLINE_SECONDS: "3", UPKEEP_DEADLINE_MARGIN_SECONDS: "0" });
    assert.equal(r.code, 1);
    // It stops at the deadline, never before it; how much later depends on the machine's load.
    const stopped = /^upkeep reindex: stopped at the deadline after (\d+) s: dropped 2 leftover index\(es\), rebuilt 0 invalid index\(es\), reindexed 0 of 1 table\(s\) in ri_deadline; dropped 2 leftover index\(es\) it created\n$/.exec(r.stderr);
    assert.ok(stopped, r.stderr);
    assert.ok(Number(stopped[1]) >= 3, `stopped after ${stopped[1]} s, before the 3-second deadline`);
    assert.equal(r.outcome.outcome, "failed");
    assert.equal(await invalid(d), "");
    assert.equal(await d.scriptSessions(), 0);
  } finally {
    await old.stop();
  }
});

test("SIGTERM while REINDEX waits: one line, exit 143, its leftovers dropped, nothing left running", async () => {
  const d = await db.newDatabase("ri_term");
  await d.maintSql("CREATE TABLE c (id int PRIMARY KEY, v int); CREATE INDEX c_v ON c (v);");
  const old = await holder(d, OLD_SNAPSHOT);
  try {
    const run = startScript("reindex.sh", d.env());
    await until(async () => (await d.num("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'upkeep-%' AND query LIKE 'REINDEX TABLE%' AND wait_event_type = 'Lock'")) > 0, "the REINDEX to wait");
    process.kill(run.pid, "SIGTERM");
    const r = await run.done;
    assert.equal(r.code, 143);
    assert.match(r.stderr, /^upkeep reindex: stopped by SIGTERM after \d+ s; dropped 2 leftover index\(es\) it created\n$/);
    assert.deepEqual([r.outcome.outcome, r.outcome.figures.leftoversLeft], ["failed", 0]);
    assert.equal(await invalid(d), "");
    assert.equal(await d.scriptSessions(), 0);
  } finally {
    await old.stop();
  }
});
