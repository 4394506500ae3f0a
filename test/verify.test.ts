// verify-endpoints.sh against real HTTP servers on 127.0.0.1, run the way the
// CronJob runs it: `sh script.sh`, input only through the environment. Plus
// the pure pieces of components/jobs/verification.ts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { endpointsEnv, verificationContainer } from "../components/jobs/verification";
import { verificationTime } from "../components/schedule/afterWindow";
import { runScript as runJobScript, startScript, type Run } from "./support/scripts";
import { startPushgateway, type Server as Gateway } from "./support/monitoring";
import { assertPushedAsRecorded } from "./support/record";
import { close, listen } from "./support/http";

/** As the CronJob runs it; stdout is what the script printed before its outcome line, which is `outcome`. */
async function runScript(env: Record<string, string>): Promise<Run> {
  const r = await runJobScript("verify-endpoints.sh", env, 30_000);
  return { ...r, stdout: r.log };
}

interface Notice { path: string; contentType: string | undefined; body: string }

const servers: Server[] = [];
let app: string; // http://127.0.0.1:<port>
let refused: string;
let hook: { port: number; status: number; notices: Notice[] };
let appRequests = 0;
let hanging = 0; // requests to /hang still open
const TOKEN = "T0KEN-" + randomBytes(12).toString("hex");
let webhookUrl: string;
let gateway: Gateway;

before(async () => {
  gateway = await startPushgateway();
  const appServer = createServer((req, res) => {
    appRequests++;
    const path = (req.url ?? "").split("?")[0];
    if (path === "/healthz") res.end("ok");
    else if (path === "/broken") {
      res.statusCode = 500;
      res.end("boom");
    } else if (path === "/slow") setTimeout(() => res.end("late"), 600);
    else if (path === "/hang") {
      hanging++;
      req.on("close", () => hanging--);
    }
    else if (path === "/ready") {
      res.statusCode = 204;
      res.end();
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  servers.push(appServer);
  app = `http://127.0.0.1:${await listen(appServer)}`;

  // A port that was just free: nothing listens there.
  const gone = createServer();
  const gonePort = await listen(gone);
  await close(gone);
  refused = `http://127.0.0.1:${gonePort}`;

  hook = { port: 0, status: 200, notices: [] };
  const hookServer = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      hook.notices.push({ path: req.url ?? "", contentType: req.headers["content-type"], body });
      res.statusCode = hook.status;
      res.end();
    });
  });
  servers.push(hookServer);
  hook.port = await listen(hookServer);
  webhookUrl = `http://127.0.0.1:${hook.port}/hooks/${TOKEN}`;
});

after(async () => {
  await Promise.all([...servers.map(close), gateway?.stop()]);
});

const lines = (s: string) => s.replace(/\n$/, "").split("\n");

function assertNoWebhook(r: Run): void {
  for (const out of [r.stdout, r.stderr]) {
    assert.ok(!out.includes(TOKEN), out);
    assert.ok(!out.includes(`127.0.0.1:${hook.port}`), out);
  }
}

test("a mixed run prints one line per endpoint, fails, and notifies exactly the failures", async () => {
  hook.status = 200;
  hook.notices = [];
  const broken = `${app}/broken?q="quoted"&path=a\\b`;
  const endpoints = [
    `200|2000|${app}/healthz`,
    `200|2000|${broken}`,
    `200|300|${app}/slow`,
    `200|2000|${refused}/healthz`,
    `204|500|${app}/ready`,
  ].join(" \n\t ");
  const r = await runScript({
    UPKEEP_TASK: "post-maintenance-verify",
    UPKEEP_ENDPOINTS: endpoints,
    UPKEEP_ENVIRONMENT: "prod",
    UPKEEP_TIMEOUT_SECONDS: "5",
    UPKEEP_WEBHOOK_URL: webhookUrl,
    UPKEEP_PUSHGATEWAY_URL: gateway.url,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, "");
  const out = lines(r.stdout);
  assert.equal(out.length, 6, r.stdout);
  assert.match(out[0]!, new RegExp(`^upkeep verify: ok 200 in \\d+ ms ${esc(app)}/healthz$`));
  assert.equal(out[1], `upkeep verify: FAIL ${broken}: status 500, expected 200`);
  const slow = out[2]!.match(new RegExp(`^upkeep verify: FAIL ${esc(app)}/slow: (\\d+) ms, over 300 ms$`));
  assert.ok(slow, out[2]);
  assert.ok(Number(slow[1]) >= 600, slow[1]);
  assert.equal(out[3], `upkeep verify: FAIL ${refused}/healthz: no response (connection refused or host unreachable)`);
  assert.match(out[4]!, new RegExp(`^upkeep verify: ok 204 in \\d+ ms ${esc(app)}/ready$`));
  assert.equal(out[5], "upkeep verify: 3 of 5 endpoints unhealthy after the maintenance window (prod)");

  assert.equal(hook.notices.length, 1);
  const notice = hook.notices[0]!;
  assert.equal(notice.path, `/hooks/${TOKEN}`);
  assert.equal(notice.contentType, "application/json");
  const json = JSON.parse(notice.body) as { text: string };
  assert.deepEqual(Object.keys(json), ["text"]);
  assert.deepEqual(lines(json.text), [out[5], out[1], out[2], out[3]]);
  assertNoWebhook(r);
  assert.deepEqual([r.outcome.kind, r.outcome.environment, r.outcome.outcome, r.outcome.reason], ["verify", "prod", "failed", "3 of 5 endpoints unhealthy"]);
  const figures = r.outcome.figures as { endpoints: { url: string; ok: boolean; status: number | null; latencyMs: number | null; problem: string | null }[]; notice: string };
  assert.equal(figures.notice, "sent");
  assert.deepEqual(figures.endpoints.map((e) => [e.url, e.ok, e.status, e.problem]), [
    [`${app}/healthz`, true, 200, null],
    [broken, false, 500, "status 500, expected 200"],
    [`${app}/slow`, false, 200, `${slow[1]} ms, over 300 ms`],
    [`${refused}/healthz`, false, null, "no response (connection refused or host unreachable)"],
    [`${app}/ready`, true, 204, null],
  ]);
  assert.equal(figures.endpoints[2]!.latencyMs, Number(slow[1]));
  assert.equal(figures.endpoints[3]!.latencyMs, null);
  // The same outcome, as the record's gauges: up and latency per endpoint, the quoted URL escaped as a label value.
  await assertPushedAsRecorded(gateway.url, r.outcome);
});

test("SIGTERM while a request hangs: one line, the request closed, exit 143", async () => {
  const child = startScript("verify-endpoints.sh", { UPKEEP_ENDPOINTS: `200|2000|${app}/hang`, UPKEEP_ENVIRONMENT: "prod", UPKEEP_TIMEOUT_SECONDS: "60" });
  while (hanging === 0) await new Promise((r) => setTimeout(r, 20));
  process.kill(child.pid, "SIGTERM");
  const { code, stderr, log, outcome } = await child.done;
  assert.equal(code, 143);
  assert.match(stderr, /^upkeep verify: stopped by SIGTERM after \d+ s\n$/);
  assert.equal(log, "");
  assert.deepEqual([outcome.outcome, outcome.figures], ["failed", { endpoints: [], notice: "none" }]);
  // curl went with the script: the server sees the request's connection close.
  while (hanging > 0) await new Promise((r) => setTimeout(r, 20));
});

test("all healthy: exit 0, and the notice is the summary alone", async () => {
  hook.status = 200;
  hook.notices = [];
  const r = await runScript({
    UPKEEP_ENDPOINTS: `200|2000|${app}/healthz 204|2000|${app}/ready`,
    UPKEEP_ENVIRONMENT: "staging",
    UPKEEP_WEBHOOK_URL: webhookUrl,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.deepEqual([r.outcome.outcome, r.outcome.reason], ["success", null]);
  const out = lines(r.stdout);
  assert.equal(out.length, 3, r.stdout);
  assert.match(out[0]!, new RegExp(`^upkeep verify: ok 200 in \\d+ ms ${esc(app)}/healthz$`));
  assert.match(out[1]!, new RegExp(`^upkeep verify: ok 204 in \\d+ ms ${esc(app)}/ready$`));
  assert.equal(out[2], "upkeep verify: all 2 endpoints healthy after the maintenance window (staging)");
  assert.equal(hook.notices.length, 1);
  assert.deepEqual(JSON.parse(hook.notices[0]!.body), { text: out[2] });
  assertNoWebhook(r);
});

test("without a webhook nothing is posted, and a failure still fails the Job", async () => {
  hook.notices = [];
  const r = await runScript({ UPKEEP_ENDPOINTS: `200|2000|${app}/broken`, UPKEEP_ENVIRONMENT: "dev" });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "");
  assert.deepEqual(lines(r.stdout), [
    `upkeep verify: FAIL ${app}/broken: status 500, expected 200`,
    "upkeep verify: 1 of 1 endpoint unhealthy after the maintenance window (dev)",
  ]);
  assert.equal(hook.notices.length, 0);
});

test("a webhook that answers 500 fails the run with one line and no URL", async () => {
  hook.status = 500;
  hook.notices = [];
  try {
    const r = await runScript({
      UPKEEP_ENDPOINTS: `200|2000|${app}/healthz`,
      UPKEEP_ENVIRONMENT: "prod",
      UPKEEP_WEBHOOK_URL: webhookUrl,
    });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "upkeep verify: could not send the completion notice: the webhook answered HTTP 500\n");
    assert.equal(lines(r.stdout)[1], "upkeep verify: all 1 endpoint healthy after the maintenance window (prod)");
    assert.equal(hook.notices.length, 1);
    assertNoWebhook(r);
    assert.deepEqual([r.outcome.outcome, r.outcome.reason, (r.outcome.figures as { notice: string }).notice], [
      "failed", "could not send the completion notice: the webhook answered HTTP 500", "failed",
    ]);
  } finally {
    hook.status = 200;
  }
});

test("an unreachable webhook fails the run with one line and no URL", async () => {
  const r = await runScript({
    UPKEEP_ENDPOINTS: `200|2000|${app}/healthz`,
    UPKEEP_ENVIRONMENT: "prod",
    UPKEEP_WEBHOOK_URL: `${refused}/hooks/${TOKEN}`,
  });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "upkeep verify: could not send the completion notice: connection refused or host unreachable\n");
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
});

test("a malformed entry is rejected with exit 2 and one line before any request", async () => {
  const cases: [string, string][] = [
    ["200|2000|ftp://example.com/x", "the URL must start with http:// or https:// and contain no spaces"],
    ["200|https://example.com/x", "expected expectStatus|maxLatencyMs|url"],
    ["20x|2000|https://example.com/x", "expectStatus must be an HTTP status from 100 to 599"],
    ["200|0|https://example.com/x", "maxLatencyMs must be a positive whole number"],
  ];
  for (const [entry, reason] of cases) {
    appRequests = 0;
    hook.notices = [];
    const r = await runScript({
      UPKEEP_ENDPOINTS: `200|2000|${app}/healthz ${entry}`,
      UPKEEP_ENVIRONMENT: "prod",
      UPKEEP_WEBHOOK_URL: webhookUrl,
    });
    assert.equal(r.code, 2, entry);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `upkeep verify: malformed UPKEEP_ENDPOINTS entry '${entry}': ${reason}\n`);
    assert.equal(appRequests, 0);
    assert.equal(hook.notices.length, 0);
  }
  const empty = await runScript({ UPKEEP_ENDPOINTS: " ", UPKEEP_ENVIRONMENT: "prod" });
  assert.equal(empty.code, 2);
  assert.equal(empty.stderr, "upkeep verify: UPKEEP_ENDPOINTS is empty: nothing to verify\n");
});

test("verify-endpoints.sh passes shellcheck", async () => {
  const { stdout } = await promisify(execFile)("shellcheck", ["-s", "sh", "components/scripts/verify-endpoints.sh", "components/scripts/common.sh"]);
  assert.equal(stdout, "");
});

test("endpointsEnv writes expectStatus|maxLatencyMs|url entries", () => {
  assert.equal(
    endpointsEnv([
      { url: "https://api.example.com/healthz", expectStatus: 200, maxLatencyMs: 2000, tlsMinDays: 21 },
      { url: "http://10.0.0.1:8080/ready?full=1", expectStatus: 204, maxLatencyMs: 500, tlsMinDays: 21 },
    ]),
    "200|2000|https://api.example.com/healthz 204|500|http://10.0.0.1:8080/ready?full=1",
  );
  assert.equal(endpointsEnv([]), "");
  assert.throws(() => endpointsEnv([{ url: "https://a.example.com/x y", expectStatus: 200, maxLatencyMs: 2000, tlsMinDays: 21 }]), /without spaces/);
});

const task = { id: "verify-endpoints", schedule: { cadence: "daily" as const, timeZone: "Europe/Berlin", durationMinutes: 10 } };
const endpoints = [
  { url: "https://api.example.com/healthz", expectStatus: 200, maxLatencyMs: 2000, tlsMinDays: 21 },
  { url: "http://10.0.0.1:8080/ready", expectStatus: 204, maxLatencyMs: 500, tlsMinDays: 21 },
];

test("verificationContainer: curl image, the script, env only, the webhook only from its Secret", () => {
  assert.deepEqual(
    verificationContainer(task, { environment: "prod", endpoints, webhookSecret: { name: "upkeep-notify", key: "webhookUrl" } }),
    {
      image: "docker.io/curlimages/curl:8.11.1",
      command: ["/bin/sh", "/upkeep/scripts/verify-endpoints.sh"],
      args: [],
      env: [
        { name: "HOME", value: "/tmp" },
        { name: "UPKEEP_TASK", value: "verify-endpoints" },
        { name: "UPKEEP_KIND", value: "verify" },
        { name: "UPKEEP_ENVIRONMENT", value: "prod" },
        { name: "UPKEEP_CADENCE", value: "daily" },
        { name: "UPKEEP_TIMEZONE", value: "Europe/Berlin" },
        { name: "UPKEEP_DEADLINE_SECONDS", value: "600" },
        { name: "UPKEEP_ENDPOINTS", value: "200|2000|https://api.example.com/healthz 204|500|http://10.0.0.1:8080/ready" },
        { name: "UPKEEP_TIMEOUT_SECONDS", value: "10" },
        { name: "UPKEEP_WEBHOOK_URL", valueFrom: { secretKeyRef: { name: "upkeep-notify", key: "webhookUrl" } } },
      ],
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      runAsUser: 10001,
    },
  );
  const without = verificationContainer(task, { environment: "prod", endpoints });
  assert.ok(!without.env.some((e) => e.name === "UPKEEP_WEBHOOK_URL"));
  // A slot with a fixed start tells the script where it begins.
  const placed = verificationContainer({ ...task, schedule: { ...task.schedule, cron: "0 5 * * 0" } }, { environment: "prod", endpoints });
  assert.deepEqual(placed.env.find((e) => e.name === "UPKEEP_SLOT_START"), { name: "UPKEEP_SLOT_START", value: "05:00" });
  // Requests run one after another: they and the notice must fit the slot.
  const many = Array.from({ length: 60 }, (_, i) => ({ url: `https://e${i}.example.com/`, expectStatus: 200, maxLatencyMs: 2000, tlsMinDays: 21 }));
  assert.throws(() => verificationContainer(task, { environment: "prod", endpoints: many }), /need 610 s, more than the 600-second slot/);
});

test("verificationTime: right after the window, clear of the clock changes", () => {
  const horizon = { fromYear: 2026, years: 5 };
  // 00:30 + 90 min ends at 02:00, inside the hour Berlin skips and repeats: 03:00 instead.
  assert.deepEqual(verificationTime({ start: "00:30", durationMinutes: 90 }, "Europe/Berlin", horizon), { cron: "0 3 * * *", minuteOfDay: 180 });
  // Ending at 02:15 in the same hour also moves to 03:00.
  assert.deepEqual(verificationTime({ start: "01:00", durationMinutes: 75 }, "Europe/Berlin", horizon), { cron: "0 3 * * *", minuteOfDay: 180 });
  // Crossing midnight in UTC: 22:00 + 180 min = 01:00.
  assert.deepEqual(verificationTime({ start: "22:00", durationMinutes: 180 }, "UTC", horizon), { cron: "0 1 * * *", minuteOfDay: 60 });
  // New York skips or repeats 01:00–03:00.
  assert.deepEqual(verificationTime({ start: "23:00", durationMinutes: 150 }, "America/New_York", horizon), { cron: "0 3 * * *", minuteOfDay: 180 });
  // Outside any change: unchanged.
  assert.deepEqual(verificationTime({ start: "03:30", durationMinutes: 45 }, "Europe/Berlin", horizon), { cron: "15 4 * * *", minuteOfDay: 255 });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
