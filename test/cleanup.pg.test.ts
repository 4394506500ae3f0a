// cleanup.sh against a real PostgreSQL 15, run the way the CronJob runs it, as
// the least-privileged role `maint` that owns the tables: batches beside a
// writer, tables with and without an index, every column type, tables that
// fail, held locks, the deadline and SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { useMaintenanceDbAndPushgateway, type MaintenanceDb } from "./support/maintenanceDb";
import { runScript, startScript, until, type Run } from "./support/scripts";
import type { Server } from "./support/monitoring";
import { assertPushedAsRecorded } from "./support/record";

let db: MaintenanceDb;
let gateway: Server;
useMaintenanceDbAndPushgateway((d, g) => ((db = d), (gateway = g)));

const cleanup = (tables: string, env: Record<string, string> = {}) =>
  runScript("cleanup.sh", { ...db.env(), UPKEEP_CLEANUP_TABLES: tables, ...env });

interface TableFigures { table: string; status: string; deleted: number; rowsLeft: number | null; rowsLeftEstimated: boolean | null; column: string; type: string | null; mode: string; cutoff: string | null }
const tablesOf = (r: Run) => (r.outcome.figures as { tables: TableFigures[] }).tables;

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
  const out = await db.sql(`SELECT concat_ws(' ', rows, xid, pid) FROM ${table}_batches ORDER BY n`);
  return out === "" ? [] : out.split("\n").map((l) => {
    const [rows, xid, pid] = l.split(" ");
    return { rows: Number(rows), xid: xid!, pid: pid! };
  });
}

/** `rows` rows `days` days old, one second apart, and `fresh` rows of now; with an index on ts unless `index` is false. */
const seed = (table: string, rows: number, fresh = 0, days = 40, index = true) => `
  CREATE TABLE ${table} (id serial PRIMARY KEY, ts timestamptz NOT NULL) WITH (autovacuum_enabled = false);
  ${index ? `CREATE INDEX ON ${table} (ts);` : ""}
  INSERT INTO ${table} (ts) SELECT now() - interval '${days} days' - g * interval '1 second' FROM generate_series(1, ${rows}) g;
  INSERT INTO ${table} (ts) SELECT now() FROM generate_series(1, ${fresh}) g;`;

const SUMMARY = (body: string) => new RegExp(`^upkeep cleanup: deleted ${body} in \\d+ s\\n$`);

test("deletes only expired rows, in batches, beside a concurrent writer", async () => {
  await db.maintSql(`CREATE TABLE ev (id bigserial PRIMARY KEY, ts timestamptz NOT NULL, payload text NOT NULL);
    CREATE INDEX ev_ts_idx ON ev (ts);
    INSERT INTO ev (ts, payload)
      SELECT CASE WHEN g % 5 < 3 THEN now() - interval '91 days' - g * interval '1 minute'
                  ELSE now() - interval '89 days' + g * interval '1 minute' END, 'seed'
      FROM generate_series(1, 20000) g;
    CREATE TABLE kept AS SELECT id FROM ev WHERE ts > now() - interval '90 days';
    CREATE TABLE writer (stop boolean NOT NULL, inserted int NOT NULL);
    INSERT INTO writer VALUES (false, 0);`);
  assert.equal(await db.num("SELECT count(*) FROM ev WHERE ts < now() - interval '90 days'"), 12000);
  const keptBefore = await db.num("SELECT count(*) FROM kept");

  // Inserts fresh rows and updates surviving rows until told to stop,
  // counting its inserts in the same transactions.
  const writer = spawn("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", `DO $$
    BEGIN
      WHILE NOT (SELECT stop FROM writer) LOOP
        INSERT INTO ev (ts, payload) VALUES (now(), 'writer');
        UPDATE writer SET inserted = inserted + 1;
        UPDATE ev SET payload = 'seed' WHERE id IN (SELECT id FROM kept ORDER BY random() LIMIT 3);
        COMMIT;
        PERFORM pg_sleep(0.002);
      END LOOP;
    END $$`], { env: { PATH: process.env.PATH ?? "", ...db.env() }, stdio: ["ignore", "ignore", "pipe"] });
  let writerErr = "";
  writer.stderr.on("data", (d) => (writerErr += d));
  const writerDone = new Promise<number | null>((resolve) => writer.on("close", resolve));
  try {
    await db.eventually("SELECT inserted > 0 FROM writer", "the writer to start");
    const r = await cleanup("public.ev:ts:90:1000", { UPKEEP_TASK: "app-cleanup", UPKEEP_KIND: "cleanup", UPKEEP_ENVIRONMENT: "dev" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const m = r.log.match(SUMMARY(`(\\d+) row\\(s\\) older than the retention cutoff \\(public\\.ev: \\d+ in (\\d+) batch\\(es\\), largest \\d+, slowest \\d+ ms\\)`));
    assert.ok(m, r.log);
    assert.equal(Number(m[1]), 12000);
    assert.ok(Number(m[2]) > 1, "more than one batch");
    assert.deepEqual([r.outcome.task, r.outcome.kind, r.outcome.environment, r.outcome.outcome, r.outcome.reason], ["app-cleanup", "cleanup", "dev", "success", null]);
    const [t] = tablesOf(r);
    assert.deepEqual({ ...t, cutoff: undefined }, {
      table: "public.ev", status: "done", deleted: 12000, rowsLeft: 0, rowsLeftEstimated: false,
      column: "ts", type: "timestamp with time zone", mode: "index", cutoff: undefined,
    });
    assert.match(t!.cutoff!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/);
    assert.equal((r.outcome.figures as { deleted: number }).deleted, 12000);

    await db.sql("UPDATE writer SET stop = true");
    assert.equal(await writerDone, 0, writerErr);

    assert.equal(await db.num("SELECT count(*) FROM ev WHERE ts < now() - interval '90 days'"), 0);
    assert.equal(await db.num("SELECT count(*) FROM kept WHERE id NOT IN (SELECT id FROM ev)"), 0);
    assert.equal(await db.num("SELECT count(*) FROM kept"), keptBefore);
    const inserted = await db.num("SELECT inserted FROM writer");
    assert.ok(inserted > 0);
    assert.equal(await db.num("SELECT count(*) FROM ev WHERE payload = 'writer'"), inserted);

    const again = await cleanup("public.ev:ts:90:1000");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.log, SUMMARY("0 row\\(s\\) older than the retention cutoff \\(public\\.ev: 0 in 0 batch\\(es\\)\\)"));
  } finally {
    await db.sql("UPDATE writer SET stop = true").catch(() => {});
    writer.kill();
    await writerDone;
  }
});

test("a table without an index is walked in block ranges, never scanned again per batch", async () => {
  // 20,000 expired rows in time order, then 2,000 fresh ones; no index on ts.
  await db.maintSql(`${seed("heap", 20000, 2000, 40, false)} ${batchLog("heap")}`);
  await db.sql("ANALYZE heap");
  const scans = () => db.num("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'heap'");
  // Building the primary key scanned the table once; its statistics arrive when that session ends.
  await until(async () => (await scans()) === 1, "the primary key's build in the statistics");
  const before = await scans();
  const r = await cleanup("heap:ts:30:500", { UPKEEP_CLEANUP_BATCH_SECONDS: "10" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.log, SUMMARY("20000 row\\(s\\) older than the retention cutoff \\(heap: 20000 in (\\d+) batch\\(es\\), largest \\d+, slowest \\d+ ms\\)"));
  assert.deepEqual(tablesOf(r).map((t) => [t.mode, t.deleted, t.rowsLeft]), [["blocks", 20000, 0]]);
  const batches = await batchesOf("heap");
  assert.ok(batches.length > 2, `${batches.length} batches`);
  assert.equal(new Set(batches.map((b) => b.xid)).size, batches.length, "each batch commits on its own");
  // The ranges grow 4x at a time toward 10 s: each batch deletes more than the last until the expired rows end.
  const sizes = batches.map((b) => b.rows).filter((n) => n > 0);
  for (let i = 1; i < sizes.length - 1; i++) assert.ok(sizes[i]! > sizes[i - 1]!, `sizes ${sizes.join(",")}`);
  // TID range scans are not sequential scans: the only one is the final count of what is left.
  await until(async () => (await scans()) > before, "the statistics");
  assert.equal((await scans()) - before, 1);
  assert.equal(await db.num("SELECT count(*) FROM heap"), 2000);
});

/**
 * The column types. Each table holds rows spread over two days around the
 * retention boundary, each with the instant it stands for (truth) and the
 * value a writer stored: the timestamptz itself, the wall-clock time in the
 * writer's zone, or the date there. A trigger records the truth of every
 * deleted row. No deleted row may be newer than the cutoff, whatever zone
 * wrote it (for a date: its whole day lies before the cutoff).
 */
const typed = (table: string, type: string, zones: readonly string[]) => `
  CREATE TABLE ${table} (id serial, truth timestamptz NOT NULL, zone text NOT NULL, v ${type} NOT NULL);
  CREATE TABLE ${table}_gone (truth timestamptz, zone text);
  CREATE FUNCTION ${table}_gone() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN INSERT INTO ${table}_gone SELECT truth, zone FROM old_rows; RETURN NULL; END $$;
  CREATE TRIGGER ${table}_gone AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ${table}_gone();
  INSERT INTO ${table} (truth, zone, v)
    SELECT t, z, ${type === "timestamptz" ? "t" : type === "date" ? "(t AT TIME ZONE z)::date" : "t AT TIME ZONE z"}
    FROM unnest(ARRAY[${zones.map((z) => `'${z}'`).join(", ")}]) z,
         generate_series(now() - interval '32 days', now() - interval '28 days', interval '10 minutes') t;`;

test("never deletes a row newer than the cutoff: timestamptz, timestamp and date, with and without timestampZone", async () => {
  const every = ["Etc/GMT+12", "America/New_York", "UTC", "Europe/Berlin", "Pacific/Kiritimati"];
  await db.maintSql([
    typed("t_tz", "timestamptz", ["UTC"]),
    typed("t_ny", "timestamp", ["America/New_York"]),
    typed("t_any", "timestamp", every),
    typed("d_berlin", "date", ["Europe/Berlin"]),
    typed("d_any", "date", every),
  ].join("\n"));
  const t0 = Date.parse(await db.sql("SELECT to_json(now())::text").then((s) => JSON.parse(s) as string));
  const r = await cleanup("t_tz:v:30:100 t_ny:v:30:100:America/New_York t_any:v:30:100 d_berlin:v:30:100:Europe/Berlin d_any:v:30:100");
  const t1 = Date.now();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.equal(
    r.log.split("\n").filter((l) => l.includes("timestampZone")).join("\n"),
    [
      "upkeep cleanup: t_any: v is timestamp without time zone and has no timestampZone: using the cutoff safe in every zone, 12 h before the UTC cutoff",
      "upkeep cleanup: d_any: v is a date and has no timestampZone: using the cutoff safe in every zone, 12 h before the UTC cutoff",
    ].join("\n"),
  );
  assert.deepEqual(tablesOf(r).map((t) => [t.table, t.type, t.status, t.rowsLeft]), [
    ["t_tz", "timestamp with time zone", "done", 0],
    ["t_ny", "timestamp without time zone", "done", 0],
    ["t_any", "timestamp without time zone", "done", 0],
    ["d_berlin", "date", "done", 0],
    ["d_any", "date", "done", 0],
  ]);
  const day = 86_400_000;
  const hour = 3_600_000;
  // The cutoff lies between now() - 30 days before and after the run.
  const cutoffAtMost = t1 - 30 * day;
  const cutoffAtLeast = t0 - 30 * day;
  const newestGone = async (t: string) => Date.parse(JSON.parse(await db.sql(`SELECT to_json(max(truth))::text FROM ${t}_gone`)) as string);
  const oldestKept = async (t: string) => Date.parse(JSON.parse(await db.sql(`SELECT to_json(min(truth))::text FROM ${t}`)) as string);
  // (A UTC cutoff compared with New York wall-clock time would delete rows up to 5 hours newer.)
  for (const t of ["t_tz", "t_ny", "t_any", "d_berlin", "d_any"]) {
    const gone = await newestGone(t);
    assert.ok(gone < cutoffAtMost, `${t}: deleted a row of ${new Date(gone).toISOString()}, not before the cutoff`);
    // For a date, the row's instant may be anywhere in its day: the whole day must lie before the cutoff.
    if (t.startsWith("d_")) {
      const dayEnd = await db.sql(`SELECT to_json(max(((truth AT TIME ZONE zone)::date + 1)::timestamp AT TIME ZONE zone))::text FROM ${t}_gone`);
      assert.ok(Date.parse(JSON.parse(dayEnd) as string) <= cutoffAtMost, `${t}: deleted a day that ends at ${dayEnd}`);
    }
  }
  // And each cleans what it can: the zone's own offset, or the offset safe in every zone.
  assert.ok((await oldestKept("t_tz")) >= cutoffAtLeast - 10 * 60_000, "timestamptz: nothing expired left");
  assert.ok((await oldestKept("t_ny")) >= cutoffAtLeast - 2 * hour, "timestamp in its zone: at most a clock change left");
  assert.ok((await oldestKept("t_any")) >= cutoffAtLeast - 27 * hour, "timestamp in any zone: at most UTC+14 to UTC-12 left");
  assert.ok((await oldestKept("d_berlin")) >= cutoffAtLeast - 1 * day - 2 * hour, "date in its zone: at most the cutoff's day left");
  assert.ok((await oldestKept("d_any")) >= cutoffAtLeast - 2 * day - 3 * hour, "date in any zone: at most two days left");
});

test("one bad table never blocks the others: a missing table, a missing privilege, a foreign key still referencing", async () => {
  await db.maintSql(`${seed("good1", 100, 5)} ${seed("good2", 100, 5)} ${seed("good3", 100, 5)} ${seed("parent", 100, 5)}
    CREATE TABLE child (id int, parent_id int CONSTRAINT child_parent_fk REFERENCES parent ON DELETE RESTRICT);
    INSERT INTO child SELECT 1, min(id) FROM parent;`);
  await db.sql(`${seed("secret", 100, 5)}`);
  const r = await cleanup("public.missing:ts:30:50 good1:ts:30:50 public.secret:ts:30:50 good2:ts:30:50 public.parent:ts:30:50 good3:ts:30:50", {
    UPKEEP_TASK: "app-cleanup",
    UPKEEP_KIND: "cleanup",
    UPKEEP_ENVIRONMENT: "dev",
    UPKEEP_PUSHGATEWAY_URL: gateway.url,
  });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, [
    "upkeep cleanup: deleting from public.missing failed: table public.missing does not exist",
    "upkeep cleanup: deleting from public.secret failed: permission denied: maint needs DELETE on public.secret and SELECT on its column ts",
    "upkeep cleanup: deleting from public.parent failed: rows older than the cutoff are still referenced through foreign key child_parent_fk from table public.child",
    "",
  ].join("\n"));
  assert.match(r.log, SUMMARY("350 row\\(s\\) older than the retention cutoff \\(public\\.missing: failed; good1: 100 in \\d batch\\(es\\), largest \\d+, slowest \\d+ ms; public\\.secret: failed; good2: 100 in \\d batch\\(es\\), largest \\d+, slowest \\d+ ms; public\\.parent: failed after deleting 50; good3: 100 in \\d batch\\(es\\), largest \\d+, slowest \\d+ ms\\)"));
  assert.equal(r.outcome.outcome, "failed");
  assert.equal(r.outcome.reason, "3 of 6 table(s) failed");
  assert.deepEqual(tablesOf(r).map((t) => [t.table, t.status, t.deleted]), [
    ["public.missing", "failed", 0], ["good1", "done", 100], ["public.secret", "failed", 0],
    ["good2", "done", 100], ["public.parent", "failed", 50], ["good3", "done", 100],
  ]);
  // The same outcome, as the record's gauges: deleted per table, rows left where counted.
  await assertPushedAsRecorded(gateway.url, r.outcome);
  for (const t of ["good1", "good2", "good3"]) assert.equal(await db.num(`SELECT count(*) FROM ${t}`), 5);
  assert.equal(await db.num("SELECT count(*) FROM secret"), 105);
  // The referenced row is the newest expired one: the first batch of 50 went, the
  // batch that met the row rolled back whole.
  assert.equal(await db.num("SELECT count(*) FROM parent"), 55);
  assert.equal(await db.num("SELECT count(*) FROM parent WHERE id = (SELECT parent_id FROM child)"), 1);
});

test("stops cleanly before the end of its slot, which counts from the slot's start, not the script's", async () => {
  await db.maintSql(`CREATE TABLE slow (id serial PRIMARY KEY, ts timestamptz NOT NULL);
    CREATE INDEX ON slow (ts);
    INSERT INTO slow (ts) SELECT now() - interval '100 days' FROM generate_series(1, 1000);
    INSERT INTO slow (ts) SELECT now() - interval '10 days' FROM generate_series(1, 100);
    CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN PERFORM pg_sleep(1.2); RETURN NULL; END $$;
    CREATE TRIGGER slow_delete BEFORE DELETE ON slow FOR EACH STATEMENT EXECUTE FUNCTION slow_down();`);
  // The slot started at the last full minute but one (UTC), and ends 14 s from now.
  const now = Math.ceil(Date.now() / 1000);
  const start = Math.floor(now / 60) * 60 - 60;
  const hhmm = new Date(start * 1000).toISOString().slice(11, 16);
  const r = await cleanup("slow:ts:90:100", {
    UPKEEP_TIMEZONE: "UTC",
    UPKEEP_SLOT_START: hhmm,
    UPKEEP_DEADLINE_SECONDS: String(now - start + 14),
    UPKEEP_DEADLINE_MARGIN_SECONDS: "0",
  });
  assert.equal(r.code, 0, r.stderr);
  const m = r.log.match(/^upkeep cleanup: stopped at the deadline after deleting (\d+) row\(s\) \(slow: \1 in \d+ batch\(es\), largest \d+, slowest \d+ ms\) in \d+ s; the next run continues\n$/);
  assert.ok(m, r.log);
  const deleted = Number(m[1]);
  assert.ok(deleted > 0 && deleted < 1000, `deleted ${deleted}`);
  assert.ok(r.ms < 15_000, `took ${r.ms} ms`);
  assert.equal(r.outcome.outcome, "partial");
  assert.equal(r.outcome.reason, "stopped at the deadline; the next run continues");
  assert.deepEqual(tablesOf(r).map((t) => [t.status, t.deleted, t.rowsLeft, t.rowsLeftEstimated]), [["deadline", deleted, 1000 - deleted, false]]);
  assert.equal(await db.num("SELECT count(*) FROM slow WHERE ts < now() - interval '90 days'"), 1000 - deleted);
  assert.equal(await db.num("SELECT count(*) FROM slow WHERE ts > now() - interval '90 days'"), 100);
});

test("SIGTERM: one line, the batch in progress rolled back, no session left on the server", async () => {
  await db.maintSql(`${seed("termed", 600, 5)} ${batchLog("termed")}
    CREATE FUNCTION termed_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$;
    CREATE TRIGGER termed_slow BEFORE DELETE ON termed FOR EACH STATEMENT EXECUTE FUNCTION termed_slow();`);
  const run = startScript("cleanup.sh", { ...db.env(), UPKEEP_CLEANUP_TABLES: "termed:ts:30:10", UPKEEP_CLEANUP_BATCH_SECONDS: "0.01" });
  await until(async () => (await db.num("SELECT count(*) FROM termed_batches")) >= 2, "two batches");
  process.kill(run.pid, "SIGTERM");
  const r = await run.done;
  assert.equal(r.code, 143);
  assert.match(r.stderr, /^upkeep cleanup: stopped by SIGTERM after \d+ s; the batch in progress was rolled back\n$/);
  assert.equal(await db.scriptSessions(), 0, "no session of the script left");
  const deleted = 605 - (await db.num("SELECT count(*) FROM termed"));
  assert.equal(deleted, (await batchesOf("termed")).reduce((a, b) => a + b.rows, 0), "only committed batches");
  assert.equal(r.outcome.outcome, "failed");
  assert.equal(r.outcome.reason, r.stderr.slice("upkeep cleanup: ".length).trimEnd());
  assert.deepEqual(tablesOf(r).map((t) => [t.table, t.status, t.deleted]), [["termed", "stopped", deleted]]);
});

test("a session killed on the server (pg_terminate_backend) fails that table with one line; the next is still cleaned", async () => {
  await db.maintSql(`${seed("killed", 300, 5)} ${batchLog("killed")} ${seed("after_killed", 50, 5)}
    CREATE FUNCTION killed_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$;
    CREATE TRIGGER killed_slow BEFORE DELETE ON killed FOR EACH STATEMENT EXECUTE FUNCTION killed_slow();`);
  const run = startScript("cleanup.sh", { ...db.env(), UPKEEP_CLEANUP_TABLES: "killed:ts:30:10 after_killed:ts:30:100", UPKEEP_CLEANUP_BATCH_SECONDS: "0.01" });
  await until(async () => (await db.num("SELECT count(*) FROM killed_batches")) >= 1, "a first batch");
  assert.equal(await db.num("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'upkeep-%'"), 1);
  const r = await run.done;
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "upkeep cleanup: deleting from killed failed: terminating connection due to administrator command\n");
  const deleted = (await batchesOf("killed")).reduce((a, b) => a + b.rows, 0);
  assert.equal(await db.num("SELECT count(*) FROM killed"), 305 - deleted);
  assert.equal(await db.num("SELECT count(*) FROM after_killed"), 5);
  assert.ok(deleted > 0);
  // The batches that committed before the kill count in the outcome.
  assert.deepEqual(tablesOf(r).map((t) => [t.table, t.status, t.deleted]), [["killed", "failed", deleted], ["after_killed", "done", 50]]);
});

test("grows each batch from the last one's rate, one transaction per batch, one session per table", async () => {
  await db.maintSql(`${seed("grow", 50000, 1000)} ${batchLog("grow")} ${seed("quiet", 0, 10)}`);
  const r = await cleanup("public.grow:ts:30:100 quiet:ts:30:100", { UPKEEP_CLEANUP_BATCH_SECONDS: "10" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.log, SUMMARY("50000 row\\(s\\) older than the retention cutoff \\(public\\.grow: 50000 in 6 batch\\(es\\), largest 25600, slowest \\d+ ms; quiet: 0 in 0 batch\\(es\\)\\)"));
  // With 10 s per batch as the target, each batch is 4x the last until the rest fits.
  const batches = await batchesOf("grow");
  assert.deepEqual(batches.map((b) => b.rows), [100, 400, 1600, 6400, 25600, 15900]);
  assert.equal(new Set(batches.map((b) => b.xid)).size, 6, "each batch commits on its own");
  assert.equal(new Set(batches.map((b) => b.pid)).size, 1, "one session for the table");
  assert.equal(await db.num("SELECT count(*) FROM grow WHERE ts < now() - interval '30 days'"), 0);
  assert.equal(await db.num("SELECT count(*) FROM grow"), 1000);
  assert.equal(await db.num("SELECT count(*) FROM quiet"), 10);
});

test("shrinks the next batch after one that ran slow", async () => {
  // Every deleted row costs at least 2 ms, so no batch can take 0.1 s with more than 50 rows.
  await db.maintSql(`${seed("shrink", 600, 5)} ${batchLog("shrink")}
    CREATE FUNCTION shrink_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN OLD; END $$;
    CREATE TRIGGER shrink_slow BEFORE DELETE ON shrink FOR EACH ROW EXECUTE FUNCTION shrink_slow();`);
  const r = await cleanup("shrink:ts:30:300", { UPKEEP_CLEANUP_BATCH_SECONDS: "0.1" });
  assert.equal(r.code, 0, r.stderr);
  const m = r.log.match(SUMMARY("600 row\\(s\\) older than the retention cutoff \\(shrink: 600 in (\\d+) batch\\(es\\), largest 300, slowest (\\d+) ms\\)"));
  assert.ok(m, r.log);
  assert.ok(Number(m[2]) >= 600, `the first batch took at least 600 ms (${m[2]})`);
  const sizes = (await batchesOf("shrink")).map((b) => b.rows);
  assert.equal(sizes.length, Number(m[1]));
  assert.equal(sizes[0], 300);
  assert.ok(sizes.slice(1).every((n) => n >= 1 && n <= 50), `later batches ${sizes.slice(1).join(",")}`);
  assert.equal(await db.num("SELECT count(*) FROM shrink"), 5);
});

test("takes runs of equal timestamps longer than a batch a batch at a time", async () => {
  await db.maintSql(`${seed("tied", 300, 50)} ${batchLog("tied")}
    INSERT INTO tied (ts) SELECT now() - interval '50 days' FROM generate_series(1, 1000);`);
  const r = await cleanup("tied:ts:30:100", { UPKEEP_CLEANUP_BATCH_SECONDS: "10" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.log, SUMMARY("1300 row\\(s\\) older than the retention cutoff \\(tied: 1300 in 3 batch\\(es\\), largest 800, slowest \\d+ ms\\)"));
  assert.deepEqual((await batchesOf("tied")).map((b) => b.rows), [100, 400, 800]);
  assert.equal(await db.num("SELECT count(*) FROM tied"), 50);
  // A run that a trigger keeps is stepped over, not retried forever.
  await db.maintSql(`${seed("stepped", 300, 0)}
    INSERT INTO stepped (ts) SELECT now() - interval '50 days' FROM generate_series(1, 300);
    CREATE FUNCTION stepped_keep() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN IF OLD.ts < now() - interval '45 days' THEN RETURN NULL; END IF; RETURN OLD; END $$;
    CREATE TRIGGER stepped_keep BEFORE DELETE ON stepped FOR EACH ROW EXECUTE FUNCTION stepped_keep();`);
  const stepped = await cleanup("stepped:ts:30:100", { UPKEEP_CLEANUP_BATCH_SECONDS: "10" });
  assert.equal(stepped.code, 0, stepped.stderr);
  assert.match(stepped.log, SUMMARY("300 row\\(s\\) older than the retention cutoff \\(stepped: 300 in 3 batch\\(es\\), largest 200, slowest \\d+ ms\\)"));
  assert.equal(await db.num("SELECT count(*) FROM stepped"), 300);
  assert.deepEqual(tablesOf(stepped).map((t) => t.rowsLeft), [300], "the rows the trigger kept are still older than the cutoff");
});

test("retries a lock timeout after a pause; after three attempts that table fails and the next is cleaned", async () => {
  await db.maintSql(`${seed("locked", 500, 5)} ${seed("after_locked", 50, 5)}`);
  const env = { UPKEEP_LOCK_TIMEOUT: "200ms" };
  // Holds a SHARE lock on the table, which DELETE waits for, for `seconds`.
  const hold = async (seconds: number) => {
    const holder = spawn("psql", ["-X", "-q", "-c", `BEGIN; LOCK TABLE locked IN SHARE MODE; SELECT pg_sleep(${seconds}); COMMIT;`], {
      env: { PATH: process.env.PATH ?? "", ...db.env(), PGAPPNAME: "locker" },
      stdio: "ignore",
    });
    const done = new Promise((resolve) => holder.on("close", resolve));
    await db.eventually("SELECT count(*) > 0 FROM pg_locks WHERE relation = 'locked'::regclass AND mode = 'ShareLock' AND granted", "the lock");
    return { done }; // not the promise itself, which await would wait for
  };
  try {
    const held = await hold(30);
    const failed = await cleanup("locked:ts:30:100 after_locked:ts:30:100", env);
    assert.equal(failed.code, 1, `${failed.ms} ms: ${failed.stdout}${failed.stderr}`);
    assert.equal(failed.stderr, "upkeep cleanup: deleting from locked failed: canceling statement due to lock timeout after 3 attempts\n");
    assert.match(failed.log, SUMMARY("50 row\\(s\\) older than the retention cutoff \\(locked: failed; after_locked: 50 in 1 batch\\(es\\), largest 50, slowest \\d+ ms\\)"));
    assert.ok(failed.ms >= 4000, `two pauses of 2 s, took ${failed.ms} ms`);
    assert.equal(await db.num("SELECT count(*) FROM locked"), 505);
    assert.equal(await db.num("SELECT count(*) FROM after_locked"), 5);
    await db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'");
    await held.done;

    const released = await hold(1);
    const r = await cleanup("locked:ts:30:100", env);
    await released.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.log, SUMMARY("500 row\\(s\\) older than the retention cutoff \\(locked: 500 in \\d+ batch\\(es\\), largest \\d+, slowest \\d+ ms\\)"));
    assert.ok(r.ms >= 2000, `retried after a pause of 2 s, took ${r.ms} ms`);
    assert.equal(await db.num("SELECT count(*) FROM locked"), 5);
  } finally {
    await db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'");
  }
});

test("hands over to a fresh session after statement_timeout, and fails a table whose batch exceeds it", async () => {
  // 2 s of deleting at 5 ms a row: with statement_timeout 1s, more than one session.
  await db.maintSql(`${seed("chunked", 400, 10)} ${batchLog("chunked")}
    CREATE FUNCTION chunked_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.005); RETURN OLD; END $$;
    CREATE TRIGGER chunked_slow BEFORE DELETE ON chunked FOR EACH ROW EXECUTE FUNCTION chunked_slow();`);
  const r = await cleanup("chunked:ts:30:20", { UPKEEP_CLEANUP_BATCH_SECONDS: "0.1", UPKEEP_STATEMENT_TIMEOUT: "1s" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.log, SUMMARY("400 row\\(s\\) older than the retention cutoff \\(chunked: 400 in \\d+ batch\\(es\\), largest \\d+, slowest \\d+ ms\\)"));
  const batches = await batchesOf("chunked");
  assert.equal(batches.reduce((a, b) => a + b.rows, 0), 400);
  assert.equal(new Set(batches.map((b) => b.xid)).size, batches.length);
  assert.ok(new Set(batches.map((b) => b.pid)).size >= 2, "more than one session");
  assert.equal(await db.num("SELECT count(*) FROM chunked"), 10);

  // A batch that alone outlasts twice the statement_timeout is cancelled and rolled back.
  await db.maintSql(`${seed("stuck", 100, 0)}
    CREATE FUNCTION stuck_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2.5); RETURN NULL; END $$;
    CREATE TRIGGER stuck_slow BEFORE DELETE ON stuck FOR EACH STATEMENT EXECUTE FUNCTION stuck_slow();`);
  const stuck = await cleanup("stuck:ts:30:100", { UPKEEP_STATEMENT_TIMEOUT: "1s" });
  assert.equal(stuck.code, 1);
  assert.equal(stuck.stderr, "upkeep cleanup: deleting from stuck failed: canceling statement due to statement timeout\n");
  assert.equal(await db.num("SELECT count(*) FROM stuck"), 100);
});

test("a malformed entry or setting is rejected before anything is deleted (exit 2)", async () => {
  await db.maintSql(`CREATE TABLE bad (id serial PRIMARY KEY, ts timestamptz NOT NULL);
    INSERT INTO bad (ts) SELECT now() - interval '100 days' FROM generate_series(1, 50);`);
  for (const entry of ["public.x;drop:ts:90:100", "bad:ts:90:10:Europe/../etc", "bad:ts:90:10:UTC:x"]) {
    const r = await cleanup(`public.bad:ts:90:10 ${entry}`);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `upkeep cleanup: malformed UPKEEP_CLEANUP_TABLES entry '${entry}': expected [schema.]table:column:retentionDays:batchSize[:timeZone] with identifiers matching ^[a-z_][a-z0-9_]*$\n`);
    assert.equal(r.outcome.outcome, "failed");
    assert.equal(await db.num("SELECT count(*) FROM bad"), 50);
  }
  for (const seconds of ["0", "fast", "1.2.3", "11"]) {
    const r = await cleanup("public.bad:ts:90:10", { UPKEEP_CLEANUP_BATCH_SECONDS: seconds });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `upkeep cleanup: UPKEEP_CLEANUP_BATCH_SECONDS must be a number of seconds from 0.01 to 10, got '${seconds}'\n`);
    assert.equal(await db.num("SELECT count(*) FROM bad"), 50);
  }
});
