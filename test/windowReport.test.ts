// The window report, built by the real window-report.sh (after the real
// verify-endpoints.sh) from the real Pushgateway, for a window with a success,
// a failure, a skip and a task that did not run: its JSON against the schema,
// its exact Markdown, and the notice the webhook receives; on Kubernetes only
// without a webhook, the info alert a real Alertmanager receives; and what the
// run reports when the Pushgateway cannot be read or the webhook refuses.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server as HttpServer } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reportTasksEnv, windowReportSchema } from "../components/jobs/windowReport";
import { parseConfig } from "../components/config";
import { planTasks } from "../components/tasks/maintenanceTasks";
import { startAll, startPushgateway, type Server } from "./support/monitoring";
import { close, listen } from "./support/http";
import { startAlertmanager, type RunningAlertmanager } from "./support/alertmanager";
import { freePort } from "./support/postgres";
import { assertPushedAsRecorded } from "./support/record";
import { outcomeOf, SCRIPTS } from "./support/scripts";

let gateway: Server;
let http: HttpServer;
let base: string;
let dir: string;
let am: RunningAlertmanager;
let hookStatus = 200;
const notices: { contentType: string | undefined; body: string }[] = [];

before(async () => {
  [gateway, am] = await startAll([startPushgateway(), startAlertmanager()]);
  http = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.url === "/hook/T0KEN") notices.push({ contentType: req.headers["content-type"], body });
      res.statusCode = req.url === "/hook/T0KEN" ? hookStatus : 200;
      res.end("ok");
    });
  });
  base = `http://127.0.0.1:${await listen(http)}`;
  dir = await mkdtemp(join(tmpdir(), "upkeep-report-"));
});

after(async () => {
  await gateway?.stop();
  await am?.stop();
  if (http) await close(http);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function sh(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("sh", args, { env: { PATH: process.env.PATH ?? "", HOME: "/tmp", ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d+Z$/, "Z");
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

async function push(task: string, kind: string, outcome: string, end: number, seconds: number, figures: unknown = {}) {
  const line = JSON.stringify({ task, kind, environment: "prod", outcome, start: iso(end - seconds), end: iso(end), seconds, reason: outcome === "success" ? null : outcome, figures });
  const r = await sh(["-c", `. "${SCRIPTS}/record.sh"; upkeep_record_push "$1"`, "sh", line], { UPKEEP_PUSHGATEWAY_URL: gateway.url });
  assert.deepEqual([r.code, r.stderr], [0, ""]);
}

test("the report lists each task of the window with its outcome, duration and figures, what did not run, and endpoint health", async () => {
  // A window that started 90 minutes ago, in UTC.
  const nowS = Math.floor(Date.now() / 1000);
  const start = new Date((nowS - 90 * 60) * 1000);
  const hhmm = start.toISOString().slice(11, 16);
  const ws = Math.floor(Date.parse(`${start.toISOString().slice(0, 16)}:00Z`) / 1000);
  const day = DAYS[start.getUTCDay()]!;
  const other = DAYS[(start.getUTCDay() + 3) % 7]!;
  const date = start.toISOString().slice(0, 10);

  await push("orders-vacuum", "vacuum", "success", ws + 600, 80, { tablesDone: 12, tablesSkipped: 1 });
  await push("orders-reindex", "reindex", "failed", ws + 1500, 300, { indexesRebuilt: 2, leftoversDropped: 0 });
  await push("billing-reindex", "reindex", "skipped", ws + 1800, 1);
  // The dump verification last ran a week ago: not in this window.
  await push("orders-dump-verify", "dump-verify", "success", ws - 7 * 86_400, 60, { ageHours: 2, restoreSeconds: 30 });

  const tasks = [
    `orders-vacuum|vacuum|daily|${DAYS.join(",")}|*`,
    `orders-reindex|reindex|monthly|${day}|*`,
    `billing-reindex|reindex|monthly|${day}|*`,
    `orders-dump-verify|dump-verify|weekly|${day}|*`,
    `orders-cleanup|cleanup|weekly|${other}|*`,
  ].join(" ");
  const run = await sh([join(SCRIPTS, "window-report.sh")], {
    UPKEEP_TASK: "post-maintenance-verify",
    UPKEEP_KIND: "verify",
    UPKEEP_ENVIRONMENT: "prod",
    UPKEEP_TIMEZONE: "UTC",
    UPKEEP_WINDOW: `${hhmm} 120`,
    UPKEEP_REPORT_TASKS: tasks,
    UPKEEP_ENDPOINTS: `200|5000|${base}/healthz`,
    UPKEEP_PUSHGATEWAY_URL: gateway.url,
    UPKEEP_WEBHOOK_URL: `${base}/hook/T0KEN`,
    UPKEEP_REPORT_DIR: dir,
  });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.stderr, "");
  const name = `${date}-${day}`;
  // One outcome line, the run's: the verification's, and where its report went.
  const { log, outcome } = outcomeOf(run.stdout);
  assert.deepEqual([outcome.task, outcome.kind, outcome.environment, outcome.outcome, outcome.reason], ["post-maintenance-verify", "verify", "prod", "success", null]);
  const figures = outcome.figures as { endpoints: { url: string; ok: boolean }[]; notice: string; report: string; topic: string; log: string };
  assert.deepEqual([figures.endpoints.map((e) => [e.url, e.ok]), figures.notice, figures.report, figures.topic, figures.log], [[[`${base}/healthz`, true]], "sent", name, "none", "none"]);
  assert.deepEqual(log.split("\n").slice(1), [
    `upkeep verify: all 1 endpoint healthy after the maintenance window (prod)`,
    `upkeep report: ${name}: 4 task(s): 1 succeeded, 1 failed, 0 partial, 1 skipped, 1 did not run. Endpoints: 1 of 1 healthy.`,
    "",
  ]);
  assert.doesNotMatch(run.stdout + run.stderr, /T0KEN/, "the webhook never appears in the log");
  // Pushed once, as the verification's outcome: endpoint health for the record, the run's own reason.
  await assertPushedAsRecorded(gateway.url, outcome);

  const report = windowReportSchema.parse(JSON.parse(await readFile(join(dir, `${name}.json`), "utf8")));
  assert.deepEqual(report.window, { day, date, start: iso(ws), end: iso(ws + 7200), timeZone: "UTC", label: report.window.label });
  assert.match(report.window.label, new RegExp(`^[A-Z][a-z]{2} ${date} ${hhmm}–\\d\\d:\\d\\d UTC$`));
  assert.deepEqual(report.summary, { tasks: 4, success: 1, failed: 1, partial: 0, skipped: 1, notRun: 1, endpoints: 1, endpointsUnhealthy: 0 });
  assert.deepEqual(report.tasks, [
    {
      task: "orders-vacuum", kind: "vacuum", cadence: "daily", outcome: "success", end: iso(ws + 600), seconds: 80,
      figures: [
        { metric: "upkeep_vacuum_tables_done", labels: {}, value: 12 },
        { metric: "upkeep_vacuum_tables_skipped", labels: {}, value: 1 },
      ],
    },
    {
      task: "orders-reindex", kind: "reindex", cadence: "monthly", outcome: "failed", end: iso(ws + 1500), seconds: 300,
      figures: [
        { metric: "upkeep_reindex_indexes_rebuilt", labels: {}, value: 2 },
        { metric: "upkeep_reindex_leftovers_dropped", labels: {}, value: 0 },
      ],
    },
    { task: "billing-reindex", kind: "reindex", cadence: "monthly", outcome: "skipped", end: iso(ws + 1800), seconds: 1, figures: [] },
    { task: "orders-dump-verify", kind: "dump-verify", cadence: "weekly", outcome: "not-run", end: null, seconds: null, figures: [] },
  ]);
  assert.equal(report.endpoints.length, 1);
  assert.deepEqual([report.endpoints[0]!.endpoint, report.endpoints[0]!.up], [`${base}/healthz`, true]);

  const md = await readFile(join(dir, `${name}.md`), "utf8");
  const latency = Math.floor(report.endpoints[0]!.latencySeconds! * 1000);
  assert.equal(
    md,
    [
      `# Maintenance report: prod, ${report.window.label}`,
      "",
      "4 task(s): 1 succeeded, 1 failed, 0 partial, 1 skipped, 1 did not run. Endpoints: 1 of 1 healthy.",
      "",
      "| Task | Kind | Outcome | Duration | Figures |",
      "| --- | --- | --- | --- | --- |",
      "| `orders-vacuum` | vacuum | success | 1m 20s | tables done 12, tables skipped 1 |",
      "| `orders-reindex` | reindex | **failed** | 5m 0s | indexes rebuilt 2, leftovers dropped 0 |",
      "| `billing-reindex` | reindex | **skipped** | 1s | – |",
      "| `orders-dump-verify` | dump-verify | **did not run** | – | – |",
      "",
      "## Endpoints",
      "",
      "| Endpoint | Health | Latency |",
      "| --- | --- | --- |",
      `| ${base}/healthz | healthy | ${latency} ms |`,
      "",
    ].join("\n"),
  );
  assert.equal(notices.length, 1, "one completion notice");
  assert.equal(notices[0]!.contentType, "application/json");
  assert.deepEqual(JSON.parse(notices[0]!.body), { text: md.replace(/\n$/, "") });
});

/** One run of window-report.sh for a window that started 90 minutes ago in UTC, with one healthy endpoint. */
async function reportRun(environment: string, env: Record<string, string>) {
  const start = new Date(Date.now() - 90 * 60_000);
  const out = await mkdtemp(join(tmpdir(), "upkeep-report-"));
  const run = await sh([join(SCRIPTS, "window-report.sh")], {
    UPKEEP_TASK: "post-maintenance-verify",
    UPKEEP_KIND: "verify",
    UPKEEP_ENVIRONMENT: environment,
    UPKEEP_TIMEZONE: "UTC",
    UPKEEP_WINDOW: `${start.toISOString().slice(11, 16)} 120`,
    UPKEEP_REPORT_TASKS: `orders-vacuum|vacuum|daily|${DAYS.join(",")}|*`,
    UPKEEP_ENDPOINTS: `200|5000|${base}/healthz`,
    UPKEEP_PUSHGATEWAY_URL: gateway.url,
    UPKEEP_REPORT_DIR: out,
    ...env,
  });
  return { run, out, name: `${start.toISOString().slice(0, 10)}-${DAYS[start.getUTCDay()]}` };
}

test("Kubernetes only without a webhook: the report is the info alert UpkeepMaintenanceReport, as the verification alone sends its notice", async () => {
  const { run, out, name } = await reportRun("onprem", { UPKEEP_ALERTMANAGER_URL: am.url, UPKEEP_NAMESPACE: "upkeep-onprem" });
  assert.deepEqual([run.code, run.stderr], [0, ""]);
  const md = await readFile(join(out, `${name}.md`), "utf8");
  const [alert, ...others] = (await am.alerts()).filter((a) => a.labels.alertname === "UpkeepMaintenanceReport");
  assert.equal(others.length, 0);
  assert.deepEqual(alert!.labels, { alertname: "UpkeepMaintenanceReport", severity: "info", environment: "onprem", namespace: "upkeep-onprem", task: "post-maintenance-verify" });
  // Its first line, without the Markdown heading, is the summary; the report is the description.
  assert.deepEqual(alert!.annotations, { summary: md.split("\n")[0]!.replace(/^# /, ""), description: md.replace(/\n$/, "") });
  const { outcome } = outcomeOf(run.stdout);
  assert.deepEqual([outcome.outcome, (outcome.figures as { notice: string }).notice], ["success", "sent"]);
  await rm(out, { recursive: true, force: true });
});

test("a Pushgateway that cannot be read: one line, the verification's summary as the notice, and the run partial", async () => {
  notices.length = 0;
  const closed = `http://127.0.0.1:${await freePort()}`;
  const { run, out } = await reportRun("nogateway", { UPKEEP_PUSHGATEWAY_URL: closed, UPKEEP_PUSH_ATTEMPTS: "1", UPKEEP_WEBHOOK_URL: `${base}/hook/T0KEN` });
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 2, run.stderr);
  assert.match(lines[0]!, new RegExp(`^upkeep report: could not read the Pushgateway at ${closed}: .*(onnect|refused)`));
  // The push of the outcome fails the same way, and says so in its own line.
  assert.match(lines[1]!, new RegExp(`^upkeep report: could not push the outcome to the Pushgateway at ${closed}: `));
  const { outcome } = outcomeOf(run.stdout);
  assert.equal(outcome.outcome, "partial");
  assert.equal(outcome.reason, lines[0]!.slice("upkeep report: ".length));
  assert.equal((outcome.figures as { report: string | null }).report, null);
  assert.equal(notices.length, 1);
  assert.deepEqual(JSON.parse(notices[0]!.body), {
    text: `upkeep verify: all 1 endpoint healthy after the maintenance window (nogateway)\n\nNo window report: ${outcome.reason}`,
  });
  await rm(out, { recursive: true, force: true });
});

test("a webhook that refuses the notice fails the run, as it fails the verification alone", async () => {
  hookStatus = 500;
  try {
    const { run, out } = await reportRun("badhook", { UPKEEP_WEBHOOK_URL: `${base}/hook/T0KEN` });
    assert.equal(run.code, 1);
    assert.equal(run.stderr, "upkeep report: could not send the completion notice to the webhook: it answered HTTP 500\n");
    const { outcome } = outcomeOf(run.stdout);
    assert.deepEqual([outcome.outcome, outcome.reason], ["failed", "could not send the completion notice to the webhook: it answered HTTP 500"]);
    assert.doesNotMatch(run.stdout + run.stderr, /T0KEN/);
    await rm(out, { recursive: true, force: true });
  } finally {
    hookStatus = 200;
  }
});

test("the planned task list: each built-in task in the window with its window days and months, no custom job or verification", () => {
  const config = parseConfig(
    {
      environment: { name: "prod", tier: "production", timezone: "Europe/Berlin", window: { days: ["sat", "sun"], start: "00:30", durationMinutes: 300 } },
      kubernetes: { namespace: "upkeep-prod" },
      notify: { emails: ["oncall@example.com"] },
      alerting: { runbookBaseUrl: "https://runbooks.example.com" },
      backups: { aws: { none: "The report tests need no AWS Backup." } },
      endpoints: [{ url: "https://api.example.com/healthz" }],
      databases: [{ name: "orders", host: "db", database: "orders", credentialsSecret: "s", reindex: "quarterly", cleanup: { cadence: "weekly", tables: [{ table: "public.e", timestampColumn: "t", retentionDays: 30 }] } }],
      jobs: [{ name: "image-scan", cadence: "weekly", image: "r.example.com/scan:1.0" }],
    },
    new Set(),
  );
  const all = "sun,mon,tue,wed,thu,fri,sat";
  assert.equal(
    reportTasksEnv(planTasks(config, { fromYear: 2026 })),
    [`orders-vacuum|vacuum|daily|${all}|*`, "orders-reindex|reindex|quarterly|sat|1,4,7,10", "orders-cleanup|cleanup|weekly|sat|*", `tls-check|tls-check|daily|${all}|*`].join(" "),
  );
});
