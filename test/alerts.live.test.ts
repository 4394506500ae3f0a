// The alerts against the real thing: the real scripts run against the real
// PostgreSQL and push to the real Pushgateway; the real Prometheus scrapes it
// every second (honor_labels, as upkeep's ServiceMonitor does) and evaluates
// upkeep's generated rules every second. kube-state-metrics' CronJob and Job
// series, which only a cluster produces, are served as its exposition format
// from 127.0.0.1. Each alert is read through Prometheus' HTTP API: pending
// (every rule here waits `for:` minutes, so pending is its first state) when it
// should, inactive otherwise. promtool proves the `for:` durations.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import { buildPrometheusRules } from "../components/alerting/taskAlerts";
import { parseConfig } from "../components/config";
import { planTasks } from "../components/tasks/maintenanceTasks";
import { ruleFileYaml } from "./support/promtool";
import { apiGet, startAll, startPrometheus, startPushgateway, type Server } from "./support/monitoring";
import { close, listen } from "./support/http";
import { startMaintenanceDb, type MaintenanceDb } from "./support/maintenanceDb";
import { runScript, SCRIPTS } from "./support/scripts";
import { spawnSync } from "node:child_process";

const ENV = "live";
const NS = "upkeep-live";
const DAY = 86_400;
const db = (name: string, tasks: Record<string, unknown>) => ({ name, host: "127.0.0.1", database: "app", credentialsSecret: "x", vacuum: "off", reindex: "off", ...tasks });
const CONFIG = parseConfig(
  {
    environment: { name: ENV, tier: "staging", timezone: "UTC", window: { days: ["sat"], start: "01:00", durationMinutes: 300 } },
    kubernetes: { namespace: NS },
    alerting: { runbookBaseUrl: "https://runbooks.example.com/upkeep" },
    databases: [
      db("failed", { reindex: "monthly" }),
      db("retried", { reindex: "monthly" }),
      db("never", { reindex: "monthly" }),
      db("backlog", { cleanup: { cadence: "weekly", tables: [{ table: "public.events", timestampColumn: "created_at", retentionDays: 30 }] } }),
    ],
  },
  new Set(),
);
const TASKS = planTasks(CONFIG, { fromYear: 2026 });
const RULES = buildPrometheusRules({ environment: ENV, namespace: NS, severity: "warning", runbookBaseUrl: "docs/runbooks", ruleLabels: {}, tasks: TASKS, now: new Date(), pushgateway: true });

let pg: MaintenanceDb;
let gateway: Server;
let prometheus: Server;
let ksm: HttpServer;
/** kube-state-metrics series, by line; served as they are when scraped. */
const ksmSeries = new Map<string, string>();

function setKsm(metric: string, labels: Record<string, string>, value: number) {
  const sel = `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
  ksmSeries.set(sel, `${sel} ${value}`);
}

const now = () => Math.floor(Date.now() / 1000);

function cronjob(id: string, created: number, lastSuccess?: number) {
  setKsm("kube_cronjob_created", { namespace: NS, cronjob: id }, created);
  setKsm("kube_cronjob_info", { namespace: NS, cronjob: id, schedule: "x" }, 1);
  setKsm("kube_cronjob_spec_suspend", { namespace: NS, cronjob: id }, 0);
  if (lastSuccess !== undefined) setKsm("kube_cronjob_status_last_successful_time", { namespace: NS, cronjob: id }, lastSuccess);
}

function failedJob(name: string, start: number) {
  setKsm("kube_job_status_start_time", { namespace: NS, job_name: name }, start);
  setKsm("kube_job_failed", { namespace: NS, job_name: name, condition: "true" }, 1);
  setKsm("kube_job_status_active", { namespace: NS, job_name: name }, 0);
}

before(async () => {
  ksm = createServer((_req, res) => {
    res.setHeader("Content-Type", "text/plain; version=0.0.4");
    res.end([...ksmSeries.values()].join("\n") + "\n");
  });
  const ksmPort = await listen(ksm);
  [pg, gateway] = await startAll([startMaintenanceDb(), startPushgateway()]);
  prometheus = await startPrometheus({
    pushgateway: gateway.url,
    ruleFiles: Object.fromEntries(RULES.map((r) => [`${r.metadata.name}.yml`, ruleFileYaml(r)])),
    extraTargets: [{ job: "kube-state-metrics", target: `127.0.0.1:${ksmPort}` }],
  });
});

after(async () => {
  await prometheus?.stop();
  await gateway?.stop();
  await pg?.stop();
  if (ksm) await close(ksm);
});

interface ApiAlert {
  labels: Record<string, string>;
  state: string;
}

async function alerts(name: string, task: string): Promise<ApiAlert[]> {
  const data = await apiGet<{ alerts: ApiAlert[] }>(prometheus.url, "/api/v1/alerts");
  return data.alerts.filter((a) => a.labels.alertname === name && a.labels.task === task);
}

/** Waits until Prometheus has this query's answer and then two more evaluations of every rule group. */
async function settled(query: string, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const data = await apiGet<{ result: unknown[] }>(prometheus.url, `/api/v1/query?query=${encodeURIComponent(query)}`);
    if (data.result.length > 0) break;
    if (Date.now() > deadline) assert.fail(`Prometheus never saw ${what} (${query})\n${prometheus.log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const seen = Date.now();
  for (;;) {
    const groups = await apiGet<{ groups: { lastEvaluation: string }[] }>(prometheus.url, "/api/v1/rules");
    if (groups.groups.every((g) => Date.parse(g.lastEvaluation) > seen + 1000)) return;
    if (Date.now() > deadline + 30_000) assert.fail(`rules not evaluated after ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function pendingEventually(name: string, task: string): Promise<ApiAlert> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await alerts(name, task);
    if (found.length > 0) return found[0]!;
    if (Date.now() > deadline) assert.fail(`${name} for ${task} never went pending\n${prometheus.log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const scriptEnv = (task: string, kind: string) => ({ ...pg.env(), UPKEEP_TASK: task, UPKEEP_KIND: kind, UPKEEP_ENVIRONMENT: ENV, UPKEEP_PUSHGATEWAY_URL: gateway.url, UPKEEP_DEADLINE_SECONDS: "600" });

test("a failed monthly run followed by a skip: UpkeepJobFailed goes pending and stays, though kube-state-metrics saw the skip succeed", async () => {
  const failed = await runScript("reindex.sh", { ...scriptEnv("failed-reindex", "reindex"), PGPASSWORD: "wrong" });
  assert.equal(failed.outcome.outcome, "failed");
  assert.equal(failed.stderr.includes("could not push"), false, failed.stderr);
  // Then the CronJob fires again and its run is a skip: kube-state-metrics sees that Job succeed, and the
  // skip's outcome is pushed (by the same function the guard's skip calls; this machine's date decides
  // whether the guard itself would skip, so the line is given here).
  const t = now();
  cronjob("failed-reindex", t - 10 * DAY, t - 60);
  failedJob("failed-reindex-29400000", t - 7 * DAY);
  const skip = JSON.stringify({ task: "failed-reindex", kind: "reindex", environment: ENV, outcome: "skipped", start: new Date((t - 61) * 1000).toISOString().replace(/\.\d+Z$/, "Z"), end: new Date((t - 60) * 1000).toISOString().replace(/\.\d+Z$/, "Z"), seconds: 1, reason: "skipped", figures: {} });
  const pushed = spawnSync("sh", ["-c", `. "${SCRIPTS}/record.sh"; upkeep_record_push "$1"`, "sh", skip], { env: { PATH: process.env.PATH ?? "", UPKEEP_PUSHGATEWAY_URL: gateway.url }, encoding: "utf8" });
  assert.deepEqual([pushed.status, pushed.stderr], [0, ""]);
  await settled(`upkeep_task_outcome{task="failed-reindex",outcome="skipped"} == 1`, "the skip after the failed run");
  const alert = await pendingEventually("UpkeepJobFailed", "failed-reindex");
  assert.deepEqual([alert.state, alert.labels.job_name, alert.labels.cadence], ["pending", "failed-reindex-29400000", "monthly"]);
  assert.deepEqual(await alerts("UpkeepJobMissed", "failed-reindex"), []);
});

test("a skip followed by a real success: no failed or missed alert for the task", async () => {
  const t = now();
  cronjob("retried-reindex", t - 400 * DAY, t - 60);
  failedJob("retried-reindex-29400000", t - 7 * DAY);
  await pg.maintSql("CREATE TABLE IF NOT EXISTS public.orders (id bigint PRIMARY KEY, note text); CREATE INDEX IF NOT EXISTS orders_note ON public.orders (note)");
  const ok = await runScript("reindex.sh", scriptEnv("retried-reindex", "reindex"));
  assert.equal(ok.outcome.outcome, "success", ok.stderr);
  await settled(`upkeep_task_last_success_timestamp_seconds{task="retried-reindex"}`, "the real success");
  assert.deepEqual(await alerts("UpkeepJobFailed", "retried-reindex"), []);
  assert.deepEqual(await alerts("UpkeepJobMissed", "retried-reindex"), []);
});

test("a monthly task that never ran: UpkeepJobMissed goes pending", async () => {
  cronjob("never-reindex", now() - 60 * DAY);
  const alert = await pendingEventually("UpkeepJobMissed", "never-reindex");
  assert.equal(alert.state, "pending");
});

test("a backlog that does not shrink over three real cleanup runs: UpkeepCleanupBacklog goes pending, not before the third", async () => {
  cronjob("backlog-cleanup", now() - 60 * DAY, now() - 60);
  // Rows the cleanup's role may read but not delete (a row-level security policy forced on its own
  // table): every run ends with the same rows left older than the cutoff, as a cleanup that cannot keep up does.
  await pg.maintSql(
    "CREATE TABLE public.events (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL); CREATE INDEX ON public.events (created_at);" +
      "INSERT INTO public.events (created_at) SELECT now() - interval '90 days' FROM generate_series(1, 500);" +
      "ALTER TABLE public.events ENABLE ROW LEVEL SECURITY; ALTER TABLE public.events FORCE ROW LEVEL SECURITY;" +
      "CREATE POLICY events_read ON public.events FOR SELECT USING (true)",
  );
  const env = { ...scriptEnv("backlog-cleanup", "cleanup"), UPKEEP_CLEANUP_TABLES: "public.events:created_at:30:100" };
  for (let run = 1; run <= 3; run++) {
    const r = await runScript("cleanup.sh", env);
    assert.notEqual(r.outcome.outcome, "failed", `run ${run}: ${r.stdout}${r.stderr}`);
    const table = (r.outcome.figures.tables as { table: string; rowsLeft: number | null }[])[0]!;
    assert.deepEqual([table.table, table.rowsLeft], ["public.events", 500], `run ${run}`);
    await settled(`upkeep_cleanup_backlog_runs{task="backlog-cleanup"} == ${run}`, `run ${run}'s count`);
    if (run < 3) assert.deepEqual(await alerts("UpkeepCleanupBacklog", "backlog-cleanup"), [], `silent after run ${run}`);
  }
  const alert = await pendingEventually("UpkeepCleanupBacklog", "backlog-cleanup");
  assert.deepEqual([alert.state, alert.labels.table], ["pending", "public.events"]);
});
