// Large environments: the alerts of a hundred tasks per PrometheusRule, so
// no object nears the API server's size limit, filled in task order, and
// every group name unique so Prometheus loads them all side by side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildPrometheusRules, TASKS_PER_PROMETHEUS_RULE, type AlertInputs, type AlertRule } from "../components/alerting/taskAlerts";
import { parseConfig } from "../components/config";
import { planTasks } from "../components/tasks/maintenanceTasks";
import { checkRules, describeResult } from "./support/promtool";

const JOBS = 250;

function inputs(jobs: number, extraGroups: AlertInputs["extraGroups"] = []): AlertInputs {
  const config = parseConfig(
    {
      environment: { name: "prod", tier: "production", timezone: "Europe/Berlin", window: { days: ["sat", "sun"], start: "00:30", durationMinutes: 300 } },
      kubernetes: { namespace: "upkeep-maintenance" },
      notify: { emails: ["oncall@example.com"] },
      alerting: { runbookBaseUrl: "https://runbooks.example.com/upkeep" },
      backups: { aws: { none: "Alert sharding is tested without AWS Backup." } },
      jobs: Array.from({ length: jobs }, (_, i) => ({
        name: `job${i}`,
        schedule: `${i % 60} ${13 + (i % 10)} * * *`,
        outsideWindow: true,
        image: "registry.example.com/jobs/job:1.0.0",
      })),
    },
    new Set(),
  );
  return {
    environment: "prod",
    namespace: "upkeep-maintenance",
    severity: "critical",
    runbookBaseUrl: "https://runbooks.example.com/upkeep",
    ruleLabels: { release: "kube-prometheus-stack" },
    tasks: planTasks(config, { fromYear: 2026 }),
    now: new Date("2026-11-29T00:00:00Z"),
    extraGroups,
  };
}

const CERT_GROUP = {
  name: "upkeep.prod.certificates",
  rules: [{ alert: "UpkeepCertificateExpiring", expr: "vector(1)", for: "1h", labels: { severity: "critical" }, annotations: { summary: "soon" } }] as AlertRule[],
};

test("250 tasks make three PrometheusRules of 100, 100 and 50 tasks, in task order", () => {
  const input = inputs(JOBS, [CERT_GROUP]);
  const rules = buildPrometheusRules(input);
  assert.equal(TASKS_PER_PROMETHEUS_RULE, 100);
  assert.deepEqual(
    rules.map((r) => r.metadata.name),
    ["upkeep-prod", "upkeep-prod-2", "upkeep-prod-3"],
  );
  assert.deepEqual(
    rules.map((r) => r.spec.groups.map((g) => g.name)),
    [["upkeep.prod.maintenance-jobs", "upkeep.prod.certificates"], ["upkeep.prod.maintenance-jobs-2"], ["upkeep.prod.maintenance-jobs-3"]],
  );
  const taskOrder = input.tasks.map((t) => t.id);
  const perShard = rules.map((r) => [...new Set(r.spec.groups[0]!.rules.flatMap((rule) => rule.labels.task ?? []))]);
  assert.deepEqual(perShard, [taskOrder.slice(0, 100), taskOrder.slice(100, 200), taskOrder.slice(200)]);
  for (const shard of rules) {
    // Every shard carries upkeep:alerting.ruleLabels, or kube-prometheus-stack's ruleSelector skips it without a word.
    assert.deepEqual(shard.metadata.labels, {
      release: "kube-prometheus-stack",
      "app.kubernetes.io/part-of": "upkeep",
      "app.kubernetes.io/managed-by": "pulumi",
      "upkeep.dev/environment": "prod",
      "app.kubernetes.io/name": "upkeep",
      "app.kubernetes.io/component": "alerts",
    });
    assert.equal(shard.metadata.namespace, "upkeep-maintenance");
    // Each shard's last rule: its own CronJobs missing from kube-state-metrics, so adding a task touches only the last shard.
    assert.deepEqual(shard.spec.groups[0]!.rules.at(-1)!.labels.missing, "cronjobs");
    for (const task of new Set(shard.spec.groups[0]!.rules.flatMap((r) => r.labels.task ?? []))) {
      assert.deepEqual(
        shard.spec.groups[0]!.rules.filter((r) => r.labels.task === task).map((r) => r.alert),
        ["UpkeepJobMissed", "UpkeepJobFailed", "UpkeepJobRunningTooLong"],
      );
    }
  }
});

test("a full PrometheusRule stays far below the API server's 1.5 MiB object limit", () => {
  const [first] = buildPrometheusRules(inputs(TASKS_PER_PROMETHEUS_RULE));
  const bytes = Buffer.byteLength(JSON.stringify(first));
  assert.ok(bytes < 512 * 1024, `a PrometheusRule of ${TASKS_PER_PROMETHEUS_RULE} tasks is ${bytes} bytes`);
  assert.ok(bytes > 200 * 1024, `a PrometheusRule of ${TASKS_PER_PROMETHEUS_RULE} tasks is ${bytes} bytes: the estimate behind the limit is off`);
});

test("adding a task changes only the last PrometheusRule", () => {
  const before = buildPrometheusRules(inputs(JOBS));
  const after = buildPrometheusRules(inputs(JOBS + 1));
  assert.equal(after.length, before.length);
  assert.deepEqual(after.slice(0, -1), before.slice(0, -1));
  assert.notDeepEqual(after.at(-1), before.at(-1));
});

test("an environment without tasks keeps one PrometheusRule for its other groups", () => {
  const rules = buildPrometheusRules({ ...inputs(0), extraGroups: [CERT_GROUP] });
  assert.deepEqual(
    rules.map((r) => [r.metadata.name, r.spec.groups.map((g) => `${g.name}:${g.rules.length}`)]),
    [["upkeep-prod", ["upkeep.prod.maintenance-jobs:0", "upkeep.prod.certificates:1"]]],
  );
});

test("promtool loads every shard's groups together: names are unique, 750 rules and one UpkeepMetricsAbsent per shard", async () => {
  const groups = buildPrometheusRules(inputs(JOBS, [CERT_GROUP])).flatMap((r) => r.spec.groups);
  const result = await checkRules({ groups });
  assert.equal(result.code, 0, describeResult(result));
  assert.match(result.stdout, /SUCCESS: 754 rules found/, describeResult(result));
});
