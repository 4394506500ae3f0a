/**
 * `npm run plan:diff` over real plans: the committed prod stack is planned as
 * the base, and again with one deliberate change per scenario as the head, so
 * the diff sees exactly what the program writes for that change.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { diffPlans } from "../cli/diff";
import { durationSeconds, firstThreshold } from "../cli/diff/danger/alerts";
import { retentionDangers, statefulDangers } from "../cli/diff/danger/state";
import { compareResources } from "../cli/diff/compare";
import { loadPlan } from "../cli/diff/load";
import { NO_CHANGES } from "../cli/diff/markdown";
import type { RecordedResource } from "../cli/mockRuntime";
import { ROOT } from "./support/configs";
import { runPlan, type PlanResult } from "./support/planChild";

const NOW = "2026-11-29T00:00:00Z";
/**
 * The prod stack without its AWS Backup (it opts out, as production must say):
 * a prod stack on a lower tier with an unprotected vault is refused by policy
 * before any diff, and the backup dangers are covered below with plans made by hand.
 */
const PROD = readFileSync(join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8").replace(
  / {2}upkeep:backups:\n(?: {4}.*\n)*/,
  "  upkeep:backups:\n    aws: { none: The diff scenarios compare plans without AWS Backup. }\n",
);

/** A textual edit of the prod stack file; fails loudly when the file no longer has the text. */
function edit(from: string | RegExp, to: string, yaml = PROD): string {
  const out = yaml.replace(from, to);
  assert.notEqual(out, yaml, `the prod stack file no longer contains ${String(from)}`);
  return out;
}

const SCENARIOS = {
  paused: () => edit("paused: false", "paused: true"),
  tier: () => edit("tier: production", "tier: staging"),
  slot: () => edit("vacuum: { cadence: daily, durationMinutes: 45 }", "vacuum: { cadence: daily, durationMinutes: 50 }"),
  noBilling: () => edit(/ {4}- name: billing\n[\s\S]*?(?= {2}upkeep:jobs:)/, ""),
  outside: () => edit(/schedule: "0 5 \* \* 0".*\n/, 'schedule: "0 6 * * 0"\n      outsideWindow: true\n'),
  namespace: () => edit("namespace: upkeep-maintenance", "namespace: upkeep-ops"),
};
type Scenario = keyof typeof SCENARIOS;

let base: PlanResult;
const heads = {} as Record<Scenario, PlanResult>;

before(async () => {
  const [b, ...rest] = await Promise.all([
    runPlan({ stack: "prod", stackYaml: PROD, now: NOW }),
    ...Object.entries(SCENARIOS).map(([, yaml]) => runPlan({ stack: "prod", stackYaml: yaml(), now: NOW })),
  ]);
  base = b!;
  assert.equal(base.code, 0, base.stderr);
  Object.keys(SCENARIOS).forEach((name, i) => {
    const plan = rest[i]!;
    assert.equal(plan.code, 0, `${name}: ${plan.stderr}`);
    heads[name as Scenario] = plan;
  });
});

after(() => {
  base?.cleanup();
  for (const plan of Object.values(heads)) plan.cleanup();
});

const diff = (head: string, from: string = base.outDir) => diffPlans(loadPlan(from, "base"), loadPlan(head, "head"));

/** Runs the CLI as `npm run plan:diff` does. */
function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(ROOT, "cli", "planDiff.ts"), ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A plan directory holding the base's calendar, schedule and tasks, and the given resources. */
function fabricatedPlan(resources: readonly RecordedResource[]): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "upkeep-diff-"));
  const dir = join(root, "plan");
  mkdirSync(dir);
  writeFileSync(join(dir, "resources.json"), `${JSON.stringify(resources, null, 2)}\n`);
  for (const file of ["calendar.json", "schedule.json", "tasks.json"]) writeFileSync(join(dir, file), base.file(file)!);
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const baseResources = () => base.json<RecordedResource[]>("resources.json");
const cronJobCount = (plan: PlanResult) => plan.json<RecordedResource[]>("resources.json").filter((r) => r.type === "kubernetes:batch/v1:CronJob").length;
const scheduleCount = (plan: PlanResult) => plan.json<RecordedResource[]>("resources.json").filter((r) => r.type === "aws:scheduler/schedule:Schedule").length;
const dangerLines = (markdown: string) => (/### ⚠️ Danger\n\n((?:- .*\n)+)/.exec(markdown)?.[1] ?? "").trimEnd().split("\n").filter(Boolean);

test("identical plans print exactly 'No maintenance changes.'", () => {
  assert.equal(diff(base.outDir).markdown, NO_CHANGES);
  assert.equal(NO_CHANGES, "No maintenance changes.\n");
  assert.equal(diff(base.outDir).dangerCount, 0);
});

test("a longer slot: the schedule in words with next runs, every changed field's value, the alerts that now fire later, and why tasks moved (exact Markdown)", () => {
  assert.equal(
    diff(heads.slot.outDir).markdown,
    [
      "## Maintenance changes: prod",
      "",
      "### ⚠️ Danger",
      "",
      "- Alert weakened (threshold 26h45m → 26h50m): `UpkeepJobMissed` of `billing-vacuum`",
      "- Alert weakened (threshold 45m → 50m): `UpkeepJobRunningTooLong` of `billing-vacuum`",
      "",
      "### Schedules",
      "",
      "- **Reindex orders concurrently** (`orders-reindex`): At 01:55, only on Saturday, the first one of each month only (Europe/Berlin) → At 02:00, only on Saturday, the first one of each month only (Europe/Berlin); its minutes now go to `billing-vacuum`",
      "  - next before: 2026-12-05 01:55, 2027-01-02 01:55, 2027-02-06 01:55",
      "  - next after: 2026-12-05 02:00, 2027-01-02 02:00, 2027-02-06 02:00",
      "- **Vacuum and analyze billing** (`billing-vacuum`): At 01:05 (Europe/Berlin); slot 45 → 50 min",
      "  - next before: 2026-11-29 01:05, 2026-11-30 01:05, 2026-12-01 01:05",
      "  - next after: 2026-11-29 01:05, 2026-11-30 01:05, 2026-12-01 01:05",
      "- **Run image-scan** (`image-scan`): At 03:35, only on Saturday (Europe/Berlin) → At 03:40, only on Saturday (Europe/Berlin); it is placed after the tasks before it, which changed: `orders-reindex` (moved), `billing-vacuum` (longer)",
      "  - next before: 2026-12-05 03:35, 2026-12-12 03:35, 2026-12-19 03:35",
      "  - next after: 2026-12-05 03:40, 2026-12-12 03:40, 2026-12-19 03:40",
      "",
      "### Resources",
      "",
      "#### billing (upkeep:postgres:DatabaseMaintenance)",
      "",
      "- changed `kubernetes:batch/v1:CronJob` billing-vacuum-cronjob: spec.jobTemplate.spec.activeDeadlineSeconds `2700` → `3000`, spec.jobTemplate.spec.template.spec.containers[task].env[UPKEEP_DEADLINE_SECONDS].value `\"2700\"` → `\"3000\"`",
      "",
      "#### orders (upkeep:postgres:DatabaseMaintenance)",
      "",
      "- changed `kubernetes:batch/v1:CronJob` orders-reindex-cronjob: metadata.annotations[\"upkeep.dev/schedule\"] `\"At 01:55, only on Sa…` → `\"At 02:00, only on Sa…`, spec.jobTemplate.spec.template.spec.containers[task].env[UPKEEP_SLOT_START].value `\"01:55\"` → `\"02:00\"`, spec.schedule `\"55 1 * * 6\"` → `\"0 2 * * 6\"`",
      "",
      "#### upkeep (upkeep:kubernetes:ScheduledJobs)",
      "",
      "- changed `kubernetes:batch/v1:CronJob` image-scan-cronjob: metadata.annotations[\"upkeep.dev/schedule\"] `\"At 03:35, only on Sa…` → `\"At 03:40, only on Sa…`, spec.jobTemplate.spec.template.spec.containers[task].env[UPKEEP_SLOT_START].value `\"03:35\"` → `\"03:40\"`, spec.schedule `\"35 3 * * 6\"` → `\"40 3 * * 6\"`",
      "",
      "#### upkeep (upkeep:monitoring:MaintenanceAlerts)",
      "",
      "- changed `kubernetes:monitoring.coreos.com/v1:PrometheusRule` upkeep-prometheusrule: spec.groups[upkeep.prod.maintenance-jobs].rules[UpkeepJobMissed billing-vacuum].annotations.description `…more than 1605m: its longest gap betwee…` → `…more than 1610m: its longest gap betwee…`, spec.groups[upkeep.prod.maintenance-jobs].rules[UpkeepJobMissed billing-vacuum].expr `…um\\\"})) > 96300\\n  or\\n  ((time() - max…` → `…um\\\"})) > 96600\\n  or\\n  ((time() - max…`, spec.groups[upkeep.prod.maintenance-jobs].rules[UpkeepJobRunningTooLong billing-vacuum].annotations.description `…e more than 45m after it s…` → `…e more than 50m after it s…`, spec.groups[upkeep.prod.maintenance-jobs].rules[UpkeepJobRunningTooLong billing-vacuum].expr `…-9]+\\\"})) > 2700\\nand on (…` → `…-9]+\\\"})) > 3000\\nand on (…`",
      "",
      "#### upkeep (upkeep:routine:RoutineSchedules)",
      "",
      "- changed `aws:scheduler/schedule:Schedule` upkeep-notice-sat: target.input `…t 01:05–01:50 Vacuum and analyze billin…` → `…t 01:05–01:55 Vacuum and analyze billin…`",
      "- changed `aws:scheduler/schedule:Schedule` upkeep-notice-sun: target.input `…n 01:05–01:50 Vacuum and …` → `…n 01:05–01:55 Vacuum and …`",
      "",
    ].join("\n"),
  );
});

test("a custom job moved out of the window with outsideWindow: Danger, and no other task moves (exact Markdown)", () => {
  assert.equal(
    diff(heads.outside.outDir).markdown,
    [
      "## Maintenance changes: prod",
      "",
      "### ⚠️ Danger",
      "",
      "- Task `search-rebuild` moved out of its window: runs 06:00–06:20; the window is 00:30–05:30 Europe/Berlin",
      "",
      "### Schedules",
      "",
      "- **Run search-rebuild** (`search-rebuild`): At 05:00, only on Sunday (Europe/Berlin) → At 06:00, only on Sunday (Europe/Berlin)",
      "  - next before: 2026-11-29 05:00, 2026-12-06 05:00, 2026-12-13 05:00",
      "  - next after: 2026-11-29 06:00, 2026-12-06 06:00, 2026-12-13 06:00",
      "",
      "### Resources",
      "",
      "#### upkeep (upkeep:kubernetes:ScheduledJobs)",
      "",
      "- changed `kubernetes:batch/v1:CronJob` search-rebuild-cronjob: metadata.annotations[\"upkeep.dev/outside-window\"] `absent` → `\"true\"`, metadata.annotations[\"upkeep.dev/schedule\"] `\"At 05:00, only on…` → `\"At 06:00, only on…`, spec.jobTemplate.spec.template.spec.containers[task].env[UPKEEP_SLOT_START].value `\"05:00\"` → `\"06:00\"`, spec.schedule `\"0 5 * * 0\"` → `\"0 6 * * 0\"`",
      "",
      "#### upkeep (upkeep:routine:RoutineSchedules)",
      "",
      "- changed `aws:scheduler/schedule:Schedule` upkeep-notice-sun: target.input `…pr, Jul, Oct\\n- Sun 05:00–05:20 Run sea…` → `…pr, Jul, Oct\"`",
      "",
    ].join("\n"),
  );
  // Back into the window is no danger; the verification after the window never is.
  assert.deepEqual(dangerLines(diff(base.outDir, heads.outside.outDir).markdown), []);
});

test("paused and unpaused: one line per environment, with what was suspended and disabled", () => {
  const cronJobs = cronJobCount(heads.paused);
  const schedules = scheduleCount(heads.paused);
  assert.ok(cronJobs > 0 && schedules > 0);
  const paused = diff(heads.paused.outDir).markdown;
  assert.deepEqual(dangerLines(paused), [`- Environment \`prod\` paused: ${cronJobs} CronJobs suspended, ${schedules} schedules disabled`]);
  assert.match(paused, /^- changed `kubernetes:batch\/v1:CronJob` orders-vacuum-cronjob: spec\.suspend `false` → `true`$/m);
  assert.match(paused, /^- changed `aws:scheduler\/schedule:Schedule` upkeep-notice-sat: state `"ENABLED"` → `"DISABLED"`$/m);
  assert.deepEqual(dangerLines(diff(base.outDir, heads.paused.outDir).markdown), [
    `- Environment \`prod\` unpaused: ${cronJobs} CronJobs resumed, ${schedules} schedules enabled`,
  ]);
});

test("production → staging: every alert's severity drops in one line, and protection is removed", () => {
  const lines = dangerLines(diff(heads.tier.outDir).markdown);
  // image-scan's alerts keep their own severity (jobs[].severity: warning) whatever the tier.
  const tasks = base.json<{ id: string; alerts: string[] }[]>("calendar.json").filter((e) => e.alerts.length > 0 && e.id !== "image-scan").map((e) => `\`${e.id}\``);
  // The prod stack's cert-manager Certificate has alerts of its own.
  tasks.push("`certificate api`");
  assert.deepEqual(lines, [
    `- Alerts weakened (severity critical → warning): every alert of ${tasks.join(", ")}`,
    // An endpoint's certificate alert and the metrics' absence are alerts of their own subject.
    "- Alert weakened (severity critical → warning): `UpkeepEndpointCertificateExpiring` of `tls-check api.example.com:443`, `tls-check www.example.com:443`",
    "- Alert weakened (severity critical → warning): `UpkeepMetricsAbsent` of `cronjobs metrics in upkeep-prod`, `push metrics in upkeep-prod`, `pushgateway metrics`",
    "- Protection removed: `kubernetes:core/v1:Namespace` upkeep-namespace (protect true → false)",
    "- Protection removed: `kubernetes:core/v1:PersistentVolumeClaim` upkeep-pushgateway-pvc (protect true → false)",
    "- Protection removed: `aws:sns/topic:Topic` upkeep-critical (protect true → false)",
    "- Protection removed: `aws:sns/topic:Topic` upkeep-info (protect true → false)",
    "- Protection removed: `aws:sns/topic:Topic` upkeep-warning (protect true → false)",
  ]);
  assert.match(diff(heads.tier.outDir).markdown, /upkeep-prometheusrule: spec\.groups\[\*\]\.rules\[\*\]\.labels\.severity \(×\d+\)$/m);
});

test("a database removed: its resources grouped under it, its schedules and alerts gone", () => {
  const markdown = diff(heads.noBilling.outDir).markdown;
  assert.deepEqual(dangerLines(markdown), ["- Alerts removed: every alert of `billing-vacuum`, `billing-reindex`"]);
  const group = /#### billing \(upkeep:postgres:DatabaseMaintenance\)\n\n((?:- .*\n)+)/.exec(markdown)?.[1];
  assert.equal(
    group,
    [
      "- removed `kubernetes:batch/v1:CronJob` billing-reindex-cronjob",
      "- removed `kubernetes:batch/v1:CronJob` billing-vacuum-cronjob",
      "- removed `kubernetes:core/v1:ServiceAccount` billing-reindex-sa",
      "- removed `kubernetes:core/v1:ServiceAccount` billing-vacuum-sa",
      "- removed `upkeep:postgres:DatabaseMaintenance` billing",
      "",
    ].join("\n"),
  );
  assert.match(markdown, /^- \*\*Vacuum and analyze billing\*\* \(`billing-vacuum`\): removed \(was At 01:05 \(Europe\/Berlin\), 45 min\)\n {2}- next before: 2026-11-29 01:05, 2026-11-30 01:05, 2026-12-01 01:05$/m);
});

test("a namespace rename replaces the namespace: Danger names the old and new name", () => {
  const markdown = diff(heads.namespace.outDir).markdown;
  assert.deepEqual(dangerLines(markdown), [
    "- Stateful resource replaced: `kubernetes:core/v1:Namespace` upkeep-namespace (metadata.name upkeep-maintenance → upkeep-ops); deleting a namespace deletes everything in it, including the credentials Secrets created by hand",
    "- Stateful resource replaced: `kubernetes:core/v1:PersistentVolumeClaim` upkeep-pushgateway-pvc (metadata.namespace upkeep-maintenance → upkeep-ops)",
  ]);
  // The Pushgateway's in-cluster URL names the namespace too.
  assert.ok(
    markdown.includes(
      '- changed `kubernetes:batch/v1:CronJob` orders-vacuum-cronjob: metadata.namespace `"upkeep-maintenance"` → `"upkeep-ops"`, spec.jobTemplate.spec.template.spec.containers[task].env[UPKEEP_PUSHGATEWAY_URL].value `…eway.upkeep-maintenance.svc:9091"` → `…eway.upkeep-ops.svc:9091"`\n',
    ),
  );
});

test("a plain-text secret in head: Danger names the resource and field, never the value (exact Markdown)", () => {
  const head = fabricatedPlan([
    ...baseResources(),
    {
      urn: "urn:pulumi:prod::upkeep::kubernetes:core/v1:Secret::alert-webhook",
      type: "kubernetes:core/v1:Secret",
      name: "alert-webhook",
      parent: "urn:pulumi:prod::upkeep::pulumi:pulumi:Stack::upkeep-prod",
      inputs: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "alert-webhook", namespace: "upkeep-maintenance" },
        stringData: { password: "hunter2-hunter2", url: "https://hooks.slack.com/services/T000/B000/XXXX" },
      },
      options: {},
    },
  ]);
  try {
    const markdown = diff(head.dir).markdown;
    assert.equal(
      markdown,
      [
        "## Maintenance changes: prod",
        "",
        "### ⚠️ Danger",
        "",
        "- Plain-text secret in `kubernetes:core/v1:Secret` alert-webhook at `stringData.password` (a value under a key named password)",
        "- Plain-text secret in `kubernetes:core/v1:Secret` alert-webhook at `stringData.url` (a Slack webhook URL)",
        "",
        "### Resources",
        "",
        "#### Environment",
        "",
        "- added `kubernetes:core/v1:Secret` alert-webhook",
        "",
      ].join("\n"),
    );
    assert.ok(!markdown.includes("hooks.slack.com") && !markdown.includes("hunter2"));
  } finally {
    head.cleanup();
  }
});

test("backup retention reduced and a vault lock added (types the program does not create yet)", () => {
  const vault = (deleteAfter: number): RecordedResource => ({
    urn: "urn:pulumi:prod::upkeep::aws:backup/plan:Plan::upkeep-backups",
    type: "aws:backup/plan:Plan",
    name: "upkeep-backups",
    parent: "urn:pulumi:prod::upkeep::pulumi:pulumi:Stack::upkeep-prod",
    inputs: { name: "upkeep-prod", rules: [{ ruleName: "daily", lifecycle: { deleteAfter } }] },
    options: {},
  });
  const lock: RecordedResource = {
    urn: "urn:pulumi:prod::upkeep::aws:backup/vaultLockConfiguration:VaultLockConfiguration::upkeep-lock",
    type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    name: "upkeep-lock",
    parent: "urn:pulumi:prod::upkeep::pulumi:pulumi:Stack::upkeep-prod",
    inputs: { backupVaultName: "upkeep-prod", changeableForDays: 3, minRetentionDays: 7 },
    options: {},
  };
  assert.deepEqual(retentionDangers(compareResources([vault(35)], [vault(7), lock])), [
    "Vault lock added: `aws:backup/vaultLockConfiguration:VaultLockConfiguration` upkeep-lock (changeableForDays 3); it becomes irreversible once changeableForDays pass",
    "Backup retention reduced: `aws:backup/plan:Plan` upkeep-backups at `rules[0].lifecycle.deleteAfter` 35 → 7",
  ]);
  assert.deepEqual(retentionDangers(compareResources([vault(7)], [vault(35)])), [], "longer retention is no danger");
});

test("a stateful resource deleted: a protected SNS topic removed from the plan", () => {
  const resources = baseResources();
  const head = resources.filter((r) => r.name !== "upkeep-critical");
  assert.deepEqual(statefulDangers(compareResources(resources, head)), ["Stateful resource deleted: `aws:sns/topic:Topic` upkeep-critical (protected)"]);
});

test("a head plan without window annotations says the window check was skipped", () => {
  const stripped = baseResources().map((r) => {
    if (r.type !== "kubernetes:batch/v1:CronJob") return r;
    const inputs = structuredClone(r.inputs) as { metadata: { annotations: Record<string, string> } };
    delete inputs.metadata.annotations["upkeep.dev/window"];
    return { ...r, inputs };
  });
  const head = fabricatedPlan(stripped);
  try {
    const markdown = diff(head.dir).markdown;
    assert.ok(
      markdown.startsWith(
        "## Maintenance changes: prod\n\n> Note: Window check skipped: the head plan's CronJobs have no `upkeep.dev/window` annotation (a plan from an older upkeep), so a task moved out of its window cannot be seen.\n\n### Resources\n",
      ),
      markdown,
    );
  } finally {
    head.cleanup();
  }
});

test("alert thresholds and durations are read as Prometheus writes them", () => {
  assert.equal(firstThreshold("(time() - max(x)) > 95400\nor y > 1"), 95400);
  assert.equal(firstThreshold("a >= 5 and b > 7"), 7);
  assert.equal(firstThreshold("up == 0"), undefined);
  assert.equal(durationSeconds("1h30m"), 5400);
  assert.equal(durationSeconds("0m"), 0);
});

test("CLI: --fail-on danger exits 1 and still prints the Markdown; 0 without danger or without the flag", async () => {
  const danger = await cli([base.outDir, heads.paused.outDir, "--fail-on", "danger"]);
  assert.equal(danger.code, 1, danger.stderr);
  assert.equal(danger.stdout, diff(heads.paused.outDir).markdown);
  assert.equal((await cli([base.outDir, heads.paused.outDir])).code, 0);
  const same = await cli([base.outDir, base.outDir, "--fail-on", "danger"]);
  assert.deepEqual(same, { code: 0, stdout: "No maintenance changes.\n", stderr: "" });
});

test("CLI: a missing plan directory or bad arguments exit 2 with one line", async () => {
  const missing = join(tmpdir(), "upkeep-no-such-plan");
  assert.deepEqual(await cli([base.outDir, missing]), { code: 2, stdout: "", stderr: `upkeep plan:diff: head plan ${missing} does not exist\n` });
  assert.deepEqual(await cli([base.outDir]), {
    code: 2,
    stdout: "",
    stderr: "upkeep plan:diff: expected 2 plan directories, got 1; usage: npm run plan:diff -- <base-plan-dir> <head-plan-dir> [--fail-on danger] [--out <file.md>] [--help]\n",
  });
  assert.deepEqual(await cli([base.outDir, base.outDir, "--fail-on", "warnings"]), {
    code: 2,
    stdout: "",
    stderr: 'upkeep plan:diff: --fail-on accepts only "danger" (got "warnings")\n',
  });
});

test("a resource that moved under an alias is matched to its former URN: changed, neither removed nor added", () => {
  const resource = (urn: string, parent: string, options: Record<string, unknown> = {}, schedule = "0 3 * * 0") => ({
    urn,
    type: urn.split("::")[2]!.split("$").pop()!,
    name: urn.split("::").pop()!,
    parent,
    inputs: { spec: { schedule } },
    options,
  });
  const oldUrn = "urn:pulumi:prod::upkeep::upkeep:kubernetes:MaintenanceCronJob$kubernetes:batch/v1:CronJob::image-scan-cronjob";
  const newUrn = "urn:pulumi:prod::upkeep::upkeep:kubernetes:ScheduledJobs$kubernetes:batch/v1:CronJob::image-scan-cronjob";
  const base = [resource(oldUrn, "urn:pulumi:prod::upkeep::upkeep:kubernetes:MaintenanceCronJob::image-scan")];
  const head = [resource(newUrn, "urn:pulumi:prod::upkeep::upkeep:kubernetes:ScheduledJobs::upkeep", { aliases: [oldUrn] }, "0 4 * * 0")];
  const diff = compareResources(base, head);
  assert.deepEqual(diff.added, []);
  assert.deepEqual(diff.removed, []);
  assert.deepEqual(
    diff.changed.map((c) => [c.before.urn, c.after.urn, c.paths]),
    [[oldUrn, newUrn, [["spec", "schedule"], ["options", "aliases"]]]],
  );
  // Without the alias it is what Pulumi would do: a delete and a create.
  const unaliased = compareResources(base, [{ ...head[0]!, options: {} }]);
  assert.deepEqual([unaliased.added.length, unaliased.removed.length, unaliased.changed.length], [1, 1, 0]);
});
