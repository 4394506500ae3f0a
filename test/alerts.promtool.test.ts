// The generated PrometheusRule, run through the real promtool: `check rules`
// accepts it, and `promtool test rules` on synthetic kube-state-metrics series
// proves that each alert fires when it should and stays silent when it should
// not, with the exact labels and annotations it carries.
//
// promtool's clock starts at 0 and `time()` is the evaluation time in seconds,
// so every instant before the test starts is a negative number here. The
// evaluations run at NOW = 10m (600 s) unless a case needs longer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ALERT_NAMES, buildPrometheusRules, maxGapSeconds, type AlertInputs, type AlertRule, type PrometheusRuleObject } from "../components/alerting/taskAlerts";
import { parseConfig } from "../components/config";
import { planTasks, type MaintenanceTask } from "../components/tasks/maintenanceTasks";
import { SCHEDULE_DEFAULTS } from "../components/config/tiers";
import { alertUnitTest as unitTest, assertPromtoolPasses, checkRules, describeResult, selector, testRules, type AlertCase as Case, type ExpAlert, type Series } from "./support/promtool";

const NS = "upkeep-maintenance";
const RUNBOOKS = "https://runbooks.example.com/upkeep";
const DAY = 86_400;

const RAW_CONFIG = {
  environment: {
    name: "prod",
    tier: "production",
    timezone: "Europe/Berlin",
    window: { days: ["sat", "sun"], start: "00:30", durationMinutes: 300 },
  },
  kubernetes: { namespace: NS },
  notify: { emails: ["oncall@example.com"] },
  alerting: { runbookBaseUrl: RUNBOOKS },
  backups: { aws: { none: "The alert tests need no AWS Backup." } },
  databases: [
    {
      name: "orders",
      host: "orders-db.internal.example.com",
      database: "orders",
      credentialsSecret: "orders-db-maintenance",
      vacuum: "daily",
      reindex: "monthly",
      cleanup: {
        cadence: "weekly",
        tables: [{ table: "public.order_events", timestampColumn: "created_at", retentionDays: 180 }],
      },
    },
  ],
  jobs: [
    {
      name: "search-rebuild",
      schedule: "0 5 * * 0",
      image: "registry.example.com/search/rebuild:1.4.2",
      command: ["/app/rebuild-index"],
    },
  ],
};

const TASKS: readonly MaintenanceTask[] = planTasks(parseConfig(RAW_CONFIG, new Set()), { fromYear: 2026 });

const INPUTS: AlertInputs = {
  environment: "prod",
  namespace: NS,
  severity: "critical",
  runbookBaseUrl: RUNBOOKS,
  ruleLabels: {},
  tasks: TASKS,
  now: new Date("2026-11-29T00:00:00Z"),
};

const ALL_RULES = buildPrometheusRules(INPUTS);
const RULE: PrometheusRuleObject = ALL_RULES[0]!;
const RULES: readonly AlertRule[] = RULE.spec.groups.flatMap((g) => g.rules);

/** What each task under test must produce, written out by hand. */
interface Expected {
  readonly id: string;
  readonly cadence: string;
  readonly title: string;
  readonly slotMinutes: number;
  /** UpkeepJobMissed's threshold in seconds: longest gap + 60 min grace + slot. */
  readonly missedAfter: number;
  /** The same, as the description words it. */
  readonly missedAfterText: string;
}

const EXPECTED: readonly Expected[] = [
  // 1 d + 60 min + 30 min.
  { id: "orders-vacuum", cadence: "daily", title: "Vacuum and analyze orders", slotMinutes: 30, missedAfter: 95_400, missedAfterText: "1590m" },
  // First Saturday of the month: at most 5 weeks apart; + 60 min + 60 min.
  { id: "orders-reindex", cadence: "monthly", title: "Reindex orders concurrently", slotMinutes: 60, missedAfter: 3_034_800, missedAfterText: "843h" },
  // Sundays 05:00 Europe/Berlin, measured: 7 d + 1 h across the end of summer time; + 60 min + 30 min.
  { id: "search-rebuild", cadence: "custom", title: "Run search-rebuild", slotMinutes: 30, missedAfter: 613_800, missedAfterText: "10230m" },
];

const NOW_MINUTES = 10;
const NOW = NOW_MINUTES * 60;

// ---------------------------------------------------------------- series

type Labels = Record<string, string>;
/** Scrape labels every kube-state-metrics series carries; the rules must aggregate them away. */
const KSM = { job: "kube-state-metrics", instance: "10.42.0.7:8080" };

/** A constant series, sampled every minute from 0 to `minutes`. */
function constant(metric: string, labels: Labels, value: number, minutes = NOW_MINUTES + 10): Series {
  return { series: selector(metric, { ...labels, ...KSM }), values: `${value}+0x${minutes}` };
}

function cronjobSeries(cronjob: string, s: { lastSuccess?: number; created: number; suspended?: boolean; namespace?: string }): Series[] {
  const labels = { namespace: s.namespace ?? NS, cronjob };
  return [
    constant("kube_cronjob_created", labels, s.created),
    constant("kube_cronjob_spec_suspend", labels, s.suspended ? 1 : 0),
    ...(s.lastSuccess !== undefined ? [constant("kube_cronjob_status_last_successful_time", labels, s.lastSuccess)] : []),
  ];
}

/** A Job as kube-state-metrics reports it; a failed one has the JobFailed condition with status true. */
function jobSeries(jobName: string, s: { start: number; state: "failed" | "succeeded" | "active"; namespace?: string }): Series[] {
  const labels = { namespace: s.namespace ?? NS, job_name: jobName };
  const out = [
    constant("kube_job_status_start_time", labels, s.start),
    constant("kube_job_status_active", labels, s.state === "active" ? 1 : 0),
  ];
  if (s.state === "failed") {
    out.push(
      constant("kube_job_status_failed", labels, 1),
      constant("kube_job_failed", { ...labels, condition: "true" }, 1),
      constant("kube_job_failed", { ...labels, condition: "false" }, 0),
      constant("kube_job_failed", { ...labels, condition: "unknown" }, 0),
    );
  }
  if (s.state === "succeeded") {
    out.push(
      constant("kube_job_status_succeeded", labels, 1),
      constant("kube_job_complete", { ...labels, condition: "true" }, 1),
      constant("kube_job_complete", { ...labels, condition: "false" }, 0),
      constant("kube_job_complete", { ...labels, condition: "unknown" }, 0),
    );
  }
  return out;
}

// ---------------------------------------------------------------- expectations

function ruleLabels(e: Expected): Labels {
  return { severity: "critical", environment: "prod", namespace: NS, task: e.id, cadence: e.cadence };
}

function missedAlert(e: Expected): ExpAlert {
  return {
    exp_labels: { ...ruleLabels(e), cronjob: e.id },
    exp_annotations: {
      summary: `${e.id} has not succeeded within its period`,
      description:
        `CronJob ${NS}/${e.id} (${e.title}, ${e.cadence}) has had no successful run for more than ${e.missedAfterText}: ` +
        `its longest gap between runs (a clock change included) plus 60m grace and its ${e.slotMinutes}m slot.`,
      runbook_url: `${RUNBOOKS}/UpkeepJobMissed.md`,
    },
  };
}

function failedAlert(e: Expected, jobName: string): ExpAlert {
  return {
    exp_labels: { ...ruleLabels(e), job_name: jobName },
    exp_annotations: {
      summary: `${e.id} failed`,
      description: `Job ${jobName} of CronJob ${NS}/${e.id} (${e.title}) failed, and no run has succeeded since. Its logs stay until a newer run replaces it.`,
      runbook_url: `${RUNBOOKS}/UpkeepJobFailed.md`,
    },
  };
}

function tooLongAlert(e: Expected, jobName: string): ExpAlert {
  return {
    exp_labels: { ...ruleLabels(e), job_name: jobName },
    exp_annotations: {
      summary: `${e.id} is running past its slot`,
      description:
        `Job ${jobName} of CronJob ${NS}/${e.id} is still active more than ${e.slotMinutes}m after it started; ` +
        `its deadline did not stop it and it now overlaps the next task.`,
      runbook_url: `${RUNBOOKS}/UpkeepJobRunningTooLong.md`,
    },
  };
}




// ---------------------------------------------------------------- cases

const JOB_NUMBER = "29012345";

function missedCases(e: Expected): Case[] {
  const T = e.missedAfter;
  const longAgo = NOW - 400 * DAY;
  return [
    { name: `${e.id} missed: success exactly the threshold ago is silent`, series: cronjobSeries(e.id, { created: longAgo, lastSuccess: NOW - T }), checks: [[NOW_MINUTES, []]] },
    { name: `${e.id} missed: success 1 s under the threshold is silent`, series: cronjobSeries(e.id, { created: longAgo, lastSuccess: NOW - T + 1 }), checks: [[NOW_MINUTES, []]] },
    {
      name: `${e.id} missed: success 1 s over the threshold fires`,
      series: cronjobSeries(e.id, { created: longAgo, lastSuccess: NOW - T - 1 }),
      checks: [[NOW_MINUTES, [missedAlert(e)]]],
    },
    { name: `${e.id} missed: healthy, succeeded an hour ago`, series: cronjobSeries(e.id, { created: longAgo, lastSuccess: NOW - 3600 }), checks: [[NOW_MINUTES, []]] },
    {
      name: `${e.id} missed: suspended is silent however old the success`,
      series: cronjobSeries(e.id, { created: longAgo, lastSuccess: NOW - T - DAY, suspended: true }),
      checks: [[NOW_MINUTES, []]],
    },
    {
      name: `${e.id} missed: suspended and never succeeded is silent`,
      series: cronjobSeries(e.id, { created: NOW - T - DAY, suspended: true }),
      checks: [[NOW_MINUTES, []]],
    },
    {
      name: `${e.id} missed: never succeeded, created 1 s over the threshold ago, fires`,
      series: cronjobSeries(e.id, { created: NOW - T - 1 }),
      checks: [[NOW_MINUTES, [missedAlert(e)]]],
    },
    {
      name: `${e.id} missed: never succeeded, created exactly the threshold ago, is silent`,
      series: cronjobSeries(e.id, { created: NOW - T }),
      checks: [[NOW_MINUTES, []]],
    },
    {
      name: `${e.id} missed: another namespace's CronJob of the same name does not count`,
      series: [
        ...cronjobSeries(e.id, { created: longAgo, lastSuccess: NOW - 3600 }),
        ...cronjobSeries(e.id, { created: longAgo, lastSuccess: NOW - T - DAY, namespace: "other-team" }),
      ],
      checks: [[NOW_MINUTES, []]],
    },
  ];
}

function failedCases(e: Expected): Case[] {
  const job = `${e.id}-${JOB_NUMBER}`;
  const previousJob = `${e.id}-29010905`;
  const newerJob = `${e.id}-29013785`;
  const startedToday = NOW - 20 * 60;
  const startedYesterday = startedToday - DAY;
  const longAgo = NOW - 400 * DAY;
  return [
    {
      name: `${e.id} failed: a run failed after the last success`,
      series: [
        ...cronjobSeries(e.id, { created: longAgo, lastSuccess: startedYesterday + 300 }),
        ...jobSeries(previousJob, { start: startedYesterday, state: "succeeded" }),
        ...jobSeries(job, { start: startedToday, state: "failed" }),
      ],
      // Pending at 0m (for: 1m), firing from then on.
      checks: [
        [0, []],
        [NOW_MINUTES, [failedAlert(e, job)]],
      ],
    },
    {
      name: `${e.id} failed: a newer run succeeded after the failed one`,
      series: [
        ...cronjobSeries(e.id, { created: longAgo, lastSuccess: startedToday + 300 }),
        ...jobSeries(job, { start: startedYesterday, state: "failed" }),
        ...jobSeries(newerJob, { start: startedToday, state: "succeeded" }),
      ],
      checks: [[NOW_MINUTES, []]],
    },
    {
      name: `${e.id} failed: another CronJob's Job whose name shares the prefix, or in another namespace`,
      series: [
        ...cronjobSeries(e.id, { created: longAgo, lastSuccess: startedYesterday + 300 }),
        ...jobSeries(`${e.id}-extra-${JOB_NUMBER}`, { start: startedToday, state: "failed" }),
        ...jobSeries(job, { start: startedToday, state: "failed", namespace: "other-team" }),
      ],
      checks: [[NOW_MINUTES, []]],
    },
    {
      name: `${e.id} failed: the CronJob never succeeded`,
      series: [...cronjobSeries(e.id, { created: longAgo }), ...jobSeries(job, { start: startedToday, state: "failed" })],
      checks: [[NOW_MINUTES, [failedAlert(e, job)]]],
    },
  ];
}

function tooLongCases(e: Expected): Case[] {
  const job = `${e.id}-${JOB_NUMBER}`;
  const slot = e.slotMinutes;
  const span = slot + 20;
  const activeSeries = (values: string): Series => ({
    series: selector("kube_job_status_active", { namespace: NS, job_name: job, ...KSM }),
    values,
  });
  const startedAtZero = constant("kube_job_status_start_time", { namespace: NS, job_name: job }, 0, span);
  return [
    {
      // The job starts at 0. Past the slot from slot+1m (time() - start > slot), pending for 5m, firing at slot+6m.
      name: `${e.id} too long: still active past its slot`,
      series: [startedAtZero, activeSeries(`1x${span}`)],
      checks: [
        [slot - 10, []],
        [slot, []],
        [slot + 5, []],
        [slot + 6, [tooLongAlert(e, job)]],
        [slot + 15, [tooLongAlert(e, job)]],
      ],
    },
    {
      name: `${e.id} too long: silent once the job is no longer active`,
      series: [startedAtZero, activeSeries(`1x${slot + 7} 0x${span - slot - 8}`)],
      checks: [
        [slot + 7, [tooLongAlert(e, job)]],
        [slot + 8, []],
        [slot + 15, []],
      ],
    },
    {
      name: `${e.id} too long: a finished job long past its slot is silent`,
      series: [startedAtZero, activeSeries(`0x${span}`)],
      checks: [[slot + 15, []]],
    },
  ];
}

// ---------------------------------------------------------------- tests

test("the config plans the tasks the alerts are written for", () => {
  assert.deepEqual(
    TASKS.map((t) => [t.id, t.schedule.cadence, t.schedule.durationMinutes]),
    [
      ["orders-vacuum", "daily", 30],
      ["orders-reindex", "monthly", 60],
      ["orders-cleanup", "weekly", 30],
      ["search-rebuild", "custom", 30],
    ],
  );
  for (const e of EXPECTED) {
    const task = TASKS.find((t) => t.id === e.id)!;
    const threshold = maxGapSeconds(task.schedule, INPUTS.now) + SCHEDULE_DEFAULTS.missedRunGraceMinutes * 60 + task.schedule.durationMinutes * 60;
    assert.equal(threshold, e.missedAfter, `${e.id}: threshold`);
    const missed = RULES.find((r) => r.alert === ALERT_NAMES.missed && r.labels.task === e.id)!;
    assert.ok(missed.expr.includes(`> ${e.missedAfter}\n`), `${e.id}: the Missed expression compares with ${e.missedAfter}:\n${missed.expr}`);
  }
});

test("promtool check rules accepts the generated rule file: three rules per task, and the CronJobs' own absence", async () => {
  const result = await checkRules(RULE);
  assert.equal(result.code, 0, describeResult(result));
  assert.equal(RULES.length, TASKS.length * 3 + 1);
  assert.match(result.stdout, new RegExp(`SUCCESS: ${TASKS.length * 3 + 1} rules found`), describeResult(result));
});

test("every task has exactly the three alerts, each with its labels and annotations", () => {
  assert.equal(ALL_RULES.length, 1);
  assert.equal(RULE.metadata.name, "upkeep-prod");
  assert.equal(RULE.spec.groups.length, 1);
  assert.equal(RULE.spec.groups[0]!.name, "upkeep.prod.maintenance-jobs");
  for (const task of TASKS) {
    const own = RULES.filter((r) => r.labels.task === task.id);
    assert.deepEqual(
      own.map((r) => r.alert),
      [ALERT_NAMES.missed, ALERT_NAMES.failed, ALERT_NAMES.tooLong],
      task.id,
    );
    for (const r of own) {
      assert.deepEqual(Object.keys(r.labels).sort(), ["cadence", "environment", "namespace", "severity", "task"], `${task.id} ${r.alert}`);
      assert.deepEqual(Object.keys(r.annotations).sort(), ["description", "runbook_url", "summary"], `${task.id} ${r.alert}`);
      assert.deepEqual(r.labels, { severity: "critical", environment: "prod", namespace: NS, task: task.id, cadence: task.schedule.cadence });
    }
  }

  const vacuum = RULES.filter((r) => r.labels.task === "orders-vacuum");
  assert.deepEqual(
    vacuum.map((r) => ({ alert: r.alert, for: r.for, labels: r.labels, annotations: r.annotations })),
    [
      {
        alert: "UpkeepJobMissed",
        for: "0m",
        labels: { severity: "critical", environment: "prod", namespace: "upkeep-maintenance", task: "orders-vacuum", cadence: "daily" },
        annotations: {
          summary: "orders-vacuum has not succeeded within its period",
          description:
            "CronJob upkeep-maintenance/orders-vacuum (Vacuum and analyze orders, daily) has had no successful run for more than 1590m: " +
            "its longest gap between runs (a clock change included) plus 60m grace and its 30m slot.",
          runbook_url: "https://runbooks.example.com/upkeep/UpkeepJobMissed.md",
        },
      },
      {
        alert: "UpkeepJobFailed",
        for: "1m",
        labels: { severity: "critical", environment: "prod", namespace: "upkeep-maintenance", task: "orders-vacuum", cadence: "daily" },
        annotations: {
          summary: "orders-vacuum failed",
          description:
            "Job {{ $labels.job_name }} of CronJob upkeep-maintenance/orders-vacuum (Vacuum and analyze orders) failed, and no run has succeeded since. " +
            "Its logs stay until a newer run replaces it.",
          runbook_url: "https://runbooks.example.com/upkeep/UpkeepJobFailed.md",
        },
      },
      {
        alert: "UpkeepJobRunningTooLong",
        for: "5m",
        labels: { severity: "critical", environment: "prod", namespace: "upkeep-maintenance", task: "orders-vacuum", cadence: "daily" },
        annotations: {
          summary: "orders-vacuum is running past its slot",
          description:
            "Job {{ $labels.job_name }} of CronJob upkeep-maintenance/orders-vacuum is still active more than 30m after it started; " +
            "its deadline did not stop it and it now overlaps the next task.",
          runbook_url: "https://runbooks.example.com/upkeep/UpkeepJobRunningTooLong.md",
        },
      },
    ],
  );
});

for (const e of EXPECTED) {
  test(`promtool test rules: ${ALERT_NAMES.missed} for ${e.id} (${e.cadence}, after ${e.missedAfter} s)`, async () => {
    await assertPromtoolPasses(RULE, ALERT_NAMES.missed, missedCases(e));
  });
  test(`promtool test rules: ${ALERT_NAMES.failed} for ${e.id}`, async () => {
    await assertPromtoolPasses(RULE, ALERT_NAMES.failed, failedCases(e));
  });
  test(`promtool test rules: ${ALERT_NAMES.tooLong} for ${e.id} (${e.slotMinutes}m slot)`, async () => {
    await assertPromtoolPasses(RULE, ALERT_NAMES.tooLong, tooLongCases(e));
  });
}

test("negative control: promtool check rules rejects a broken expression", async () => {
  const groups = structuredClone(RULE.spec.groups) as { name: string; rules: AlertRule[] }[];
  const victim = groups[0]!.rules[1]!;
  (victim as { expr: string }).expr = victim.expr.replace("max by (namespace, job_name) (", "max by (namespace, job_name) ((");
  assert.notEqual(victim.expr, RULES[1]!.expr);
  const result = await checkRules({ groups });
  assert.notEqual(result.code, 0, describeResult(result));
  assert.match(result.stdout + result.stderr, /UpkeepJobFailed[\s\S]*could not parse expression|could not parse expression[\s\S]*UpkeepJobFailed/, describeResult(result));
});

test("negative control: promtool test rules fails on a wrong expectation either way", async () => {
  const vacuum = EXPECTED[0]!;
  const [, , overThreshold, healthy] = missedCases(vacuum);
  const expectSilence: Case = { ...overThreshold!, checks: [[NOW_MINUTES, []]] };
  const expectAlert: Case = { ...healthy!, checks: [[NOW_MINUTES, [missedAlert(vacuum)]]] };
  const wrongAnnotation: Case = {
    ...overThreshold!,
    checks: [[NOW_MINUTES, [{ ...missedAlert(vacuum), exp_annotations: { ...missedAlert(vacuum).exp_annotations, summary: "something else" } }]]],
  };
  for (const c of [expectSilence, expectAlert, wrongAnnotation]) {
    const result = await testRules(RULE, unitTest(ALERT_NAMES.missed, [c]));
    assert.equal(result.code, 1, `${c.name} with a wrong expectation must fail:\n${describeResult(result)}`);
    assert.match(result.stdout + result.stderr, /FAILED/, describeResult(result));
  }
});
