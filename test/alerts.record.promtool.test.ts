// The alerts that see real runs, through the real promtool: on synthetic
// kube-state-metrics series and the series the Pushgateway exposes (with the
// labels honorLabels keeps: job="upkeep", environment, task, instance=""), each
// fires when it should, with its labels, and stays silent otherwise.
// promtool's clock starts at 0; `time()` is the evaluation time in seconds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildPrometheusRules, type AlertRule } from "../components/alerting/taskAlerts";
import { parseConfig } from "../components/config";
import { planTasks } from "../components/tasks/maintenanceTasks";
import { checkRules, describeResult, selector, testRules, type Series } from "./support/promtool";

const NS = "upkeep-maintenance";
const DAY = 86_400;

const CONFIG = parseConfig(
  {
    environment: { name: "prod", tier: "production", timezone: "Europe/Berlin", window: { days: ["sat", "sun"], start: "00:30", durationMinutes: 300 } },
    kubernetes: { namespace: NS },
    notify: { emails: ["oncall@example.com"] },
    alerting: { runbookBaseUrl: "https://runbooks.example.com" },
    backups: { aws: { none: "The alert tests need no AWS Backup." } },
    endpoints: [{ url: "https://api.example.com/healthz" }, { url: "https://www.example.com:8443/", tlsMinDays: 30 }],
    databases: [
      {
        name: "orders",
        host: "orders-db.internal.example.com",
        database: "orders",
        credentialsSecret: "orders-db-maintenance",
        vacuum: "daily",
        reindex: "monthly",
        cleanup: { cadence: "weekly", tables: [{ table: "public.order_events", timestampColumn: "created_at", retentionDays: 180 }] },
      },
    ],
    jobs: [{ name: "search-rebuild", cadence: "monthly", image: "registry.example.com/search/rebuild:1.4.2", command: ["/app/rebuild"] }],
  },
  new Set(),
);
const TASKS = planTasks(CONFIG, { fromYear: 2026 });
const INPUTS = { environment: "prod", namespace: NS, severity: "critical" as const, runbookBaseUrl: "https://runbooks.example.com", ruleLabels: {}, tasks: TASKS, now: new Date("2026-11-29T00:00:00Z") };
const RULE = buildPrometheusRules({ ...INPUTS, pushgateway: true })[0]!;
const RULES: readonly AlertRule[] = RULE.spec.groups.flatMap((g) => g.rules);
const KSM_ONLY = buildPrometheusRules({ ...INPUTS, pushgateway: false })[0]!;

/** UpkeepJobMissed's threshold for the monthly reindex: 5 weeks + 1 h clock change + 60 min grace + 60 min slot. */
const MONTHLY_MISSED = 35 * DAY + 3 * 3600;
/** For the daily vacuum: 1 d + 1 h + 60 min + 30 min. */
const DAILY_MISSED = DAY + 3600 + 3600 + 1800;

type Labels = Record<string, string>;
const KSM = { job: "kube-state-metrics", instance: "10.42.0.7:8080" };
const PUSHED = { job: "upkeep", environment: "prod", instance: "" };

function constant(metric: string, labels: Labels, value: number, steps: number): Series {
  return { series: selector(metric, labels), values: `${value}+0x${steps}` };
}
const ksm = (metric: string, labels: Labels, value: number, steps: number) => constant(metric, { ...labels, ...KSM }, value, steps);
const pushed = (metric: string, task: string, kind: string, value: number, steps: number, extra: Labels = {}) =>
  constant(metric, { ...PUSHED, task, kind, ...extra }, value, steps);

function cronjob(id: string, s: { created: number; lastSuccess?: number; suspend?: string }, steps: number): Series[] {
  const labels = { namespace: NS, cronjob: id };
  return [
    ksm("kube_cronjob_created", labels, s.created, steps),
    ksm("kube_cronjob_info", { ...labels, schedule: "x" }, 1, steps),
    s.suspend !== undefined ? { series: selector("kube_cronjob_spec_suspend", { ...labels, ...KSM }), values: s.suspend } : ksm("kube_cronjob_spec_suspend", labels, 0, steps),
    ...(s.lastSuccess !== undefined ? [ksm("kube_cronjob_status_last_successful_time", labels, s.lastSuccess, steps)] : []),
  ];
}

function failedJob(name: string, start: number, steps: number): Series[] {
  const labels = { namespace: NS, job_name: name };
  return [ksm("kube_job_status_start_time", labels, start, steps), ksm("kube_job_failed", { ...labels, condition: "true" }, 1, steps), ksm("kube_job_status_active", labels, 0, steps)];
}

interface Case {
  readonly name: string;
  readonly alert: string;
  readonly series: readonly Series[];
  /** [eval time, expected labels of each firing alert]. */
  readonly checks: readonly (readonly [string, readonly Labels[]])[];
}

/** Expected labels may carry `__value`: it fills the annotations' `{{ $value }}` and is no label. */
/** Runs the cases with promtool, one evaluation every `interval`; checks labels only (annotations are asserted below). */
async function assertCases(rule: { spec: { groups: readonly { name: string; rules: readonly AlertRule[] }[] } }, interval: string, cases: readonly Case[]) {
  const unit = {
    evaluation_interval: interval,
    tests: cases.map((c) => ({
      name: c.name,
      interval,
      input_series: c.series,
      alert_rule_test: c.checks.map(([at, alerts]) => ({
        eval_time: at,
        alertname: c.alert,
        exp_alerts: alerts.map((l) => ({ exp_labels: withoutValue(l), exp_annotations: annotationsOf(rule, c.alert, l) })),
      })),
    })),
  };
  const result = await testRules(rule, unit);
  assert.equal(result.code, 0, describeResult(result));
}

/** The annotations the rule would carry, its templates filled in as Prometheus fills them for these labels. */
function annotationsOf(rule: { spec: { groups: readonly { rules: readonly AlertRule[] }[] } }, alert: string, labels: Labels): Labels {
  const r = rule.spec.groups.flatMap((g) => g.rules).find((x) => x.alert === alert && Object.entries(x.labels).every(([k, v]) => labels[k] === v))!;
  assert.ok(r, `a rule ${alert} for ${JSON.stringify(labels)}`);
  const value = labels.__value ?? "";
  return Object.fromEntries(
    Object.entries(r.annotations).map(([k, v]) => [k, v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l] ?? "").replace(/\{\{ \$value \}\}/g, value)]),
  );
}

const base = (task: string, cadence: string): Labels => ({ severity: "critical", environment: "prod", namespace: NS, task, cadence });
const withoutValue = (l: Labels): Labels => Object.fromEntries(Object.entries(l).filter(([k]) => k !== "__value"));

test("promtool check rules accepts every rule, with the Pushgateway and without", async () => {
  for (const rule of [RULE, KSM_ONLY]) {
    const result = await checkRules(rule);
    assert.equal(result.code, 0, describeResult(result));
  }
  const alerts = (r: typeof RULE) => r.spec.groups.flatMap((g) => g.rules.map((x) => `${x.alert}:${x.labels.task ?? x.labels.missing}${x.labels.endpoint ? `:${x.labels.endpoint}` : ""}`));
  const pushedOnly = alerts(RULE).filter((a) => !alerts(KSM_ONLY).includes(a));
  assert.deepEqual(pushedOnly, [
    "UpkeepCleanupBacklog:orders-cleanup",
    "UpkeepEndpointCertificateExpiring:tls-check:api.example.com:443",
    "UpkeepEndpointCertificateExpiring:tls-check:www.example.com:8443",
    "UpkeepMetricsAbsent:push",
    "UpkeepMetricsAbsent:pushgateway",
  ]);
  // A monthly custom job prints no outcome: its alerts stay on kube-state-metrics.
  const custom = RULES.filter((r) => r.labels.task === "search-rebuild" && r.alert === "UpkeepJobMissed")[0]!;
  assert.match(custom.expr, /kube_cronjob_status_last_successful_time/);
  assert.doesNotMatch(custom.expr, /upkeep_task_/);
  const reindex = RULES.filter((r) => r.labels.task === "orders-reindex" && r.alert === "UpkeepJobMissed")[0]!;
  assert.ok(reindex.expr.includes(`) > ${MONTHLY_MISSED}\n`), reindex.expr);
});

test("a monthly task's missed alert counts only pushed real successes, and waits a period after a freeze", async () => {
  const H = 3600;
  const steps = 900; // hours
  const at = (h: number) => `${h}h`;
  const reindex = base("orders-reindex", "monthly");
  const created = -400 * DAY;
  // kube-state-metrics sees a "success" every week: the guard's skips.
  const skips = (h: number) => ksm("kube_cronjob_status_last_successful_time", { namespace: NS, cronjob: "orders-reindex" }, h * H, steps);
  const lastReal = (t: number) => pushed("upkeep_task_last_success_timestamp_seconds", "orders-reindex", "reindex", t, steps);
  await assertCases(RULE, "1h", [
    {
      name: "the last real success is older than the threshold, skips are recent: fires after 5 minutes",
      alert: "UpkeepJobMissed",
      series: [...cronjob("orders-reindex", { created }, steps).filter((s) => !s.series.startsWith("kube_cronjob_status")), skips(0), lastReal(-MONTHLY_MISSED + 10 * H)],
      checks: [
        [at(10), []], // exactly the threshold: silent
        [at(11), []], // over it: pending
        [at(12), [reindex]],
      ],
    },
    {
      name: "a recent real success is silent",
      alert: "UpkeepJobMissed",
      series: [...cronjob("orders-reindex", { created, lastSuccess: 0 }, steps), lastReal(-2 * DAY)],
      checks: [[at(20), []]],
    },
    {
      name: "never pushed a success: fires once the CronJob is older than the threshold",
      alert: "UpkeepJobMissed",
      series: cronjob("orders-reindex", { created: -MONTHLY_MISSED + 5 * H, lastSuccess: 0 }, steps),
      checks: [
        [at(5), []],
        [at(7), [reindex]],
      ],
    },
    {
      name: "suspended until hour 10: silent until one full threshold after the freeze ended",
      alert: "UpkeepJobMissed",
      series: [...cronjob("orders-reindex", { created, lastSuccess: 0, suspend: `1x10 0x${steps - 10}` }, steps), lastReal(-60 * DAY)],
      checks: [
        [at(5), []],
        [at(11), []],
        [at(10 + MONTHLY_MISSED / H - 1), []],
        [at(10 + MONTHLY_MISSED / H + 2), [reindex]],
      ],
    },
  ]);
});

test("a daily task's missed alert (kube-state-metrics) also waits a full period after a freeze", async () => {
  const vacuum = { ...base("orders-vacuum", "daily"), cronjob: "orders-vacuum" };
  const M = DAILY_MISSED / 60; // minutes
  await assertCases(KSM_ONLY, "10m", [
    {
      name: "suspended for the first 100 minutes, last success long ago",
      alert: "UpkeepJobMissed",
      series: cronjob("orders-vacuum", { created: -400 * DAY, lastSuccess: -10 * DAY, suspend: `1x10 0x${M / 10 + 20}` }, M / 10 + 30),
      checks: [
        ["50m", []],
        ["200m", []],
        [`${100 + M - 20}m`, []],
        [`${100 + M + 20}m`, [vacuum]],
      ],
    },
  ]);
});

test("a monthly task's failed run stays alerting through the skips until a real run succeeds", async () => {
  const steps = 60;
  const reindex = { ...base("orders-reindex", "monthly"), job_name: "orders-reindex-29400000" };
  const job = failedJob("orders-reindex-29400000", -7 * DAY, steps);
  const created = -400 * DAY;
  await assertCases(RULE, "1m", [
    {
      name: "failed on the first Saturday; the skip a week later succeeded in kube-state-metrics' eyes",
      alert: "UpkeepJobFailed",
      series: [...cronjob("orders-reindex", { created, lastSuccess: -60 }, steps), ...job, pushed("upkeep_task_last_success_timestamp_seconds", "orders-reindex", "reindex", -35 * DAY, steps)],
      checks: [
        ["0m", []],
        ["5m", [reindex]],
      ],
    },
    {
      name: "the retry on the second Saturday succeeded for real",
      alert: "UpkeepJobFailed",
      series: [...cronjob("orders-reindex", { created, lastSuccess: -60 }, steps), ...job, pushed("upkeep_task_last_success_timestamp_seconds", "orders-reindex", "reindex", -60, steps)],
      checks: [["5m", []]],
    },
    {
      name: "never succeeded for real at all",
      alert: "UpkeepJobFailed",
      series: [...cronjob("orders-reindex", { created, lastSuccess: -60 }, steps), ...job],
      checks: [["5m", [reindex]]],
    },
  ]);
  // Without the Pushgateway the skip clears it, as before: the known limit the pushed success removes.
  await assertCases(KSM_ONLY, "1m", [
    {
      name: "kube-state-metrics only: the skip's success clears the failed run",
      alert: "UpkeepJobFailed",
      series: [...cronjob("orders-reindex", { created, lastSuccess: -60 }, steps), ...job],
      checks: [["5m", []]],
    },
  ]);
});

test("a cleanup backlog that has not shrunk over three runs, and certificates under their minimum", async () => {
  const steps = 60;
  const backlog = (runs: number) => pushed("upkeep_cleanup_backlog_runs", "orders-cleanup", "cleanup", runs, steps, { table: "public.order_events" });
  const cleanup = { ...base("orders-cleanup", "weekly"), table: "public.order_events" };
  await assertCases(RULE, "1m", [
    { name: "two runs: silent", alert: "UpkeepCleanupBacklog", series: [backlog(2)], checks: [["30m", []]] },
    { name: "three runs: fires after 15 minutes", alert: "UpkeepCleanupBacklog", series: [backlog(3)], checks: [["14m", []], ["16m", [{ ...cleanup, __value: "3" }]]] },
    { name: "another environment's backlog is not ours", alert: "UpkeepCleanupBacklog", series: [constant("upkeep_cleanup_backlog_runs", { ...PUSHED, environment: "staging", task: "orders-cleanup", kind: "cleanup", table: "t" }, 9, steps)], checks: [["30m", []]] },
  ]);
  const days = (endpoint: string, d: number) => pushed("upkeep_endpoint_certificate_days_left", "tls-check", "tls-check", d, steps, { endpoint });
  const tls = (endpoint: string, v: string) => ({ ...base("tls-check", "daily"), endpoint, __value: v });
  await assertCases(RULE, "1m", [
    {
      name: "20 days left where 21 are the minimum fires; 29 where 30 are, too; each at its own threshold",
      alert: "UpkeepEndpointCertificateExpiring",
      series: [days("api.example.com:443", 20), days("www.example.com:8443", 29)],
      checks: [["14m", []], ["16m", [tls("api.example.com:443", "20"), tls("www.example.com:8443", "29")]]],
    },
    {
      name: "exactly the minimum is silent",
      alert: "UpkeepEndpointCertificateExpiring",
      series: [days("api.example.com:443", 21), days("www.example.com:8443", 30)],
      checks: [["16m", []]],
    },
  ]);
});

test("UpkeepMetricsAbsent: CronJobs missing from kube-state-metrics, no pushed metrics at all, a push that never landed", async () => {
  const steps = 60;
  const ids = TASKS.map((t) => t.id);
  const all = (except: string[] = [], lastSuccess?: number) => ids.filter((id) => !except.includes(id)).flatMap((id) => cronjob(id, { created: -DAY, lastSuccess }, steps));
  const absent = (missing: string, extra: Labels = {}) => ({ severity: "critical", environment: "prod", namespace: NS, missing, ...extra });
  const lastRun = (task: string, kind: string, t: number) => pushed("upkeep_task_last_run_timestamp_seconds", task, kind, t, steps);
  const pushingAll = (t: number) => TASKS.filter((x) => x.kind !== "custom").map((x) => lastRun(x.id, x.kind, t));
  await assertCases(RULE, "1m", [
    { name: "every CronJob present, every push landed: silent", alert: "UpkeepMetricsAbsent", series: [...all([], -3600), ...pushingAll(-3590)], checks: [["20m", []]] },
    {
      name: "two CronJobs missing from kube-state-metrics",
      alert: "UpkeepMetricsAbsent",
      series: [...all(["orders-vacuum", "tls-check"], -3600), ...pushingAll(-3590)],
      checks: [["14m", []], ["16m", [{ ...absent("cronjobs", { prometheusrule: "upkeep-prod" }), __value: String(ids.length - 2) }]]],
    },
    {
      name: "CronJobs succeed but nothing pushed reaches Prometheus; each built-in task's push is missing too",
      alert: "UpkeepMetricsAbsent",
      series: all([], -3600),
      checks: [
        [
          "16m",
          [
            absent("pushgateway", { job: "upkeep" }),
            ...TASKS.filter((x) => x.kind !== "custom").map((x) => ({ ...absent("push", { prometheusrule: "upkeep-prod" }), task: x.id, cronjob: x.id })),
          ],
        ],
      ],
    },
    {
      name: "the reindex's last push is 20 minutes older than its Job's completion",
      alert: "UpkeepMetricsAbsent",
      series: [...all([], -3600), ...pushingAll(-3590).filter((s) => !s.series.includes('task="orders-reindex"')), lastRun("orders-reindex", "reindex", -3600 - 1200)],
      checks: [["16m", [{ ...absent("push", { prometheusrule: "upkeep-prod" }), task: "orders-reindex", cronjob: "orders-reindex" }]]],
    },
    {
      name: "a custom job pushes nothing and is not missed",
      alert: "UpkeepMetricsAbsent",
      series: [...all([], -3600), ...pushingAll(-3590)],
      checks: [["16m", []]],
    },
  ]);
});

// The label-only expectations above are rendered with annotationsOf; make sure the texts it fills are the rule's own.
test("the new alerts' annotations name what fired and where to look", () => {
  const backlog = RULES.find((r) => r.alert === "UpkeepCleanupBacklog")!;
  assert.deepEqual(backlog.annotations, {
    summary: "orders-cleanup is not keeping up with {{ $labels.table }}",
    description:
      "The last {{ $value }} runs of orders-cleanup each left rows in {{ $labels.table }} older than the cutoff and never fewer than the run before: " +
      "the cleanup does not keep up. Its slot, batch size or a lock on the table holds it back.",
    runbook_url: "https://runbooks.example.com/UpkeepCleanupBacklog.md",
  });
  assert.equal(withoutValue({ a: "1", __value: "2" }).__value, undefined);
});
