/**
 * What a reviewer must be able to trust in `npm run plan:diff`, over real
 * plans of the prod stack: cleanups that delete more are Danger with the table
 * and old → new; a window change gets its own line before the moves it
 * causes; a task that moved says who took its minutes; two stacks are refused;
 * and with --out the week's picture before and after lands beside the Markdown.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { diffPlans } from "../cli/diff";
import { cleanupDangers } from "../cli/diff/danger/cleanup";
import { loadPlan } from "../cli/diff/load";
import { valuePair } from "../cli/diff/values";
import type { TaskRecord } from "../components/tasks";
import { ROOT } from "./support/configs";
import { runPlan, type PlanResult } from "./support/planChild";

const NOW = "2026-11-29T00:00:00Z";
/** The prod stack without AWS Backup (it opts out, as production must say), as in planDiff.test.ts. */
const PROD = readFileSync(join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8").replace(
  / {2}upkeep:backups:\n(?: {4}.*\n)*/,
  "  upkeep:backups:\n    aws: { none: The diff scenarios compare plans without AWS Backup. }\n",
);

function edit(yaml: string, from: string, to: string): string {
  const out = yaml.replace(from, to);
  assert.notEqual(out, yaml, `the prod stack file no longer contains ${from}`);
  return out;
}

const SCENARIOS = {
  // Shorter retention and another column on audit_log, a table added to it, and a new cleanup for billing.
  cleanup: () =>
    edit(
      edit(
        edit(edit(PROD, "retentionDays: 90", "retentionDays: 7"), "timestampColumn: created_at", "timestampColumn: logged_at"),
        "            batchSize: 5000\n",
        "            batchSize: 5000\n          - table: public.sessions\n            timestampColumn: last_seen\n            retentionDays: 30\n",
      ),
      "      reindex: quarterly\n",
      "      reindex: quarterly\n      cleanup:\n        tables:\n          - { table: public.invoices_draft, timestampColumn: created_at, retentionDays: 365 }\n",
    ),
  safe: () => edit(edit(PROD, "retentionDays: 90", "retentionDays: 120"), "batchSize: 5000", "batchSize: 2000"),
  longer: () => edit(PROD, "durationMinutes: 300", "durationMinutes: 360"),
  friday: () => edit(PROD, "days: [sat, sun]", "days: [sat, sun, fri]"),
  pinned: () =>
    edit(PROD, "  upkeep:certificates:", '    - name: report-export\n      schedule: "55 1 * * 6"\n      durationMinutes: 20\n      image: registry.example.com/report-export:1.0.0\n  upkeep:certificates:'),
};
type Scenario = keyof typeof SCENARIOS;

let base: PlanResult;
let dev: PlanResult;
const heads = {} as Record<Scenario, PlanResult>;
const scratch = mkdtempSync(join(tmpdir(), "upkeep-review-"));

before(async () => {
  const [b, d, ...rest] = await Promise.all([
    runPlan({ stack: "prod", stackYaml: PROD, now: NOW }),
    runPlan({ stack: "dev", now: NOW }),
    ...Object.values(SCENARIOS).map((yaml) => runPlan({ stack: "prod", stackYaml: yaml(), now: NOW })),
  ]);
  base = b!;
  dev = d!;
  assert.equal(base.code, 0, base.stderr);
  assert.equal(dev.code, 0, dev.stderr);
  Object.keys(SCENARIOS).forEach((name, i) => {
    assert.equal(rest[i]!.code, 0, `${name}: ${rest[i]!.stderr}`);
    heads[name as Scenario] = rest[i]!;
  });
});

after(() => {
  for (const plan of [base, dev, ...Object.values(heads)]) plan?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const diff = (head: string, from: string = base.outDir) => diffPlans(loadPlan(from, "base"), loadPlan(head, "head"));
const section = (markdown: string, title: string) => (new RegExp(`### ${title}\\n\\n([\\s\\S]*?)(?:\\n### |$)`).exec(markdown)?.[1] ?? "").trimEnd().split("\n");

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(ROOT, "cli", "planDiff.ts"), ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A copy of the base plan whose tasks.json is rewritten by `change`. */
function withTasks(name: string, change: (tasks: TaskRecord[]) => TaskRecord[]): string {
  const dir = join(scratch, name);
  cpSync(base.outDir, dir, { recursive: true });
  writeFileSync(join(dir, "tasks.json"), `${JSON.stringify(change(base.json<TaskRecord[]>("tasks.json")), null, 2)}\n`);
  return dir;
}

const withZone = (zone: string | undefined) => (tasks: TaskRecord[]) =>
  tasks.map((t) =>
    t.cleanup ? { ...t, cleanup: { tables: t.cleanup.tables.map((table) => (zone === undefined ? table : { ...table, timestampZone: zone })) } } : t,
  );

test("a cleanup that deletes more is Danger, read from the task's config: shorter retention, another column, tables added (exact lines)", () => {
  const markdown = diff(heads.cleanup.outDir).markdown;
  assert.deepEqual(section(markdown, "⚠️ Danger"), [
    "- Cleanup retention shortened: `orders-cleanup` public.audit_log (`upkeep:databases[0].cleanup.tables[0]`) retentionDays 90 → 7; rows between 7 and 90 days old are deleted on its next run",
    "- Cleanup timestamp column changed: `orders-cleanup` public.audit_log (`upkeep:databases[0].cleanup.tables[0]`) timestampColumn created_at → logged_at; rows are judged old by another column",
    "- Cleanup table added: `orders-cleanup` public.sessions (`upkeep:databases[0].cleanup.tables[1]`); rows older than 30 days by last_seen are deleted on its first run",
    "- Cleanup table added: `billing-cleanup` public.invoices_draft (`upkeep:databases[1].cleanup.tables[0]`); rows older than 365 days by created_at are deleted on its first run",
  ]);
  // The job's environment changes too, and the resource line shows its value before and after
  // (in whatever format cleanup.sh reads; the Danger above never depends on it).
  assert.match(markdown, /^- changed `kubernetes:batch\/v1:CronJob` orders-cleanup-cronjob: .*env\[UPKEEP_CLEANUP_TABLES\]\.value `[^`]*created_at[^`]*` → `[^`]*logged_at[^`]*`$/m);
});

test("a longer retention or another batch size deletes nothing sooner: no Danger", () => {
  const markdown = diff(heads.safe.outDir).markdown;
  assert.deepEqual(section(markdown, "⚠️ Danger"), [""]);
  assert.match(markdown, /UPKEEP_CLEANUP_TABLES\]\.value `[^`]*90[^`]*5000[^`]*` → `[^`]*120[^`]*2000[^`]*`/);
});

test("a removed or changed timestampZone is Danger though the job's environment is the same; --fail-on danger exits 1", async () => {
  const zoned = withTasks("zoned", withZone("America/New_York"));
  const unzoned = withTasks("unzoned", withZone(undefined));
  const berlin = withTasks("berlin", withZone("Europe/Berlin"));
  assert.deepEqual(section(diff(unzoned, zoned).markdown, "⚠️ Danger"), [
    "- Cleanup timestamp zone removed: `orders-cleanup` public.audit_log (`upkeep:databases[0].cleanup.tables[0]`) timestampZone America/New_York → absent; the cutoff moves by the difference between the zones' offsets",
  ]);
  assert.deepEqual(section(diff(berlin, zoned).markdown, "⚠️ Danger"), [
    "- Cleanup timestamp zone changed: `orders-cleanup` public.audit_log (`upkeep:databases[0].cleanup.tables[0]`) timestampZone America/New_York → Europe/Berlin; the cutoff moves by the difference between the zones' offsets",
  ]);
  // Adding a zone deletes nothing sooner than the config says.
  assert.deepEqual(diff(zoned, unzoned).dangerCount, 0);
  const run = await cli([zoned, unzoned, "--fail-on", "danger"]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /Cleanup timestamp zone removed/);
});

test("the cleanup check unit: nothing for equal tables; a plan without tasks.json is a note, never 'every table added'", () => {
  const tasks = base.json<TaskRecord[]>("tasks.json");
  assert.deepEqual(cleanupDangers(tasks, tasks), { findings: [], notes: [] });
  assert.deepEqual(cleanupDangers(undefined, tasks), {
    findings: [],
    notes: ["Cleanup check skipped: the base plan has no tasks.json (a plan from an older upkeep), so a shorter retention or a table newly cleaned cannot be seen."],
  });
  const old = join(scratch, "old");
  cpSync(base.outDir, old, { recursive: true });
  rmSync(join(old, "tasks.json"));
  assert.ok(diff(heads.cleanup.outDir, old).markdown.includes("> Note: Cleanup check skipped: the base plan has no tasks.json"));
});

test("a longer window: its own line first, and no maintenance task moves", () => {
  assert.deepEqual(section(diff(heads.longer.outDir).markdown, "Schedules").filter((l) => !l.startsWith("  ")), [
    "**The window changed:** length 300 → 360 min (now sat, sun from 00:30 for 360 min, Europe/Berlin); the schedule changes below follow from it.",
    "",
    "- **Verify endpoints after the maintenance window** (`post-maintenance-verify`): At 05:30 (Europe/Berlin) → At 06:30 (Europe/Berlin)",
    "- **Renewal window for certificate api** (`renew-api`): cert-manager may renew api only in the maintenance window, opening at 30 0 * * 0,6 (Europe/Berlin) for 300m → cert-manager may renew api only in the maintenance window, opening at 30 0 * * 0,6 (Europe/Berlin) for 360m; slot 300 → 360 min",
    "- **Rotate credential orders-db** (`rotate-orders-db`): cron(0 0 ? * SAT *) UTC, a 3h rotation window inside the maintenance window → cron(0 0 ? * SAT *) UTC, a 4h rotation window inside the maintenance window; slot 180 → 240 min",
  ]);
});

test("a window day added: the window line comes before the tasks it moves onto the new day", () => {
  const lines = section(diff(heads.friday.outDir).markdown, "Schedules");
  assert.equal(lines[0], "**The window changed:** days sat, sun → sat, sun, fri (now sat, sun, fri from 00:30 for 300 min, Europe/Berlin); the schedule changes below follow from it.");
  assert.deepEqual(
    lines.filter((l) => l.startsWith("- **")).map((l) => /\(`([^`]+)`\)/.exec(l)![1]),
    ["orders-cleanup", "billing-reindex", "image-scan", "renew-api", "notice-fri"],
  );
});

test("a job pinned where a task was: only that task moves, and it says the job took its minutes", () => {
  assert.deepEqual(section(diff(heads.pinned.outDir).markdown, "Schedules").filter((l) => !l.startsWith("  ")), [
    "- **Reindex orders concurrently** (`orders-reindex`): At 01:55, only on Saturday, the first one of each month only (Europe/Berlin) → At 04:10, only on Saturday, the first one of each month only (Europe/Berlin); its minutes now go to `report-export`",
    "- **Run report-export** (`report-export`): added: At 01:55, only on Saturday (Europe/Berlin), 20 min",
  ]);
});

test("plans of two different stacks are refused with one line, exit 2", async () => {
  assert.deepEqual(await cli([base.outDir, dev.outDir]), {
    code: 2,
    stdout: "",
    stderr: `upkeep plan:diff: base plan ${base.outDir} is of stack prod but head plan ${dev.outDir} is of stack dev; compare two plans of the same stack\n`,
  });
});

test("--out: the Markdown, and the week before and after beside it when the schedule changed; no pictures when it did not", async () => {
  const moved = join(scratch, "out-moved", "prod.md");
  const run = await cli([base.outDir, heads.pinned.outDir, "--out", moved]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(moved, "utf8"), run.stdout);
  assert.equal(readFileSync(join(scratch, "out-moved", "calendar-before.svg"), "utf8"), base.file("calendar.svg"));
  assert.equal(readFileSync(join(scratch, "out-moved", "calendar-after.svg"), "utf8"), heads.pinned.file("calendar.svg"));
  const same = join(scratch, "out-same", "prod.md");
  assert.equal((await cli([base.outDir, heads.safe.outDir, "--out", same])).code, 0);
  assert.ok(existsSync(same));
  assert.ok(!existsSync(join(scratch, "out-same", "calendar-before.svg")) && !existsSync(join(scratch, "out-same", "calendar-after.svg")));
});

test("long values are cut to what changed, with context either side; short ones are whole", () => {
  assert.deepEqual(valuePair("30 4 * * 6", "55 1 * * 6"), ['"30 4 * * 6"', '"55 1 * * 6"']);
  assert.deepEqual(valuePair(2700, 3000), ["2700", "3000"]);
  assert.deepEqual(valuePair(undefined, "true"), ["absent", '"true"']);
  const text = (days: number) => `The prod maintenance window opens Saturday at 00:30 and keeps rows for ${days} days before anything is deleted.`;
  assert.deepEqual(valuePair(text(90), text(7)), ["…ps rows for 90 days before…", "…ps rows for 7 days before…"]);
});
