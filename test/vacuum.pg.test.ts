// vacuum.sh against a real PostgreSQL 15, as the least-privileged role
// `maint`: tables it may and may not vacuum, an exclusive lock, a schema it
// has no USAGE on, the deadline and SIGTERM. Each test has its own database,
// so the counts in its outcome are exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { useMaintenanceDbAndPushgateway, type Database, type MaintenanceDb } from "./support/maintenanceDb";
import { runScript, startScript, until } from "./support/scripts";
import type { Server } from "./support/monitoring";
import { assertPushedAsRecorded } from "./support/record";

let db: MaintenanceDb;
let gateway: Server;
useMaintenanceDbAndPushgateway((d, g) => ((db = d), (gateway = g)));

const vacuum = (d: Database, env: Record<string, string> = {}) => runScript("vacuum.sh", { ...d.env(), UPKEEP_VACUUM_JOBS: "2", ...env });

/** A table of maint's with dead tuples and no autovacuum. */
const deadTable = (name: string, rows = 2000) => `CREATE TABLE ${name} (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = false);
  INSERT INTO ${name} SELECT g, 'x' FROM generate_series(1, ${rows}) g;
  DELETE FROM ${name} WHERE id % 2 = 0;`;

const vacuumed = (d: Database, table: string) =>
  d.eventually(`SELECT n_dead_tup = 0 AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = '${table}'`, `${table} vacuumed`);

test("vacuums and analyzes every table it may, counting those it may not", async () => {
  const d = await db.newDatabase("vac_all");
  await d.maintSql(`${deadTable("t1")} ${deadTable("t2")}`);
  await d.sql("CREATE TABLE theirs (id int)");
  await d.eventually("SELECT n_dead_tup > 0 FROM pg_stat_user_tables WHERE relname = 't1'", "dead tuples");
  const r = await vacuum(d, { UPKEEP_TASK: "app-vacuum", UPKEEP_KIND: "vacuum", UPKEEP_ENVIRONMENT: "dev", UPKEEP_PUSHGATEWAY_URL: gateway.url });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.log, /^upkeep vacuum: vacuumed and analyzed 2 table\(s\) of vac_all, skipped 1 table\(s\) maint may not vacuum in \d+ s\n$/);
  assert.deepEqual([r.outcome.task, r.outcome.kind, r.outcome.environment, r.outcome.outcome], ["app-vacuum", "vacuum", "dev", "success"]);
  assert.deepEqual(r.outcome.figures, { tablesDone: 2, tablesSkipped: 0, tablesNotAllowed: 1, schemasSkipped: [] });
  // The same outcome, as the record's gauges (tablesDone, tablesSkipped).
  await assertPushedAsRecorded(gateway.url, r.outcome);
  await vacuumed(d, "t1");
  await vacuumed(d, "t2");
  assert.equal(await d.sql("SELECT last_vacuum IS NULL FROM pg_stat_user_tables WHERE relname = 'theirs'"), "t");
});

test("a table under an exclusive lock is skipped with a warning, not waited on", async () => {
  const d = await db.newDatabase("vac_locked");
  await d.maintSql(`${deadTable("busy")} ${deadTable("free")}`);
  const holder = spawn("psql", ["-X", "-q", "-c", "BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;"], {
    env: { PATH: process.env.PATH ?? "", ...d.env(), PGAPPNAME: "locker" },
    stdio: "ignore",
  });
  const held = new Promise((resolve) => holder.on("close", resolve));
  try {
    await d.eventually("SELECT count(*) > 0 FROM pg_locks WHERE relation = 'busy'::regclass AND mode = 'AccessExclusiveLock' AND granted", "the lock");
    const r = await vacuum(d);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'upkeep vacuum: warning: skipping vacuum of "busy" --- lock not available\n');
    assert.match(r.log, /^upkeep vacuum: vacuumed and analyzed 1 table\(s\) of vac_locked, skipped 1 locked table\(s\) in \d+ s\n$/);
    assert.ok(r.ms < 10_000, `did not wait for the lock: ${r.ms} ms`);
    assert.deepEqual([r.outcome.outcome, r.outcome.reason], ["partial", "skipped 1 locked table(s)"]);
    assert.deepEqual(r.outcome.figures, { tablesDone: 1, tablesSkipped: 1, tablesNotAllowed: 0, schemasSkipped: [] });
    await vacuumed(d, "free");
  } finally {
    await d.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'");
    await held;
  }
});

test("a schema without USAGE is skipped with a warning; the others are still vacuumed", async () => {
  const d = await db.newDatabase("vac_schema");
  await d.maintSql(deadTable("open"));
  // hidden: never granted. revoked: maint's own table, in a schema it lost USAGE on.
  await d.sql("CREATE SCHEMA hidden; CREATE TABLE hidden.h (id int); CREATE SCHEMA revoked; GRANT USAGE, CREATE ON SCHEMA revoked TO maint");
  await d.maintSql("CREATE TABLE revoked.mine (id int)");
  await d.sql("REVOKE USAGE ON SCHEMA revoked FROM maint");
  const r = await vacuum(d);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, [
    "upkeep vacuum: warning: skipped schema hidden (1 table(s)): maint has no USAGE on it",
    "upkeep vacuum: warning: skipped schema revoked (1 table(s)): maint has no USAGE on it",
    "",
  ].join("\n"));
  assert.match(r.log, /^upkeep vacuum: vacuumed and analyzed 1 table\(s\) of vac_schema, skipped schema\(s\) hidden, revoked \(no USAGE\) in \d+ s\n$/);
  assert.equal(r.outcome.outcome, "success");
  assert.deepEqual(r.outcome.figures, { tablesDone: 1, tablesSkipped: 0, tablesNotAllowed: 0, schemasSkipped: ["hidden", "revoked"] });
  await vacuumed(d, "open");
});

// Vacuum made slow on purpose: every page costs the whole budget, then a 100 ms sleep.
const SLOW = { PGOPTIONS: "-c vacuum_cost_delay=100 -c vacuum_cost_limit=1" };

test("the deadline inside the slot ends a long vacuum with one line, and its sessions on the server", async () => {
  const d = await db.newDatabase("vac_deadline");
  await d.maintSql(deadTable("big", 20000));
  const r = await vacuum(d, { ...SLOW, UPKEEP_DEADLINE_SECONDS: "3", UPKEEP_DEADLINE_MARGIN_SECONDS: "0" });
  assert.equal(r.code, 1);
  // It stops at the deadline, never before it; how much later depends on the machine's load.
  const stopped = /^upkeep vacuum: stopped at the deadline after (\d+) s: vacuuming 1 table\(s\) of vac_deadline did not finish\n$/.exec(r.stderr);
  assert.ok(stopped, r.stderr);
  assert.ok(Number(stopped[1]) >= 3, `stopped after ${stopped[1]} s, before the 3-second deadline`);
  assert.equal(r.log, "");
  assert.equal(r.outcome.outcome, "failed");
  assert.deepEqual(r.outcome.figures, { tablesDone: null, tablesSkipped: 0, tablesNotAllowed: 0, schemasSkipped: [] });
  assert.equal(await d.scriptSessions(), 0);
});

test("SIGTERM: one line, exit 143, no session left on the server", async () => {
  const d = await db.newDatabase("vac_term");
  await d.maintSql(deadTable("big", 20000));
  const run = startScript("vacuum.sh", { ...d.env(), ...SLOW });
  await until(async () => (await d.num("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'upkeep-%' AND query LIKE 'VACUUM%'")) > 0, "the VACUUM");
  process.kill(run.pid, "SIGTERM");
  const r = await run.done;
  assert.equal(r.code, 143);
  assert.match(r.stderr, /^upkeep vacuum: stopped by SIGTERM after \d+ s\n$/);
  assert.equal(await d.scriptSessions(), 0);
  assert.deepEqual([r.outcome.outcome, r.outcome.reason], ["failed", r.stderr.slice("upkeep vacuum: ".length).trimEnd()]);
});
