/**
 * The Kubernetes-only routine scripts, run the way their CronJobs run them:
 * `sh script` under busybox (the curl image is busybox), input only through
 * the environment, against real services on 127.0.0.1: an HTTP webhook, a
 * real Alertmanager, and an HTTPS server answering /version like an API
 * server. A `date` wrapper answers `date +%s` with the instant a test
 * chooses and hands every other call to busybox's own date.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { instantOf, offsetMinutes } from "../components/schedule/dst";
import { startAlertmanager, type RunningAlertmanager } from "./support/alertmanager";
import { ROOT } from "./support/configs";
import { startPushgateway, type Server as Gateway } from "./support/monitoring";
import { close, listen } from "./support/http";
import { assertPushedAsRecorded } from "./support/record";
import type { Outcome } from "./support/scripts";

const SCRIPTS = join(ROOT, "components", "scripts");
const work = mkdtempSync(join(tmpdir(), "upkeep-routine-"));
const bin = join(work, "bin");
mkdirSync(bin);
const BUSYBOX = execFileSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).trim();
const CURL = execFileSync("sh", ["-c", "command -v curl"], { encoding: "utf8" }).trim();
for (const applet of ["awk", "cat", "dirname", "head", "mktemp", "rm", "sed", "sh", "sleep", "tr"]) symlinkSync(BUSYBOX, join(bin, applet));
symlinkSync(CURL, join(bin, "curl"));
// `date +%s` is FAKE_EPOCH (or, once, the content of FAKE_ONCE_FILE); anything else is busybox's date.
writeFileSync(
  join(bin, "date"),
  `#!${BUSYBOX} sh
if [ "$*" = "+%s" ]; then
  if [ -n "\${FAKE_ONCE_FILE:-}" ] && [ -f "$FAKE_ONCE_FILE" ]; then ${BUSYBOX} cat "$FAKE_ONCE_FILE"; ${BUSYBOX} rm -f "$FAKE_ONCE_FILE"; exit 0; fi
  if [ -n "\${FAKE_EPOCH:-}" ]; then echo "$FAKE_EPOCH"; exit 0; fi
fi
exec ${BUSYBOX} date "$@"
`,
);
chmodSync(join(bin, "date"), 0o755);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The last stdout line, parsed: the outcome. */
  readonly outcome: Record<string, unknown>;
}

function runScript(script: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BUSYBOX, ["sh", join(SCRIPTS, script)], { env: { PATH: bin, HOME: "/tmp", TMPDIR: work, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      const last = stdout.trimEnd().split("\n").at(-1) ?? "";
      let outcome: Record<string, unknown> = {};
      try {
        outcome = JSON.parse(last) as Record<string, unknown>;
      } catch {
        // asserted by the tests that need it
      }
      resolve({ code, stdout, stderr, outcome });
    });
  });
}


/** The zone's standard offset, as index.ts passes it to the digest CronJob. */
const standardOffset = (zone: string) => Math.min(offsetMinutes(zone, Date.UTC(2027, 0, 1)), offsetMinutes(zone, Date.UTC(2027, 6, 1)));
/** The epoch seconds of a local time: when the CronJob fires. */
const localEpoch = (zone: string, y: number, mo: number, d: number, h: number, mi: number) => String(instantOf(zone, y, mo, d, h, mi) / 1000);

const TOKEN = "T0KEN-0b7c1f";
let hook: { url: string; status: number; bodies: string[] };
let am: RunningAlertmanager;
let gateway: Gateway;
const servers: (Server | ReturnType<typeof createHttpsServer>)[] = [];

before(async () => {
  hook = { url: "", status: 200, bodies: [] };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      hook.bodies.push(body);
      res.statusCode = hook.status;
      res.end();
    });
  });
  servers.push(server);
  hook.url = `http://127.0.0.1:${await listen(server)}/hooks/${TOKEN}`;
  am = await startAlertmanager();
  gateway = await startPushgateway();
});

after(async () => {
  await Promise.all(servers.map(close));
  await am.stop();
  await gateway?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Messages with what JSON must escape: quotes, backslashes, a tab, and non-ASCII text. */
const DIGESTS = {
  UPKEEP_DIGEST_TUE_FRI: '[upkeep onprem] Routine checks due today: 1 daily\n\nDaily:\n- [ ] Check "alerts" in C:\\alerts\tnow',
  UPKEEP_DIGEST_MON: "[upkeep onprem] Routine checks due today: 1 daily, 1 weekly\n\n- [ ] Überprüfe die Leistung",
  UPKEEP_DIGEST_MON_FIRST: "[upkeep onprem] Routine checks due today: 1 daily, 1 weekly, 1 monthly",
  UPKEEP_DIGEST_MON_FIRST_QUARTER: "[upkeep onprem] Routine checks due today: 1 daily, 1 weekly, 1 monthly, 1 quarterly",
};
const KIND_OF_MESSAGE: Record<string, string> = {
  [DIGESTS.UPKEEP_DIGEST_TUE_FRI]: "tue-fri",
  [DIGESTS.UPKEEP_DIGEST_MON]: "mon",
  [DIGESTS.UPKEEP_DIGEST_MON_FIRST]: "mon-first",
  [DIGESTS.UPKEEP_DIGEST_MON_FIRST_QUARTER]: "mon-first-quarter",
};
const digestEnv = (zone: string, epoch: string) => ({
  ...DIGESTS,
  UPKEEP_TASK: "routine-digest",
  UPKEEP_ENVIRONMENT: "onprem",
  UPKEEP_NAMESPACE: "upkeep-onprem",
  UPKEEP_UTC_OFFSET_MINUTES: String(standardOffset(zone)),
  FAKE_EPOCH: epoch,
});

describe("routine-digest.sh", () => {
  // [zone, local date and review time, the kind of day] — summer and winter, both hemispheres, both ends of the review hours.
  const cases: [string, [number, number, number, number, number], string][] = [
    ["Europe/Paris", [2027, 3, 2, 9, 0], "tue-fri"],
    ["Europe/Paris", [2027, 3, 1, 9, 0], "mon-first"],
    ["Europe/Paris", [2027, 3, 8, 9, 0], "mon"],
    ["Europe/Paris", [2027, 3, 29, 9, 0], "mon"], // the Monday after the spring change
    ["Europe/Paris", [2027, 6, 7, 9, 0], "mon-first"], // day 7: still the first Monday
    ["Europe/Paris", [2027, 7, 5, 9, 0], "mon-first-quarter"], // summer time
    ["Europe/Paris", [2027, 10, 4, 20, 0], "mon-first-quarter"],
    ["Pacific/Auckland", [2027, 1, 4, 6, 0], "mon-first-quarter"], // 06:00 NZDT is 17:00 UTC the day before
    ["Pacific/Auckland", [2027, 7, 12, 20, 0], "mon"],
    ["America/Los_Angeles", [2027, 7, 5, 20, 0], "mon-first-quarter"], // 20:00 PDT is 03:00 UTC the day after
    ["America/Los_Angeles", [2027, 12, 3, 6, 0], "tue-fri"],
  ];
  for (const [zone, [y, mo, d, h, mi], kind] of cases) {
    const date = `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    test(`${zone} ${date} ${h}:00: the ${kind} digest, posted to the webhook as JSON`, async () => {
      hook.bodies = [];
      hook.status = 200;
      const epoch = localEpoch(zone, y, mo, d, h, mi);
      const r = await runScript("routine-digest.sh", { ...digestEnv(zone, epoch), UPKEEP_WEBHOOK_URL: hook.url });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.equal(hook.bodies.length, 1);
      const { text } = JSON.parse(hook.bodies[0]!) as { text: string };
      assert.equal(KIND_OF_MESSAGE[text], kind, text);
      const iso = new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, "Z");
      assert.deepEqual(r.outcome, {
        task: "routine-digest",
        kind: "digest",
        environment: "onprem",
        outcome: "success",
        start: iso,
        end: iso,
        seconds: 0,
        reason: null,
        figures: { digest: kind, date, sentTo: "webhook" },
      });
      assert.equal(r.stdout.split("\n")[0], `upkeep digest: sent the ${kind} digest of ${date} to the webhook`);
      assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), "the webhook URL is a secret");
    });
  }

  test("a sent digest and a skipped one are pushed like every task's outcome", async () => {
    hook.status = 200;
    const zone = "Europe/Paris";
    const sent = await runScript("routine-digest.sh", { ...digestEnv(zone, localEpoch(zone, 2027, 3, 1, 9, 0)), UPKEEP_WEBHOOK_URL: hook.url, UPKEEP_PUSHGATEWAY_URL: gateway.url });
    assert.deepEqual([sent.code, sent.stderr, sent.outcome.outcome], [0, "", "success"]);
    await assertPushedAsRecorded(gateway.url, sent.outcome as unknown as Outcome);
    const weekend = await runScript("routine-digest.sh", { ...digestEnv(zone, localEpoch(zone, 2027, 3, 6, 9, 0)), UPKEEP_WEBHOOK_URL: hook.url, UPKEEP_PUSHGATEWAY_URL: gateway.url });
    assert.deepEqual([weekend.code, weekend.stderr, weekend.outcome.outcome], [0, "", "skipped"]);
    // The skip moves the last run and the outcome, never the last success.
    await assertPushedAsRecorded(gateway.url, weekend.outcome as unknown as Outcome, sent.outcome as unknown as Outcome);
  });

  test("a weekend run (started by hand) sends nothing and says so", async () => {
    hook.bodies = [];
    const r = await runScript("routine-digest.sh", { ...digestEnv("Europe/Paris", localEpoch("Europe/Paris", 2027, 3, 6, 9, 0)), UPKEEP_WEBHOOK_URL: hook.url });
    assert.equal(r.code, 0);
    assert.equal(hook.bodies.length, 0);
    assert.equal(r.stdout.split("\n")[0], "upkeep digest: not sent: 2027-03-06 is a weekend day, and routine checks are due on working days only");
    assert.equal(r.outcome.outcome, "skipped");
    assert.equal(r.outcome.reason, "not sent: 2027-03-06 is a weekend day, and routine checks are due on working days only");
    assert.deepEqual(r.outcome.figures, { digest: null, date: "2027-03-06", sentTo: null });
  });

  test("a kind of day with nothing due sends nothing and says so", async () => {
    hook.bodies = [];
    const r = await runScript("routine-digest.sh", {
      ...digestEnv("Europe/Paris", localEpoch("Europe/Paris", 2027, 3, 2, 9, 0)),
      UPKEEP_DIGEST_TUE_FRI: "",
      UPKEEP_WEBHOOK_URL: hook.url,
    });
    assert.equal(r.code, 0);
    assert.equal(hook.bodies.length, 0);
    assert.equal(r.outcome.reason, "not sent: no routine check is due on tue-fri days (2027-03-02)");
    assert.equal(r.outcome.outcome, "skipped");
  });

  test("without a webhook: one info alert in Alertmanager, labelled for upkeep's routing, resolving after an hour", async () => {
    // Only the kind of day is chosen (a Monday, first of a quarter); the alert carries the real time, so Alertmanager keeps it active.
    const once = join(work, "once");
    writeFileSync(once, localEpoch("Europe/Paris", 2027, 4, 5, 9, 0));
    const { FAKE_EPOCH: _, ...env } = digestEnv("Europe/Paris", "");
    const before = Date.now();
    const r = await runScript("routine-digest.sh", { ...env, FAKE_ONCE_FILE: once, UPKEEP_ALERTMANAGER_URL: am.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\n")[0], "upkeep digest: sent the mon-first-quarter digest of 2027-04-05 to the alertmanager");
    assert.deepEqual(r.outcome.figures, { digest: "mon-first-quarter", date: "2027-04-05", sentTo: "alertmanager" });
    const alerts = (await am.alerts()).filter((a) => a.labels.alertname === "UpkeepRoutineDigest");
    assert.equal(alerts.length, 1);
    const [alert] = alerts;
    assert.deepEqual(alert!.labels, { alertname: "UpkeepRoutineDigest", severity: "info", environment: "onprem", namespace: "upkeep-onprem", task: "routine-digest" });
    assert.deepEqual(alert!.annotations, {
      summary: "[upkeep onprem] Routine checks due today: 1 daily, 1 weekly, 1 monthly, 1 quarterly",
      description: DIGESTS.UPKEEP_DIGEST_MON_FIRST_QUARTER,
    });
    const starts = Date.parse(alert!.startsAt);
    assert.ok(starts >= Math.floor(before / 1000) * 1000 && starts <= Date.now(), alert!.startsAt);
    assert.equal(Date.parse(alert!.endsAt) - starts, 3_600_000);
  });

  test("an answer that is not 2xx, or nobody listening: exit 1 with our own words, never the URL", async () => {
    hook.status = 500;
    const epoch = localEpoch("Europe/Paris", 2027, 3, 2, 9, 0);
    const failed = await runScript("routine-digest.sh", { ...digestEnv("Europe/Paris", epoch), UPKEEP_WEBHOOK_URL: hook.url });
    hook.status = 200;
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr, "upkeep digest: could not send the tue-fri digest of 2027-03-02: it answered HTTP 500\n");
    assert.equal(failed.outcome.outcome, "failed");
    assert.equal(failed.outcome.reason, "could not send the tue-fri digest of 2027-03-02: it answered HTTP 500");
    assert.ok(!failed.stdout.includes(TOKEN) && !failed.stderr.includes(TOKEN));
    const gone = await runScript("routine-digest.sh", { ...digestEnv("Europe/Paris", epoch), UPKEEP_ALERTMANAGER_URL: "http://127.0.0.1:9" });
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, "upkeep digest: could not send the tue-fri digest of 2027-03-02: connection refused or host unreachable\n");
    const nowhere = await runScript("routine-digest.sh", digestEnv("Europe/Paris", epoch));
    assert.equal(nowhere.code, 1);
    assert.equal(nowhere.stderr, "upkeep digest: could not send the tue-fri digest of 2027-03-02: neither UPKEEP_WEBHOOK_URL nor UPKEEP_ALERTMANAGER_URL is set\n");
  });

  test("a malformed offset is bad input: exit 2", async () => {
    const r = await runScript("routine-digest.sh", { ...digestEnv("Europe/Paris", "1800000000"), UPKEEP_UTC_OFFSET_MINUTES: "1-2", UPKEEP_WEBHOOK_URL: hook.url });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "upkeep digest: UPKEEP_UTC_OFFSET_MINUTES must be a whole number of minutes, got '1-2'\n");
    assert.equal(r.outcome.outcome, "failed");
  });
});

describe("stakeholder-notice.sh", () => {
  const notice = "[upkeep onprem] Maintenance window Wed 01:00–04:00 Europe/Paris\n\nThe onprem maintenance window opens Wednesday at 01:00.";
  const env = { UPKEEP_TASK: "stakeholder-notice-wed", UPKEEP_ENVIRONMENT: "onprem", UPKEEP_NAMESPACE: "upkeep-onprem", FAKE_EPOCH: "1800000000" };

  test("the notice, as written at plan time, to the webhook", async () => {
    hook.bodies = [];
    const r = await runScript("stakeholder-notice.sh", { ...env, UPKEEP_NOTICE_MESSAGE: notice, UPKEEP_WEBHOOK_URL: hook.url });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(hook.bodies.map((b) => JSON.parse(b)), [{ text: notice }]);
    assert.equal(r.stdout.split("\n")[0], 'upkeep notice: sent "[upkeep onprem] Maintenance window Wed 01:00–04:00 Europe/Paris" to the webhook');
    assert.deepEqual([r.outcome.kind, r.outcome.outcome, r.outcome.reason, r.outcome.figures], ["notice", "success", null, { sentTo: "webhook" }]);
  });

  test("without a webhook, an info alert UpkeepStakeholderNotice", async () => {
    const { FAKE_EPOCH: _, ...real } = env;
    const r = await runScript("stakeholder-notice.sh", { ...real, UPKEEP_NOTICE_MESSAGE: notice, UPKEEP_ALERTMANAGER_URL: am.url });
    assert.equal(r.code, 0, r.stderr);
    const [alert] = (await am.alerts()).filter((a) => a.labels.alertname === "UpkeepStakeholderNotice");
    assert.deepEqual(alert!.labels, { alertname: "UpkeepStakeholderNotice", severity: "info", environment: "onprem", namespace: "upkeep-onprem", task: "stakeholder-notice-wed" });
    assert.equal(alert!.annotations.description, notice);
  });

  test("an empty notice is bad input", async () => {
    const r = await runScript("stakeholder-notice.sh", { ...env, UPKEEP_WEBHOOK_URL: hook.url });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "upkeep notice: UPKEEP_NOTICE_MESSAGE is empty: nothing to send\n");
    assert.deepEqual([r.outcome.outcome, r.outcome.reason, r.outcome.figures], ["failed", "UPKEEP_NOTICE_MESSAGE is empty: nothing to send", { sentTo: null }]);
  });
});

describe("verify-endpoints.sh on Kubernetes only", () => {
  test("without a webhook, the completion report is an info alert UpkeepMaintenanceReport", async () => {
    const app = createServer((_req, res) => res.end("ok"));
    servers.push(app);
    const url = `http://127.0.0.1:${await listen(app)}/healthz`;
    const r = await runScript("verify-endpoints.sh", {
      UPKEEP_TASK: "post-maintenance-verify",
      UPKEEP_ENDPOINTS: `200|5000|${url}`,
      UPKEEP_ENVIRONMENT: "onprem",
      UPKEEP_NAMESPACE: "upkeep-onprem",
      UPKEEP_ALERTMANAGER_URL: am.url,
    });
    assert.equal(r.code, 0, r.stderr);
    const [alert] = (await am.alerts()).filter((a) => a.labels.alertname === "UpkeepMaintenanceReport");
    assert.deepEqual(alert!.labels, { alertname: "UpkeepMaintenanceReport", severity: "info", environment: "onprem", namespace: "upkeep-onprem", task: "post-maintenance-verify" });
    assert.equal(alert!.annotations.summary, "upkeep verify: all 1 endpoint healthy after the maintenance window (onprem)");
  });
});

describe("k8s-version-check.sh against an HTTPS /version", () => {
  const tls = join(work, "tls");
  const identity = join(work, "sa");
  const wrongCa = join(work, "wrong-ca");
  let api = "";
  let version: Record<string, string> = {};
  let requests: string[] = [];

  before(async () => {
    for (const dir of [tls, identity, wrongCa]) mkdirSync(dir);
    const cert = (dir: string) =>
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-subj", "/CN=kubernetes", "-addext", "subjectAltName=IP:127.0.0.1,DNS:kubernetes.default.svc",
        "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt"),
      ], { stdio: "pipe" });
    cert(tls);
    cert(wrongCa);
    writeFileSync(join(identity, "token"), `${TOKEN}\n`);
    writeFileSync(join(identity, "ca.crt"), readFileSync(join(tls, "tls.crt")));
    const server = createHttpsServer({ key: readFileSync(join(tls, "tls.key")), cert: readFileSync(join(tls, "tls.crt")) }, (req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.statusCode = 401;
        res.end('{"kind":"Status","status":"Failure","reason":"Unauthorized","code":401}');
        return;
      }
      res.setHeader("Content-Type", "application/json");
      // Indented over several lines, as the API server writes it.
      res.end(JSON.stringify(version, null, 2));
    });
    servers.push(server);
    api = `https://127.0.0.1:${await listen(server)}`;
  });

  const check = (oldest: string, env: Record<string, string> = {}) =>
    runScript("k8s-version-check.sh", {
      UPKEEP_TASK: "kubernetes-version-check",
      UPKEEP_ENVIRONMENT: "onprem",
      UPKEEP_OLDEST_SUPPORTED_VERSION: oldest,
      UPKEEP_KUBERNETES_API: api,
      UPKEEP_SERVICE_ACCOUNT_DIR: identity,
      FAKE_EPOCH: "1800000000",
      ...env,
    });

  // Real /version answers: EKS (minor "29+"), GKE, a kubeadm cluster.
  const EKS_129 = { major: "1", minor: "29+", gitVersion: "v1.29.3-eks-adc7111", gitCommit: "c3a4e1f", gitTreeState: "clean", buildDate: "2024-04-09T20:27:18Z", goVersion: "go1.21.8", compiler: "gc", platform: "linux/amd64" };
  const GKE_130 = { major: "1", minor: "30", gitVersion: "v1.30.2-gke.1587003", gitCommit: "9dc8d9b", gitTreeState: "clean", buildDate: "2024-07-11T09:13:16Z", goVersion: "go1.22.4 X:boringcrypto", compiler: "gc", platform: "linux/amd64" };
  const KUBEADM_128 = { major: "1", minor: "28", gitVersion: "v1.28.9", gitCommit: "587f5fe", gitTreeState: "clean", buildDate: "2024-04-16T15:03:50Z", goVersion: "go1.21.9", compiler: "gc", platform: "linux/arm64" };

  test("a cluster at or above the oldest supported version passes, with the token in a header file", async () => {
    for (const [answer, oldest, have] of [[EKS_129, "1.29", "1.29"], [GKE_130, "1.29", "1.30"], [GKE_130, "1.9", "1.30"]] as const) {
      version = answer;
      requests = [];
      const r = await check(oldest);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.split("\n")[0], `upkeep version: the cluster runs Kubernetes ${have}, at or above the oldest supported version ${oldest}`);
      assert.equal(r.outcome.outcome, "success");
      assert.deepEqual([r.outcome.kind, r.outcome.figures], ["version-check", { version: have, oldestSupported: oldest }]);
      assert.deepEqual(requests, [`GET /version Bearer ${TOKEN}`]);
      assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), "the token is never printed");
    }
  });

  test("an older cluster fails, naming both versions, so the failed-run alert fires", async () => {
    for (const [answer, oldest, have] of [[KUBEADM_128, "1.29", "1.28"], [EKS_129, "1.30", "1.29"], [EKS_129, "2.0", "1.29"]] as const) {
      version = answer;
      const r = await check(oldest);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `upkeep version: the cluster runs Kubernetes ${have}, older than the oldest supported version ${oldest}: upgrade it\n`);
      assert.equal(r.outcome.outcome, "failed");
      assert.equal(r.outcome.reason, `the cluster runs Kubernetes ${have}, older than the oldest supported version ${oldest}: upgrade it`);
    }
  });

  test("the API server refusing the token, a certificate the CA did not sign, or no gitVersion: exit 1 with the reason", async () => {
    version = EKS_129;
    writeFileSync(join(identity, "token"), "expired-token\n");
    const refused = await check("1.29");
    writeFileSync(join(identity, "token"), `${TOKEN}\n`);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `upkeep version: could not read ${api}/version: it answered HTTP 401\n`);
    const untrusted = await check("1.29", { UPKEEP_SERVICE_ACCOUNT_DIR: wrongCa });
    assert.equal(untrusted.code, 2, "the wrong directory has no token");
    writeFileSync(join(wrongCa, "token"), TOKEN);
    writeFileSync(join(wrongCa, "ca.crt"), readFileSync(join(wrongCa, "tls.crt")));
    const wrong = await check("1.29", { UPKEEP_SERVICE_ACCOUNT_DIR: wrongCa });
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, `upkeep version: could not read ${api}/version: TLS certificate not trusted\n`);
    version = { major: "1", minor: "29" };
    const shapeless = await check("1.29");
    assert.equal(shapeless.code, 1);
    assert.equal(shapeless.stderr, `upkeep version: ${api}/version answered without a gitVersion\n`);
  });

  test("bad input: exit 2 before asking anything", async () => {
    requests = [];
    for (const [oldest, line] of [
      ["1.29.3", "UPKEEP_OLDEST_SUPPORTED_VERSION must be MAJOR.MINOR such as 1.29, got '1.29.3'"],
      ["", "UPKEEP_OLDEST_SUPPORTED_VERSION must be MAJOR.MINOR such as 1.29, got ''"],
    ] as const) {
      const r = await check(oldest);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `upkeep version: ${line}\n`);
      assert.deepEqual([r.outcome.outcome, r.outcome.reason, r.outcome.figures], ["failed", line, { version: null, oldestSupported: null }]);
    }
    const noToken = await check("1.29", { UPKEEP_SERVICE_ACCOUNT_DIR: join(work, "nowhere") });
    assert.equal(noToken.code, 2);
    assert.equal(noToken.stderr, `upkeep version: no ServiceAccount token at ${join(work, "nowhere")}/token\n`);
    assert.deepEqual(requests, []);
  });
});
