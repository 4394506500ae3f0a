/**
 * The Grafana dashboard: the exact ConfigMap the sidecar loads; every
 * panel's query parsed by the real promtool (as recording rules in a
 * throwaway rule file) and by Prometheus's own PromQL grammar, and every
 * metric it names one that upkeep's rules, kube-state-metrics or the
 * maintenance record produce. A misspelt metric would show "No data"
 * forever; here it fails the test.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parser } from "@prometheus-io/lezer-promql";
import {
  buildDashboard,
  buildDashboardConfigMap,
  dashboardQueries,
  windowMarkdown,
  type DashboardInputs,
} from "../components/alerting/dashboard";
import { CERT_MANAGER_METRICS, KUBE_STATE_METRICS, KUBE_STATE_METRICS_MINIMUM, RECORD_METRICS, RULE_SERIES } from "../components/alerting/metricSources";
import { buildPrometheusRules } from "../components/alerting/taskAlerts";
import { buildCertificateRules } from "../components/certificates";
import { parseConfig } from "../components/config";
import { planTasks } from "../components/tasks";
import { installComponentMocks } from "./support/componentMocks";
import { referenceConfig, ROOT } from "./support/configs";
import { checkRules, describeResult } from "./support/promtool";

const NS = "upkeep-maintenance";
const config = parseConfig(referenceConfig(), new Set());
const tasks = planTasks(config, { fromYear: 2026 });
const INPUTS: DashboardInputs = {
  environment: "prod",
  namespace: NS,
  timeZone: config.environment.timezone,
  window: config.environment.window,
  certificateWarningDays: 21,
};
const DASHBOARD = buildDashboard(INPUTS);
const QUERIES = dashboardQueries(DASHBOARD);

/** The metric names a PromQL expression selects, read with Prometheus's own grammar. */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  const tree = parser.parse(expr);
  let error = false;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error = true;
      if (node.name === "VectorSelector") {
        const id = node.node.getChild("Identifier");
        // A selector without a name ({__name__=~"…"}) could read anything: not allowed here.
        assert.ok(id, `a selector without a metric name in ${expr}`);
        names.push(expr.slice(id.from, id.to));
      }
    },
  });
  assert.equal(error, false, `PromQL grammar error in ${expr}`);
  return names;
}

const PRODUCED = new Set<string>([...RECORD_METRICS, ...Object.keys(KUBE_STATE_METRICS), ...RULE_SERIES]);

/** Metrics a query names that nothing upkeep relies on produces. */
function unknownMetrics(exprs: readonly string[]): string[] {
  return [...new Set(exprs.flatMap(metricNames))].filter((m) => !PRODUCED.has(m)).sort();
}

test("the ConfigMap: in upkeep's namespace, labelled for the Grafana sidecar, holding the dashboard's JSON", () => {
  const cm = buildDashboardConfigMap(INPUTS);
  assert.deepEqual(cm.metadata, {
    name: "upkeep-prod-dashboard",
    namespace: NS,
    labels: {
      "app.kubernetes.io/part-of": "upkeep",
      "app.kubernetes.io/managed-by": "pulumi",
      "upkeep.dev/environment": "prod",
      "app.kubernetes.io/name": "upkeep",
      "app.kubernetes.io/component": "dashboard",
      grafana_dashboard: "1",
    },
  });
  assert.deepEqual(Object.keys(cm.data), ["upkeep-prod.json"]);
  assert.deepEqual(JSON.parse(cm.data["upkeep-prod.json"]!), DASHBOARD);
  assert.equal(DASHBOARD.uid, "upkeep-prod");
  assert.equal(DASHBOARD.timezone, "Europe/Berlin");
});

test("the panels: each task's outcome and duration, the window, cleanup backlog, dump age, endpoint certificates, alerts firing", () => {
  assert.deepEqual(
    DASHBOARD.panels.map((p) => [p.type, p.title]),
    [
      ["table", "Last outcome per task"],
      ["bargauge", "Last run duration"],
      ["table", "Since the last real success"],
      ["table", "CronJobs: since the last success"],
      ["table", "Jobs: how long each run took"],
      ["text", "Maintenance window"],
      ["table", "Next runs"],
      ["table", "Schedules"],
      ["state-timeline", "Running"],
      ["timeseries", "Cleanup backlog: rows older than the cutoff"],
      ["stat", "Age of the dump last verified"],
      ["table", "Dump checks"],
      ["bargauge", "Endpoint certificate days left"],
      ["table", "Alerts firing"],
    ],
  );
  assert.deepEqual(QUERIES.map((q) => q.expr), [
    'max by (task, kind, outcome) (upkeep_task_outcome{environment="prod"} == 1)',
    'max by (task) (upkeep_task_duration_seconds{environment="prod"})',
    'time() - max by (task) (upkeep_task_last_success_timestamp_seconds{environment="prod"})',
    'time() - max by (cronjob) (kube_cronjob_status_last_successful_time{namespace="upkeep-maintenance"})',
    'max by (job_name) (kube_job_status_completion_time{namespace="upkeep-maintenance"} - kube_job_status_start_time{namespace="upkeep-maintenance"})',
    'max by (cronjob) (kube_cronjob_next_schedule_time{namespace="upkeep-maintenance"}) * 1000',
    'max by (cronjob, schedule, timezone) (kube_cronjob_info{namespace="upkeep-maintenance"})',
    'max by (cronjob) (kube_cronjob_status_active{namespace="upkeep-maintenance"})',
    'max by (task, table) (upkeep_cleanup_rows_remaining{environment="prod"})',
    'max by (task) (upkeep_dump_age_seconds{environment="prod"})',
    'min by (task, check) (upkeep_dump_check_passed{environment="prod"})',
    'min by (endpoint) (upkeep_endpoint_certificate_days_left{environment="prod"})',
    'ALERTS{alertstate="firing",environment="prod",alertname=~"Upkeep.*"}',
  ]);
});

test("promtool parses every panel's query, through a throwaway rule file of recording rules", async () => {
  const rules = QUERIES.map((q, i) => ({ record: `upkeep:dashboard:panel_${i + 1}`, expr: q.expr }));
  const result = await checkRules({ groups: [{ name: "dashboard", rules }] } as never);
  assert.equal(result.code, 0, describeResult(result));
  assert.match(result.stdout, new RegExp(`SUCCESS: ${QUERIES.length} rules found`), describeResult(result));
  // Negative control: the same check refuses a broken query.
  const broken = await checkRules({ groups: [{ name: "dashboard", rules: [{ record: "upkeep:dashboard:broken", expr: "max by (task (upkeep_task_outcome)" }] }] } as never);
  assert.notEqual(broken.code, 0, describeResult(broken));
});

test("every metric the dashboard names is produced by upkeep's rules, kube-state-metrics or the maintenance record", () => {
  const named = [...new Set(QUERIES.flatMap((q) => metricNames(q.expr)))].sort();
  assert.ok(named.length >= 12, named.join(", "));
  assert.deepEqual(unknownMetrics(QUERIES.map((q) => q.expr)), []);
  // Negative control: a misspelt record metric and a kube-state-metrics name that does not exist are caught.
  assert.deepEqual(unknownMetrics(["max(upkeep_task_outcomes)", "kube_cronjob_last_success_time * 2"]), ["kube_cronjob_last_success_time", "upkeep_task_outcomes"]);
  assert.throws(() => metricNames("max by (task (upkeep_task_outcome)"), /PromQL grammar error/);
  assert.throws(() => metricNames('{__name__=~"upkeep_.*"}'), /a selector without a metric name/);
});

test("the kube-state-metrics list is exactly what the dashboard and upkeep's alerts read, each with the release that added it", () => {
  const alertExprs = buildPrometheusRules({
    environment: "prod",
    namespace: NS,
    severity: "critical",
    runbookBaseUrl: "docs/runbooks",
    ruleLabels: {},
    tasks,
    now: new Date("2026-11-29T00:00:00Z"),
  }).flatMap((r) => r.spec.groups.flatMap((g) => g.rules.map((rule) => rule.expr)));
  const ksm = (exprs: readonly string[]) => exprs.flatMap(metricNames).filter((m) => m.startsWith("kube_"));
  assert.deepEqual([...new Set([...ksm(alertExprs), ...ksm(QUERIES.map((q) => q.expr))])].sort(), Object.keys(KUBE_STATE_METRICS).sort());
  for (const [metric, { since }] of Object.entries(KUBE_STATE_METRICS)) assert.match(since, /^v\d+\.\d+\.\d+$/, metric);
  // The minimum the README states is the newest release any of them needs.
  const newest = Object.values(KUBE_STATE_METRICS).map((m) => m.since).sort((a, b) => a.localeCompare(b, "en", { numeric: true })).at(-1);
  assert.equal(newest, KUBE_STATE_METRICS_MINIMUM);
  assert.ok(readFileSync(join(ROOT, "README.md"), "utf8").includes(`**kube-state-metrics ${KUBE_STATE_METRICS_MINIMUM}+**`), "the README states the minimum");
  // The certificate alerts read only cert-manager's own metrics.
  const certRules = buildCertificateRules({
    environment: "prod",
    namespace: NS,
    severity: "critical",
    runbookBaseUrl: "docs/runbooks",
    certificates: [{ name: "api", secretName: "api-tls", dnsNames: ["api.example.com"], issuer: { kind: "ClusterIssuer", name: "le" }, renewInWindow: false }],
    expiryWarningDays: 21,
  });
  assert.deepEqual([...new Set(certRules.rules.flatMap((r) => metricNames(r.expr)))].sort(), [...CERT_MANAGER_METRICS].sort());
});

test("the layout: unique panel ids, 24 columns, no overlap, every query on the data source variable", () => {
  const ids = DASHBOARD.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  const cells = new Set<string>();
  for (const p of DASHBOARD.panels) {
    const { x, y, w, h } = p.gridPos;
    assert.ok(x >= 0 && w > 0 && x + w <= 24, `${p.title} fits 24 columns`);
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        assert.ok(!cells.has(`${i},${j}`), `${p.title} overlaps another panel at ${i},${j}`);
        cells.add(`${i},${j}`);
      }
    }
    if (p.targets) assert.deepEqual(p.datasource, { type: "prometheus", uid: "${datasource}" }, p.title);
  }
  assert.deepEqual(DASHBOARD.templating.list, [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", hide: 0, refresh: 1 }]);
});

test("the window panel states the window in its zone; it names no task, so a schedule change leaves the ConfigMap alone", () => {
  assert.equal(
    windowMarkdown(INPUTS),
    "**Window:** 01:30 for 240 min, Europe/Berlin. Daily tasks run in it every day; weekly, monthly and quarterly tasks on sat, sun. " +
      "Each task's slot and next runs are beside this panel; the plan's calendar.md has them in words.",
  );
  const json = buildDashboardConfigMap(INPUTS).data["upkeep-prod.json"]!;
  for (const t of tasks) assert.ok(!json.includes(t.id), t.id);
});

test("under mocks, MaintenanceDashboard registers exactly the ConfigMap", async () => {
  const mocks = await installComponentMocks("prod");
  const { MaintenanceDashboard } = await import("../components/alerting/dashboard.js");
  new MaintenanceDashboard("upkeep", INPUTS);
  await mocks.settle();
  assert.deepEqual(
    mocks.recorded.map((r) => [r.type, r.name]).sort(),
    [
      ["kubernetes:core/v1:ConfigMap", "upkeep-dashboard"],
      ["upkeep:monitoring:MaintenanceDashboard", "upkeep"],
    ],
  );
  assert.deepEqual(mocks.named("kubernetes:core/v1:ConfigMap", "upkeep-dashboard").inputs, buildDashboardConfigMap(INPUTS));
});

test("the record's metric list is exactly what record.sh pushes, and the README names each", () => {
  const script = readFileSync(join(ROOT, "components/scripts/record.sh"), "utf8");
  const pushed = [...new Set([...script.matchAll(/gauge\("(upkeep_[a-z_]+)"/g)].map((m) => m[1]!))].sort();
  assert.deepEqual([...RECORD_METRICS].sort(), pushed);
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## The maintenance record\n"), readme.indexOf("\n## The offline plan\n"));
  const named = new Set([...section.matchAll(/^\| `(upkeep_[a-z_]+)` \|/gm)].map((m) => m[1]!));
  assert.deepEqual([...named].sort(), pushed);
});
