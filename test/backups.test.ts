/**
 * AWS Backup: the pure schedule and input builders exactly (windows in three
 * zones, one crossing midnight, one opening in a clock change), then
 * AwsBackups under Pulumi's runtime mocks (setMocks first, then the import):
 * protection and vault lock by tier, exact event patterns, alarm settings,
 * the role's policies, and restore tests inside the window in three zones.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { AwsBackupConfig } from "../components/backups/types";
import type { BackupWindow } from "../components/backups/schedule";
import type { Weekday } from "../components/schedule/terms";
import { installComponentMocks, outputValue, type ComponentMocks } from "./support/componentMocks";

const ACCOUNT = "123456789012";
const TOPIC = `arn:aws:sns:eu-central-1:${ACCOUNT}:upkeep-prod-critical`;
const WARNING_TOPIC = `arn:aws:sns:eu-central-1:${ACCOUNT}:upkeep-prod-warning`;
const KMS = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
const DR_VAULT = `arn:aws:backup:eu-west-1:${ACCOUNT}:backup-vault:prod-dr`;
const HORIZON = { fromYear: 2026, years: 5 };

const BERLIN: BackupWindow = { days: ["tue", "thu"], start: "01:00", durationMinutes: 180 };
// 23:00 + 4 h: crosses midnight, and New York has DST.
const NEW_YORK: BackupWindow = { days: ["sat"], start: "23:00", durationMinutes: 240 };
// Tokyo has no DST.
const TOKYO: BackupWindow = { days: ["sun", "wed"], start: "02:00", durationMinutes: 150 };

const PROD_BACKUP: AwsBackupConfig = {
  vaultName: "prod-maintenance",
  kmsKeyArn: KMS,
  schedule: "daily",
  retentionDays: 35,
  coldStorageAfterDays: 0,
  copyToVaultArn: DR_VAULT,
  selectionTags: { backup: "true", "app-tier": "db" },
  restoreTesting: { cadence: "weekly", resourceTypes: ["RDS", "EBS", "S3"], validationWindowHours: 4, selectionWindowDays: 7 },
};

const DEV_BACKUP: AwsBackupConfig = {
  vaultName: "dev-maintenance",
  schedule: "daily",
  retentionDays: 7,
  coldStorageAfterDays: 0,
  selectionTags: { backup: "true" },
  restoreTesting: { cadence: "monthly", resourceTypes: ["RDS"], validationWindowHours: 2, selectionWindowDays: 3 },
};

const STAGING_BACKUP: AwsBackupConfig = {
  vaultName: "staging-maintenance",
  schedule: "weekly",
  retentionDays: 200,
  coldStorageAfterDays: 30,
  selectionTags: { backup: "true" },
  vaultLock: { minRetentionDays: 30, maxRetentionDays: 400, changeableForDays: 5 },
  restoreTesting: { cadence: "quarterly", resourceTypes: ["EFS"], validationWindowHours: 1, selectionWindowDays: 30 },
};

let mocks: ComponentMocks;
/** Mocks never see resource options; a transformation on each component records its children's. */
const options = new Map<string, { protect: boolean; retainOnDelete: boolean }>();
type Module = typeof import("../components/backups/awsBackups");
type Schedule = typeof import("../components/backups/schedule");
type Alerting = typeof import("../components/backups/alerting");
let mod: Module;
let schedule: Schedule;
let alerting: Alerting;
let prodSchedules: readonly unknown[];

const childrenOf = (component: string, type?: string) =>
  mocks.recorded.filter((r) => r.name.startsWith(`${component}-`) && (type === undefined || r.type === type)).sort((a, b) => a.name.localeCompare(b.name));

const recordOptions: pulumi.ResourceTransformation = (args) => {
  options.set(args.name, { protect: args.opts.protect === true, retainOnDelete: args.opts.retainOnDelete === true });
  return undefined;
};

let prodOutputs: { vaultArn: string; planId: string };

before(async () => {
  mocks = await installComponentMocks("prod", {
    attributes: ({ name, inputs }) => ({ arn: `arn:aws:mock:eu-central-1:${ACCOUNT}:${inputs.name ?? name}` }),
  });
  // The ".js" suffix is what nodenext's type check asks of a dynamic import; tsx maps it to the .ts file.
  mod = await import("../components/backups/awsBackups.js");
  schedule = await import("../components/backups/schedule.js");
  alerting = await import("../components/backups/alerting.js");
  const common = { topicArns: { critical: TOPIC, warning: WARNING_TOPIC }, fromYear: 2026 };
  const prod = new mod.AwsBackups(
    "prod-backups",
    { ...common, environment: "prod", tier: "production", timeZone: "Europe/Berlin", window: BERLIN, backup: PROD_BACKUP },
    { transformations: [recordOptions] },
  );
  new mod.AwsBackups(
    "dev-backups",
    { ...common, environment: "dev", tier: "development", timeZone: "Asia/Tokyo", window: TOKYO, backup: DEV_BACKUP },
    { transformations: [recordOptions] },
  );
  new mod.AwsBackups(
    "stg-backups",
    { ...common, environment: "stg", tier: "staging", timeZone: "America/New_York", window: NEW_YORK, backup: STAGING_BACKUP },
    { transformations: [recordOptions] },
  );
  prodOutputs = { vaultArn: await outputValue(prod.vaultArn), planId: await outputValue(prod.planId) };
  prodSchedules = [...prod.schedules];
  await mocks.settle();
});

// ---------------------------------------------------------------------------
// A reader for the AWS crons these builders write, to check them against the window.

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Every local date (UTC-midnight Date) in [from, to) on which the AWS cron fires, and its local minute. */
function firings(expression: string, from: Date, to: Date): { date: Date; minute: number }[] {
  const m = /^cron\((\d+) (\d+) (\S+) (\S+) (\S+) \*\)$/.exec(expression);
  assert.ok(m, `unexpected expression ${expression}`);
  const [, min, hour, dom, month, dow] = m;
  const minute = Number(hour) * 60 + Number(min);
  const months = month === "*" ? undefined : month!.split(",").map(Number);
  const out: { date: Date; minute: number }[] = [];
  for (let d = new Date(from); d < to; d = new Date(d.getTime() + 86400_000)) {
    if (months && !months.includes(d.getUTCMonth() + 1)) continue;
    let fires: boolean;
    if (dom === "*" && dow === "?") fires = true;
    else if (/^\d#1$/.test(dow!)) fires = d.getUTCDay() === Number(dow![0]) - 1 && d.getUTCDate() <= 7;
    else fires = d.getUTCDay() === DAY_NAMES.indexOf(dow!);
    if (fires) out.push({ date: d, minute });
  }
  return out;
}

/** Minutes after the opening of the window instance holding a firing; asserts that instance starts on a window day. */
function offsetInWindow(window: BackupWindow, date: Date, minute: number, everyDay: boolean): number {
  const [h, m] = window.start.split(":").map(Number);
  const start = h! * 60 + m!;
  const offset = (minute - start + 1440) % 1440;
  const instanceDay = (date.getUTCDay() + (start + offset >= 1440 ? 6 : 0)) % 7;
  if (!everyDay) assert.ok(window.days.includes(["sun", "mon", "tue", "wed", "thu", "fri", "sat"][instanceDay] as Weekday), `fires outside a window day on ${date.toISOString()}`);
  return offset;
}

// ---------------------------------------------------------------------------
// Pure builders

test("backup rules for windows in Berlin, New York (crossing midnight) and Tokyo, every cadence", () => {
  const rule = (w: BackupWindow, zone: string, cadence: "daily" | "weekly" | "monthly" | "quarterly") => schedule.backupRule(w, zone, cadence, HORIZON);
  assert.deepEqual(rule(BERLIN, "Europe/Berlin", "daily"), {
    schedule: "cron(0 1 * * ? *)",
    scheduleExpressionTimezone: "Europe/Berlin",
    startWindow: 60,
    completionWindow: 180,
  });
  assert.equal(rule(BERLIN, "Europe/Berlin", "weekly").schedule, "cron(0 1 ? * TUE *)");
  assert.equal(rule(BERLIN, "Europe/Berlin", "monthly").schedule, "cron(0 1 ? * 3#1 *)");
  assert.equal(rule(BERLIN, "Europe/Berlin", "quarterly").schedule, "cron(0 1 ? 1,4,7,10 3#1 *)");
  assert.deepEqual(rule(NEW_YORK, "America/New_York", "weekly"), {
    schedule: "cron(0 23 ? * SAT *)",
    scheduleExpressionTimezone: "America/New_York",
    startWindow: 60,
    completionWindow: 240,
  });
  assert.equal(rule(NEW_YORK, "America/New_York", "monthly").schedule, "cron(0 23 ? * 7#1 *)");
  assert.deepEqual(rule(TOKYO, "Asia/Tokyo", "quarterly"), {
    schedule: "cron(0 2 ? 1,4,7,10 1#1 *)",
    scheduleExpressionTimezone: "Asia/Tokyo",
    startWindow: 60,
    completionWindow: 150,
  });
});

test("a window opening in the hour a clock change skips or repeats starts after it, still inside the window", () => {
  // Berlin skips 02:00–03:00 in March and repeats it in October.
  const berlin = { days: ["sat"] as Weekday[], start: "02:30", durationMinutes: 180 };
  assert.deepEqual(schedule.backupRule(berlin, "Europe/Berlin", "weekly", HORIZON), {
    schedule: "cron(0 3 ? * SAT *)",
    scheduleExpressionTimezone: "Europe/Berlin",
    startWindow: 60,
    completionWindow: 150,
  });
  // Santiago changes clocks at midnight: a Tuesday 23:30 window opens at 01:00 on Wednesday.
  const santiago = { days: ["tue"] as Weekday[], start: "23:30", durationMinutes: 240 };
  assert.equal(schedule.backupRule(santiago, "America/Santiago", "weekly", HORIZON).schedule, "cron(0 1 ? * WED *)");
  assert.equal(schedule.backupRule(santiago, "America/Santiago", "monthly", HORIZON).schedule, "cron(0 1 ? * 4#1 *)");
  assert.throws(() => schedule.backupRule({ days: ["sat"], start: "02:00", durationMinutes: 45 }, "Europe/Berlin", "daily", HORIZON), /lies inside the hour/);
});

test("start and completion windows fit the window; AWS minimums win only for windows under two hours", () => {
  for (const durationMinutes of [120, 121, 180, 240, 360, 720]) {
    for (const [zone, start] of [["Europe/Berlin", "01:00"], ["America/New_York", "22:30"], ["Asia/Tokyo", "03:15"]] as const) {
      const w = { days: ["mon"] as Weekday[], start, durationMinutes };
      const r = schedule.backupRule(w, zone, "daily", HORIZON);
      assert.equal(r.startWindow, 60);
      assert.ok(r.startWindow <= durationMinutes);
      assert.ok(r.completionWindow >= r.startWindow + 60, "AWS: completion at least start + 60");
      assert.equal(r.completionWindow, durationMinutes, "the job ends with the window");
      assert.equal(schedule.backupWindowProblem(w, zone, HORIZON), undefined);
    }
  }
  const short = { days: ["mon"] as Weekday[], start: "01:00", durationMinutes: 90 };
  assert.equal(schedule.backupRule(short, "Asia/Tokyo", "daily", HORIZON).completionWindow, 120);
  assert.equal(
    schedule.backupWindowProblem(short, "Asia/Tokyo", HORIZON),
    "leaves 90 minutes for AWS Backup, less than its minimum completion window of 120; backups would run up to 30 minutes past the window",
  );
});

test("restore-testing schedules in three zones: at the window opening, start window the whole hours left", () => {
  assert.deepEqual(schedule.restoreTestingSchedule(BERLIN, "Europe/Berlin", "weekly", HORIZON), {
    scheduleExpression: "cron(0 1 ? * TUE *)",
    scheduleExpressionTimezone: "Europe/Berlin",
    startWindowHours: 3,
  });
  assert.deepEqual(schedule.restoreTestingSchedule(NEW_YORK, "America/New_York", "quarterly", HORIZON), {
    scheduleExpression: "cron(0 23 ? 1,4,7,10 7#1 *)",
    scheduleExpressionTimezone: "America/New_York",
    startWindowHours: 4,
  });
  assert.deepEqual(schedule.restoreTestingSchedule(TOKYO, "Asia/Tokyo", "monthly", HORIZON), {
    scheduleExpression: "cron(0 2 ? * 1#1 *)",
    scheduleExpressionTimezone: "Asia/Tokyo",
    startWindowHours: 2,
  });
  // A 45-minute window still gets AWS's minimum of one hour.
  assert.equal(schedule.restoreTestingSchedule({ days: ["mon"], start: "04:00", durationMinutes: 45 }, "Asia/Tokyo", "daily", HORIZON).startWindowHours, 1);
});

test("monthly and quarterly crons fire exactly once per period, on a window day", () => {
  const from = new Date(Date.UTC(2026, 0, 1));
  const to = new Date(Date.UTC(2028, 0, 1));
  const monthly = firings(schedule.backupRule(BERLIN, "Europe/Berlin", "monthly", HORIZON).schedule, from, to);
  assert.equal(monthly.length, 24);
  assert.equal(new Set(monthly.map((f) => `${f.date.getUTCFullYear()}-${f.date.getUTCMonth()}`)).size, 24);
  const quarterly = firings(schedule.backupRule(TOKYO, "Asia/Tokyo", "quarterly", HORIZON).schedule, from, to);
  assert.deepEqual(quarterly.map((f) => f.date.toISOString().slice(0, 10)), [
    "2026-01-04", "2026-04-05", "2026-07-05", "2026-10-04", "2027-01-03", "2027-04-04", "2027-07-04", "2027-10-03",
  ]);
  for (const f of [...monthly]) offsetInWindow(BERLIN, f.date, f.minute, false);
  for (const f of [...quarterly]) offsetInWindow(TOKYO, f.date, f.minute, false);
});

test("RPO and the freshness evaluation: hourly periods covering the RPO plus one; none past CloudWatch's 7 days", () => {
  // daily: 1 day + 180 min completion + 60 min clock change = 28 h.
  assert.equal(schedule.backupRpoMinutes(BERLIN, "Europe/Berlin", "daily", HORIZON), 1680);
  assert.deepEqual(alerting.freshnessEvaluation(1680), { period: 3600, evaluationPeriods: 29 });
  assert.deepEqual(alerting.freshnessEvaluation(1681), { period: 3600, evaluationPeriods: 30 });
  assert.deepEqual(alerting.freshnessEvaluation(167 * 60), { period: 3600, evaluationPeriods: 168 });
  assert.equal(alerting.freshnessEvaluation(167 * 60 + 1), undefined);
  assert.equal(alerting.freshnessEvaluation(schedule.backupRpoMinutes(NEW_YORK, "America/New_York", "weekly", HORIZON)), undefined);
  for (const rpo of [60, 1500, 1680, 5000, 10020]) {
    const e = alerting.freshnessEvaluation(rpo)!;
    assert.ok(e.period <= 86400 && e.period * e.evaluationPeriods >= rpo * 60 + e.period && e.period * e.evaluationPeriods <= 604800);
  }
});

test("the schedules for the calendar, from the same builders", () => {
  assert.deepEqual(prodSchedules, [
    {
      id: "aws-backup",
      title: "AWS Backup of resources tagged app-tier=db, backup=true to vault prod-maintenance",
      cadence: "daily",
      expression: "cron(0 1 * * ? *)",
      timeZone: "Europe/Berlin",
      durationMinutes: 180,
    },
    {
      id: "aws-restore-test",
      title: "AWS Backup restore test (RDS, EBS, S3) from vault prod-maintenance",
      cadence: "weekly",
      expression: "cron(0 1 ? * TUE *)",
      timeZone: "Europe/Berlin",
      durationMinutes: 180,
    },
  ]);
  assert.deepEqual(mod.backupSchedules({ timeZone: "Asia/Tokyo", window: TOKYO, backup: { ...DEV_BACKUP, restoreTesting: undefined }, fromYear: 2026 }).map((s) => s.id), ["aws-backup"]);
});

// ---------------------------------------------------------------------------
// Under mocks

test("production: the vault is protected and retained, and locked with the default lock", () => {
  assert.deepEqual(mocks.named("aws:backup/vault:Vault", "prod-backups-vault").inputs, { name: "prod-maintenance", kmsKeyArn: KMS });
  assert.deepEqual(options.get("prod-backups-vault"), { protect: true, retainOnDelete: true });
  assert.deepEqual(mocks.named("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "prod-backups-vault-lock").inputs, {
    backupVaultName: "prod-maintenance",
    minRetentionDays: 7,
    maxRetentionDays: 365,
    changeableForDays: 3,
  });
  assert.deepEqual(options.get("prod-backups-vault-lock"), { protect: true, retainOnDelete: true });
  const kept = [...options].filter(([, o]) => o.protect || o.retainOnDelete).map(([n]) => n).sort();
  assert.deepEqual(kept, ["prod-backups-vault", "prod-backups-vault-lock"], "only the vault and its lock are kept");
  assert.deepEqual(prodOutputs, { vaultArn: `arn:aws:mock:eu-central-1:${ACCOUNT}:prod-maintenance`, planId: "prod-backups-plan-id" });
});

test("development: neither protected nor retained, and no lock unless configured", () => {
  assert.deepEqual(mocks.named("aws:backup/vault:Vault", "dev-backups-vault").inputs, { name: "dev-maintenance" });
  assert.deepEqual(options.get("dev-backups-vault"), { protect: false, retainOnDelete: false });
  assert.equal(childrenOf("dev-backups", "aws:backup/vaultLockConfiguration:VaultLockConfiguration").length, 0);
  // Staging configured one: it gets exactly that, and no protection.
  assert.deepEqual(mocks.named("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "stg-backups-vault-lock").inputs, {
    backupVaultName: "staging-maintenance",
    minRetentionDays: 30,
    maxRetentionDays: 400,
    changeableForDays: 5,
  });
  assert.deepEqual(options.get("stg-backups-vault"), { protect: false, retainOnDelete: false });
});

test("the plan: one rule in the window, lifecycle, and the cross-region copy", () => {
  const lifecycle = { deleteAfter: 35 };
  assert.deepEqual(mocks.named("aws:backup/plan:Plan", "prod-backups-plan").inputs, {
    name: "upkeep-prod-backup",
    rules: [
      {
        ruleName: "upkeep-prod-daily",
        targetVaultName: "prod-maintenance",
        schedule: "cron(0 1 * * ? *)",
        scheduleExpressionTimezone: "Europe/Berlin",
        startWindow: 60,
        completionWindow: 180,
        lifecycle,
        copyActions: [{ destinationVaultArn: DR_VAULT, lifecycle }],
      },
    ],
  });
  assert.deepEqual(mocks.named("aws:backup/plan:Plan", "stg-backups-plan").inputs, {
    name: "upkeep-stg-backup",
    rules: [
      {
        ruleName: "upkeep-stg-weekly",
        targetVaultName: "staging-maintenance",
        schedule: "cron(0 23 ? * SAT *)",
        scheduleExpressionTimezone: "America/New_York",
        startWindow: 60,
        completionWindow: 240,
        lifecycle: { deleteAfter: 200, coldStorageAfter: 30 },
      },
    ],
  });
});

test("the selection: every configured tag must match (ANDed conditions on all resources)", () => {
  assert.deepEqual(mocks.named("aws:backup/selection:Selection", "prod-backups-selection").inputs, {
    name: "upkeep-prod-tagged",
    planId: "prod-backups-plan-id",
    iamRoleArn: `arn:aws:mock:eu-central-1:${ACCOUNT}:prod-backups-role`,
    resources: ["*"],
    conditions: [
      {
        stringEquals: [
          { key: "aws:ResourceTag/app-tier", value: "db" },
          { key: "aws:ResourceTag/backup", value: "true" },
        ],
      },
    ],
  });
});

test("the role: AWS Backup assumes it; it holds only AWS-managed backup and restore policies, no inline policy", () => {
  const role = mocks.named("aws:iam/role:Role", "prod-backups-role");
  assert.deepEqual(Object.keys(role.inputs).sort(), ["assumeRolePolicy", "description"]);
  assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)), {
    Version: "2012-10-17",
    Statement: [{ Sid: "AllowBackupToAssume", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
  const managed = "arn:aws:iam::aws:policy/service-role/";
  const attached = (component: string) =>
    childrenOf(component, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => [a.name, a.inputs.role, a.inputs.policyArn]);
  // The selection is every tagged resource, so a tagged bucket can be picked up anywhere: the S3 pair always.
  for (const env of ["prod", "dev"]) assert.deepEqual(attached(`${env}-backups`), [
    [`${env}-backups-role-backup`, `${env}-backups-role-id`, `${managed}AWSBackupServiceRolePolicyForBackup`],
    [`${env}-backups-role-restores`, `${env}-backups-role-id`, `${managed}AWSBackupServiceRolePolicyForRestores`],
    [`${env}-backups-role-s3-backup`, `${env}-backups-role-id`, `${managed}AWSBackupServiceRolePolicyForS3Backup`],
    [`${env}-backups-role-s3-restore`, `${env}-backups-role-id`, `${managed}AWSBackupServiceRolePolicyForS3Restore`],
  ]);

  for (const type of ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"]) {
    assert.equal(mocks.recorded.filter((r) => r.type === type).length, 0, `no ${type}`);
  }
  for (const r of mocks.recorded.filter((x) => x.type === "aws:iam/role:Role")) {
    assert.ok(!/"Action":\s*"\*"|"[a-z0-9-]+:\*"/.test(String(r.inputs.assumeRolePolicy)), "no wildcard actions");
  }
});

test("restore testing: plan inside the window in three zones, and one selection per resource type", () => {
  const plan = (component: string) => mocks.named("aws:backup/restoreTestingPlan:RestoreTestingPlan", `${component}-restore-testing`).inputs;
  assert.deepEqual(plan("prod-backups"), {
    name: "upkeep_prod_restore_testing",
    scheduleExpression: "cron(0 1 ? * TUE *)",
    scheduleExpressionTimezone: "Europe/Berlin",
    startWindowHours: 3,
    recoveryPointSelection: {
      algorithm: "LATEST_WITHIN_WINDOW",
      includeVaults: [`arn:aws:mock:eu-central-1:${ACCOUNT}:prod-maintenance`],
      recoveryPointTypes: ["SNAPSHOT"],
      selectionWindowDays: 7,
    },
  });
  const cases: [string, BackupWindow, string, string][] = [
    ["prod-backups", BERLIN, "Europe/Berlin", "cron(0 1 ? * TUE *)"],
    ["dev-backups", TOKYO, "Asia/Tokyo", "cron(0 2 ? * 1#1 *)"],
    ["stg-backups", NEW_YORK, "America/New_York", "cron(0 23 ? 1,4,7,10 7#1 *)"],
  ];
  for (const [component, window, zone, expression] of cases) {
    const p = plan(component);
    assert.equal(p.scheduleExpression, expression, component);
    assert.equal(p.scheduleExpressionTimezone, zone, component);
    const runs = firings(String(p.scheduleExpression), new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2027, 0, 1)));
    assert.ok(runs.length > 0);
    for (const run of runs) {
      const offset = offsetInWindow(window, run.date, run.minute, false);
      // The restore must start before the window closes.
      assert.ok(offset + Number(p.startWindowHours) * 60 <= window.durationMinutes, `${component}: start window leaves the window`);
    }
  }
  const selections = childrenOf("prod-backups", "aws:backup/restoreTestingSelection:RestoreTestingSelection");
  assert.deepEqual(
    selections.map((s) => [s.name, s.inputs]),
    ["ebs", "rds", "s3"].map((t) => [
      `prod-backups-restore-testing-${t}`,
      {
        name: `upkeep_${t}`,
        restoreTestingPlanName: "upkeep_prod_restore_testing",
        protectedResourceType: { ebs: "EBS", rds: "RDS", s3: "S3" }[t],
        iamRoleArn: `arn:aws:mock:eu-central-1:${ACCOUNT}:prod-backups-role`,
        protectedResourceArns: ["*"],
        protectedResourceConditions: {
          stringEquals: [
            { key: "aws:ResourceTag/app-tier", value: "db" },
            { key: "aws:ResourceTag/backup", value: "true" },
          ],
        },
        validationWindowHours: 4,
      },
    ]),
  );
});

test("the event rules: upkeep's vault and restore-testing plan only, every failure state (patterns: eventPatterns.test.ts)", () => {
  const pattern = (name: string) => JSON.parse(String(mocks.named("aws:cloudwatch/eventRule:EventRule", name).inputs.eventPattern));
  const vaultArn = `arn:aws:mock:eu-central-1:${ACCOUNT}:prod-maintenance`;
  const planArn = `arn:aws:mock:eu-central-1:${ACCOUNT}:upkeep_prod_restore_testing`;
  assert.deepEqual(pattern("prod-backups-backup-job-failed"), alerting.backupJobFailedPattern("prod-maintenance"));
  assert.deepEqual(pattern("prod-backups-backup-job-completed-with-issues"), alerting.backupJobCompletedWithIssuesPattern("prod-maintenance"));
  assert.deepEqual(pattern("prod-backups-restore-job-failed"), alerting.restoreJobFailedPattern(vaultArn, planArn));
  assert.deepEqual(pattern("prod-backups-copy-job-failed"), alerting.copyJobFailedPattern(vaultArn));
  assert.equal(mocks.named("aws:cloudwatch/eventRule:EventRule", "prod-backups-restore-job-failed").inputs.name, "upkeep-prod-restore-job-failed");
  assert.deepEqual(
    pattern("dev-backups-restore-job-failed"),
    alerting.restoreJobFailedPattern(`arn:aws:mock:eu-central-1:${ACCOUNT}:dev-maintenance`, `arn:aws:mock:eu-central-1:${ACCOUNT}:upkeep_dev_restore_testing`),
  );
  // No copy, no copy rule.
  assert.deepEqual(childrenOf("dev-backups", "aws:cloudwatch/eventRule:EventRule").map((r) => r.name), [
    "dev-backups-backup-job-completed-with-issues",
    "dev-backups-backup-job-failed",
    "dev-backups-restore-job-failed",
  ]);
  // Failures page (critical); a backup completed with issues is a warning.
  const targets = childrenOf("prod-backups", "aws:cloudwatch/eventTarget:EventTarget");
  assert.deepEqual(targets.map((t) => t.name), [
    "prod-backups-backup-job-completed-with-issues-warning",
    "prod-backups-backup-job-failed-critical",
    "prod-backups-copy-job-failed-critical",
    "prod-backups-restore-job-failed-critical",
  ]);
  for (const target of targets) {
    const severity = target.name.endsWith("-warning") ? "warning" : "critical";
    const rule = target.name.replace(/-(critical|warning)$/, "");
    assert.deepEqual(target.inputs, {
      rule: mocks.named("aws:cloudwatch/eventRule:EventRule", rule).inputs.name,
      arn: severity === "critical" ? TOPIC : WARNING_TOPIC,
      targetId: `upkeep-${severity}-topic`,
    });
  }
});

test("the alarms: failures over a day, and freshness over the RPO with missing data breaching", () => {
  const alarm = (name: string) => mocks.named("aws:cloudwatch/metricAlarm:MetricAlarm", name).inputs;
  const failure = {
    namespace: "AWS/Backup",
    statistic: "Sum",
    period: 86400,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
    alarmActions: [TOPIC],
    okActions: [TOPIC],
  };
  assert.deepEqual(alarm("prod-backups-backup-jobs-failed"), {
    ...failure,
    name: "upkeep-prod-backup-jobs-failed",
    alarmDescription: "An AWS Backup job for vault prod-maintenance failed in the last day.",
    metricName: "NumberOfBackupJobsFailed",
    dimensions: { BackupVaultName: "prod-maintenance" },
  });
  // AWS/Backup counts restores per account and resource type: an alarm on them would page for every team's restores.
  assert.equal(mocks.recorded.filter((r) => r.name.endsWith("restore-jobs-failed")).length, 0);
  assert.deepEqual(alarm("prod-backups-backup-freshness"), {
    name: "upkeep-prod-backup-freshness",
    alarmDescription: "No AWS Backup job completed in vault prod-maintenance within the recovery point objective of 1680 minutes.",
    namespace: "AWS/Backup",
    metricName: "NumberOfBackupJobsCompleted",
    dimensions: { BackupVaultName: "prod-maintenance" },
    statistic: "Sum",
    period: 3600,
    evaluationPeriods: 29,
    datapointsToAlarm: 29,
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    treatMissingData: "breaching",
    alarmActions: [TOPIC],
    okActions: [TOPIC],
  });
  // Tokyo's daily backups with a 150-minute window: 24 h + 150 + 60 = 1650 min → 28 periods + 1.
  assert.equal(alarm("dev-backups-backup-freshness").evaluationPeriods, 29);
  // Weekly backups: the RPO exceeds CloudWatch's 7-day range, so no freshness alarm rather than a weekly false one.
  assert.deepEqual(childrenOf("stg-backups", "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name), ["stg-backups-backup-jobs-failed"]);
});

test("nothing else is registered", () => {
  const counts: Record<string, number> = {};
  for (const r of childrenOf("prod-backups")) counts[r.type] = (counts[r.type] ?? 0) + 1;
  assert.deepEqual(counts, {
    "aws:backup/vault:Vault": 1,
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": 1,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
    "aws:backup/plan:Plan": 1,
    "aws:backup/selection:Selection": 1,
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": 1,
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": 3,
    "aws:cloudwatch/eventRule:EventRule": 4,
    "aws:cloudwatch/eventTarget:EventTarget": 4,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 2,
  });
  assert.equal(mocks.recorded.filter((r) => r.type === "upkeep:backups:AwsBackups").length, 3);
});
