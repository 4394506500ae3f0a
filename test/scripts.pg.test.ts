// What every database job script shares, against a real PostgreSQL 15: one
// clear line and the failed outcome when it cannot connect, the outcome line's
// contract, and the deadline computed from the slot. Each script's own faults
// are in cleanup.pg, reindex.pg and vacuum.pg.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { freePort } from "./support/postgres";
import { startMaintenanceDb, type MaintenanceDb } from "./support/maintenanceDb";
import { runScript } from "./support/scripts";

let db: MaintenanceDb;

before(async () => {
  db = await startMaintenanceDb();
  await db.maintSql("CREATE TABLE ev (id int PRIMARY KEY, ts timestamptz NOT NULL)");
});

after(async () => {
  await db?.stop();
});

test("a wrong password fails fast with one line, no password, and the failed outcome", async () => {
  const wrong = "not-the-password-" + randomBytes(4).toString("hex");
  for (const task of ["vacuum", "reindex", "cleanup"]) {
    const r = await runScript(`${task}.sh`, { ...db.pg.connEnv("maint", wrong, "app"), UPKEEP_CLEANUP_TABLES: "ev:ts:90:1000" });
    assert.equal(r.code, 1);
    assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^upkeep ${task}: cannot connect to 127\\.0\\.0\\.1:${db.pg.port}/app as maint: .*password authentication failed`));
    assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong));
    assert.equal(r.log, "");
    assert.deepEqual([r.outcome.kind, r.outcome.outcome, r.outcome.reason], [task, "failed", r.stderr.slice(`upkeep ${task}: `.length).trimEnd()]);
  }
});

test("an unreachable server fails fast with one line", async () => {
  const port = await freePort();
  const r = await runScript("vacuum.sh", { ...db.env(), PGPORT: String(port) });
  assert.equal(r.code, 1);
  assert.ok(r.ms < 5_000, `took ${r.ms} ms`);
  assert.equal(r.stderr, `upkeep vacuum: cannot connect to 127.0.0.1:${port}/app as maint: Connection refused\n`);
});

test("the outcome line: task, kind and environment from the Job, start and end in UTC, seconds between them", async () => {
  const before = Math.floor(Date.now() / 1000);
  const r = await runScript("cleanup.sh", {
    ...db.env(), UPKEEP_CLEANUP_TABLES: "ev:ts:90:1000", UPKEEP_TASK: "orders-cleanup", UPKEEP_KIND: "cleanup", UPKEEP_ENVIRONMENT: "prod",
  });
  const after = Math.ceil(Date.now() / 1000);
  assert.equal(r.code, 0, r.stderr);
  const o = r.outcome;
  assert.deepEqual([o.task, o.kind, o.environment, o.outcome, o.reason], ["orders-cleanup", "cleanup", "prod", "success", null]);
  assert.ok(Date.parse(o.start) / 1000 >= before && Date.parse(o.end) / 1000 <= after, `${o.start} … ${o.end}`);
  // Without them (a hand-made Job): the kind names the task, and the environment is null.
  const bare = await runScript("cleanup.sh", { ...db.env(), UPKEEP_CLEANUP_TABLES: "ev:ts:90:1000" });
  assert.deepEqual([bare.outcome.task, bare.outcome.kind, bare.outcome.environment], ["cleanup", "cleanup", null]);
});

test("outside its slot (a Job created by hand) the deadline counts from the script's start, and it says so", async () => {
  // A slot that starts three hours from now (UTC) has not begun.
  const start = new Date(Date.now() + 3 * 3600_000).toISOString().slice(11, 16);
  const r = await runScript("cleanup.sh", {
    ...db.env(), UPKEEP_CLEANUP_TABLES: "ev:ts:90:1000", UPKEEP_TIMEZONE: "UTC", UPKEEP_SLOT_START: start, UPKEEP_DEADLINE_SECONDS: "1800",
  });
  assert.equal(r.code, 0, r.stderr);
  const [note, summary] = r.log.split("\n");
  assert.match(note!, new RegExp(`^upkeep cleanup: not inside its slot \\(${start} UTC, 1800 s\\) at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: the deadline counts from the script's start$`));
  assert.match(summary!, /^upkeep cleanup: deleted 0 row\(s\)/);
});

test("bad deadline settings are rejected with exit 2 and one line", async () => {
  for (const [env, message] of [
    [{ UPKEEP_DEADLINE_SECONDS: "0" }, "UPKEEP_DEADLINE_SECONDS must be a positive integer, got '0'"],
    [{ UPKEEP_DEADLINE_MARGIN_SECONDS: "-1" }, "UPKEEP_DEADLINE_MARGIN_SECONDS must be a whole number of seconds, got '-1'"],
  ] as const) {
    const r = await runScript("vacuum.sh", { ...db.env(), ...env });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `upkeep vacuum: ${message}\n`);
    assert.deepEqual([r.outcome.outcome, r.outcome.reason], ["failed", message]);
  }
});

test("the scripts pass shellcheck", async () => {
  const files = ["common", "vacuum", "reindex", "cleanup", "period-guard"].map((f) => `components/scripts/${f}.sh`);
  const { stdout } = await promisify(execFile)("shellcheck", ["-s", "sh", ...files]);
  assert.equal(stdout, "");
});
