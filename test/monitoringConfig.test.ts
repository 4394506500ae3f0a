/**
 * The config that fits upkeep to the monitoring stacks people run: selector
 * labels, SMTP for email receivers, quiet windows, the cluster's Kubernetes
 * version and cert-manager's limits. Each refusal is asserted by its exact
 * text, and each is the defect a real install showed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig, type UpkeepConfig } from "../components/config";
import { expiryWarningProblems } from "../components/certificates";
import { kubernetesFeatureUses } from "../components/jobs";
import { versionProblems } from "../components/kubernetes";
import { planTasks } from "../components/tasks";
import { referenceConfig } from "./support/configs";

function problems(raw: Record<string, unknown>): string[] {
  try {
    parseConfig(raw, new Set());
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message.split("\n");
  }
  assert.fail("expected the config to be rejected");
}

// ---------------------------------------------------------------- alerting.ruleLabels

test("ruleLabels: a map of Kubernetes labels, kept as given", () => {
  const raw = referenceConfig();
  raw.alerting = { ruleLabels: { release: "kube-prometheus-stack", "team.example.com/owner": "platform", empty: "" } };
  assert.deepEqual(parseConfig(raw, new Set()).alerting.ruleLabels, { release: "kube-prometheus-stack", "team.example.com/owner": "platform", empty: "" });
});

test("ruleLabels: keys and values Kubernetes would refuse, and upkeep's own labels, are named", () => {
  const raw = referenceConfig();
  raw.alerting = {
    ruleLabels: {
      "app.kubernetes.io/name": "mine",
      "upkeep.dev/environment": "x",
      "Bad Key": "v",
      "UPPER.example/ok": "v",
      release: "kube prometheus",
      version: 2,
    },
  };
  assert.deepEqual(problems(raw), [
    "upkeep:alerting.ruleLabels.version: must be a string (got 2)",
  ]);
  delete raw.alerting.ruleLabels.version;
  assert.deepEqual(problems(raw), [
    'upkeep:alerting.ruleLabels: label "app.kubernetes.io/name": upkeep sets the app.kubernetes.io/ labels itself; choose another key',
    'upkeep:alerting.ruleLabels: label "upkeep.dev/environment": upkeep sets the upkeep.dev/ labels itself; choose another key',
    `upkeep:alerting.ruleLabels: label "Bad Key" must be a label name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/'`,
    'upkeep:alerting.ruleLabels: label "UPPER.example/ok" has a prefix that is not a DNS subdomain',
    `upkeep:alerting.ruleLabels: label "release": its value must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "kube prometheus")`,
  ]);
});

// ---------------------------------------------------------------- alerting.smtp

const SMTP_REQUIRED =
  "upkeep:alerting.smtp: is required when upkeep:alerting.alertmanager routes alerts to upkeep:notify.emails: an email receiver without smarthost and from " +
  "makes prometheus-operator (0.79+) refuse the whole Alertmanager configuration when it has no global SMTP settings, silencing every route on it; " +
  "set smarthost and from (and authUsername with authSecret for a login)";

test("smtp: email routes require it, with a path-named error", () => {
  const raw = referenceConfig();
  raw.alerting = { alertmanager: true };
  assert.deepEqual(raw.notify.emails, ["platform-oncall@example.com"]);
  assert.deepEqual(problems(raw), [SMTP_REQUIRED]);
  // No email receivers, no SMTP needed; and without the AlertmanagerConfig none either.
  assert.doesNotThrow(() => parseConfig({ ...raw, notify: { emails: [] } }, new Set()));
  assert.doesNotThrow(() => parseConfig({ ...raw, alerting: { alertmanager: false } }, new Set()));
  raw.alerting.smtp = { smarthost: "smtp.example.com:587", from: "upkeep@example.com" };
  assert.deepEqual(parseConfig(raw, new Set()).alerting.smtp, { smarthost: "smtp.example.com:587", from: "upkeep@example.com" });
});

test("smtp: host:port, an address, and a login with its Secret or neither", () => {
  const raw = referenceConfig();
  raw.alerting = { alertmanager: true, smtp: { smarthost: "smtp.example.com", from: "upkeep", authUsername: "upkeep" } };
  assert.deepEqual(problems(raw), [
    'upkeep:alerting.smtp.smarthost: must be host:port, such as smtp.example.com:587 (got "smtp.example.com")',
    'upkeep:alerting.smtp.from: must be an email address (got "upkeep")',
    "upkeep:alerting.smtp.authSecret: is required with authUsername: set both for an SMTP login, or neither",
  ]);
  raw.alerting.smtp = { smarthost: "smtp.example.com:587", from: "upkeep@example.com", authSecret: "upkeep-smtp" };
  assert.deepEqual(problems(raw), ["upkeep:alerting.smtp.authUsername: is required with authSecret: set both for an SMTP login, or neither"]);
  raw.alerting.smtp = { smarthost: "smtp.example.com:587", from: "upkeep@example.com", authUsername: "upkeep", authSecret: "Upkeep_SMTP" };
  assert.deepEqual(problems(raw), [
    `upkeep:alerting.smtp.authSecret: must be an RFC 1123 name: lower-case letters, digits and '-', starting and ending with a letter or digit (got "Upkeep_SMTP")`,
  ]);
});

// ---------------------------------------------------------------- alerting.muteDuringWindow

const WITH_SMTP = { alertmanager: true, smtp: { smarthost: "smtp.example.com:587", from: "upkeep@example.com" } };

test("muteDuringWindow: matcher sets as Alertmanager writes them, parsed into the AlertmanagerConfig's matchers", () => {
  const raw = referenceConfig();
  raw.alerting = { ...WITH_SMTP, muteDuringWindow: ['alertname=~"Postgres.*Latency", service="orders-db"', '{alertname!="Watchdog",job=postgres-exporter}', 'msg="a \\"quoted\\", comma"'] };
  assert.deepEqual(parseConfig(raw, new Set()).alerting.muteDuringWindow, [
    [
      { name: "alertname", value: "Postgres.*Latency", matchType: "=~" },
      { name: "service", value: "orders-db", matchType: "=" },
    ],
    [
      { name: "alertname", value: "Watchdog", matchType: "!=" },
      { name: "job", value: "postgres-exporter", matchType: "=" },
    ],
    [{ name: "msg", value: 'a "quoted", comma', matchType: "=" }],
  ]);
});

test("muteDuringWindow: unreadable matchers, bad regexes, upkeep's own alerts, and no AlertmanagerConfig are refused", () => {
  const raw = referenceConfig();
  raw.alerting = { ...WITH_SMTP, muteDuringWindow: ["", "alertname==x", 'alertname=~"(unclosed"', 'alertname="UpkeepJobFailed"', 'severity="critical",'] };
  assert.deepEqual(problems(raw), [
    'upkeep:alerting.muteDuringWindow[0]: must hold at least one matcher, such as alertname="PostgresHighLatency" (got "")',
    'upkeep:alerting.muteDuringWindow[1]: must be matchers such as alertname=~"Postgres.*", service="orders-db" (could not read "alertname==x") (got "alertname==x")',
    'upkeep:alerting.muteDuringWindow[2]: has an invalid regular expression in alertname=~"(unclosed" (got "alertname=~\\"(unclosed\\"")',
    "upkeep:alerting.muteDuringWindow[3]: names upkeep's own alert UpkeepJobFailed, which is never muted: it is how you learn that a task failed in the window",
    'upkeep:alerting.muteDuringWindow[4]: must not end with a comma (got "severity=\\"critical\\",")',
  ]);
  const off = referenceConfig();
  off.alerting = { muteDuringWindow: ['alertname="PostgresHighLatency"'] };
  assert.deepEqual(problems(off), ["upkeep:alerting.muteDuringWindow: needs upkeep:alerting.alertmanager: true: the mute lives in upkeep's AlertmanagerConfig"]);
});

// ---------------------------------------------------------------- kubernetes.version

function versionRefusals(raw: Record<string, any>): string[] {
  const config: UpkeepConfig = parseConfig(raw, new Set());
  return versionProblems(config.kubernetes.version, kubernetesFeatureUses(planTasks(config, { fromYear: 2026 }))).map((p) => `${p.path}: ${p.reason}`);
}

/** The reference config with one verified dump, which runs its scratch server as a native sidecar. */
function withDump(version?: unknown): Record<string, any> {
  const raw = referenceConfig();
  raw.kubernetes = { ...raw.kubernetes, oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE", ...(version !== undefined ? { version } : {}) };
  raw.backups = { dumps: [{ database: "orders", location: "s3://acme-db-dumps/prod/orders/", maxAgeHours: 26, cadence: "weekly", durationMinutes: 20, checks: [{ table: "public.orders", minRows: 1 }] }] };
  return raw;
}

test("kubernetes.version: 1.29 by default; dump verification's native sidecar is refused on 1.28, with the feature named", () => {
  assert.equal(parseConfig(withDump(), new Set()).kubernetes.version, "1.29");
  assert.deepEqual(versionRefusals(withDump()), []);
  assert.deepEqual(versionRefusals(withDump("1.28")), [
    'upkeep:backups.dumps[0]: a native sidecar (an init container with restartPolicy: Always and a readiness probe) needs Kubernetes 1.29, and upkeep:kubernetes.version is "1.28": dump verification runs its scratch PostgreSQL as one, beside the restore',
  ]);
  // Without dumps, 1.28 runs everything upkeep makes.
  const noDump = referenceConfig();
  noDump.kubernetes = { ...noDump.kubernetes, version: "1.28" };
  assert.deepEqual(versionRefusals(noDump), []);
});

test("kubernetes.version: below 1.27 every CronJob's spec.timeZone is refused; newer versions pass", () => {
  assert.deepEqual(versionRefusals(withDump("1.26")), [
    'upkeep:kubernetes.version: CronJob spec.timeZone needs Kubernetes 1.27, and upkeep:kubernetes.version is "1.26": every task\'s CronJob runs in the window\'s zone through it',
    'upkeep:backups.dumps[0]: a native sidecar (an init container with restartPolicy: Always and a readiness probe) needs Kubernetes 1.29, and upkeep:kubernetes.version is "1.26": dump verification runs its scratch PostgreSQL as one, beside the restore',
  ]);
  assert.deepEqual(versionRefusals(withDump("1.33")), []);
});

test("kubernetes.version: a quoted major.minor; an unquoted YAML number is refused, since 1.30 reads as 1.3", () => {
  for (const [value, reason] of [
    [1.3, 'must be a quoted "major.minor" string such as "1.29": YAML reads an unquoted 1.30 as the number 1.3 (got 1.3)'],
    ["v1.29", 'must be a Kubernetes version "major.minor" such as "1.29" (got "v1.29")'],
    ["1.29.3", 'must be a Kubernetes version "major.minor" such as "1.29" (got "1.29.3")'],
  ] as const) {
    const raw = referenceConfig();
    raw.kubernetes = { ...raw.kubernetes, version: value };
    assert.deepEqual(problems(raw), [`upkeep:kubernetes.version: ${reason}`], String(value));
  }
});

// ---------------------------------------------------------------- cert-manager's limits

const CERT = { name: "api", secretName: "api-tls", dnsNames: ["api.example.com"], issuer: { kind: "ClusterIssuer", name: "le" } };

test("certificates: duration under 1h and renewBefore under 5m are refused as cert-manager's webhook does; 1h and 5m pass", () => {
  const raw = referenceConfig();
  raw.certificates = { kubernetes: [{ ...CERT, duration: "59m", renewBefore: "4m59s" }] };
  assert.deepEqual(problems(raw), [
    `upkeep:certificates.kubernetes[0].duration: must be at least 1h: cert-manager's webhook refuses a shorter certificate (got "59m")`,
    `upkeep:certificates.kubernetes[0].renewBefore: must be at least 5m: cert-manager's webhook refuses a shorter one (got "4m59s")`,
  ]);
  raw.certificates = { kubernetes: [{ ...CERT, duration: "1h", renewBefore: "5m" }] };
  assert.doesNotThrow(() => parseConfig(raw, new Set()));
});

test("certificates: names are unique across namespaces; a namespace is an RFC 1123 name", () => {
  const raw = referenceConfig();
  raw.certificates = { kubernetes: [{ ...CERT, namespace: "shop" }, { ...CERT, namespace: "admin" }, { ...CERT, name: "www", namespace: "Shop" }] };
  assert.deepEqual(problems(raw), [
    `upkeep:certificates.kubernetes[2].namespace: must be an RFC 1123 name: lower-case letters, digits and '-', starting and ending with a letter or digit (got "Shop")`,
    'upkeep:certificates.kubernetes[1].name: "api" is already used by upkeep:certificates.kubernetes[0]',
  ]);
  raw.certificates.kubernetes[2].namespace = "shop";
  assert.deepEqual(problems(raw), ['upkeep:certificates.kubernetes[1].name: "api" is already used by upkeep:certificates.kubernetes[0]']);
});

const WINDOW = { days: ["sat"] as const, start: "00:30", durationMinutes: 240 };
const parsedCerts = (certs: Record<string, unknown>[], expiryWarningDays = 21) => {
  const raw = referenceConfig();
  raw.certificates = { kubernetes: certs, expiryWarningDays };
  return parseConfig(raw, new Set()).certificates;
};

test("expiryWarningDays must be below the time left when renewal starts, by renewBefore, by percentage and by default", () => {
  const c = parsedCerts([
    { ...CERT, name: "by-hours", renewBefore: "480h" },
    { ...CERT, name: "by-percent", duration: "1440h", renewBeforePercentage: 30 },
    { ...CERT, name: "by-default", duration: "1440h" },
    { ...CERT, name: "fine", renewBefore: "505h" },
  ]);
  assert.deepEqual(expiryWarningProblems(c.kubernetes, c.expiryWarningDays, WINDOW), [
    {
      path: "upkeep:certificates.kubernetes[0].renewBefore",
      reason:
        "cert-manager starts renewing by-hours 20 days before it expires, which is not more than upkeep:certificates.expiryWarningDays (21 days): " +
        "UpkeepCertificateExpiringSoon would fire before cert-manager even tries to renew; renew earlier or lower expiryWarningDays",
    },
    {
      path: "upkeep:certificates.kubernetes[1].renewBeforePercentage",
      reason:
        "cert-manager starts renewing by-percent 18 days before it expires, which is not more than upkeep:certificates.expiryWarningDays (21 days): " +
        "UpkeepCertificateExpiringSoon would fire before cert-manager even tries to renew; renew earlier or lower expiryWarningDays",
    },
    {
      path: "upkeep:certificates.kubernetes[2]",
      reason:
        "cert-manager starts renewing by-default 20 days before it expires, which is not more than upkeep:certificates.expiryWarningDays (21 days): " +
        "UpkeepCertificateExpiringSoon would fire before cert-manager even tries to renew; renew earlier or lower expiryWarningDays",
    },
  ]);
  // Exactly 21 days before expiry is not enough either: the alert would fire the moment renewal is due.
  const exact = parsedCerts([{ ...CERT, renewBefore: "504h" }]);
  assert.equal(expiryWarningProblems(exact.kubernetes, exact.expiryWarningDays, WINDOW).length, 1);
});

test("expiryWarningDays with renewInWindow: the wait for the window counts against the time left", () => {
  // 30 days before expiry, but a weekly window may hold renewal back 7 days and an hour: 22.96 days left, above 21.
  const ok = parsedCerts([{ ...CERT, renewBefore: "720h", renewInWindow: true }]);
  assert.deepEqual(expiryWarningProblems(ok.kubernetes, ok.expiryWarningDays, WINDOW), []);
  // 27 days: 19.96 days left once the window is waited for.
  const late = parsedCerts([{ ...CERT, renewBefore: "648h", renewInWindow: true }]);
  assert.deepEqual(expiryWarningProblems(late.kubernetes, late.expiryWarningDays, WINDOW), [
    {
      path: "upkeep:certificates.kubernetes[0].renewBefore",
      reason:
        "cert-manager starts renewing api 27 days before it expires, may wait 7 days for the maintenance window (renewInWindow), leaving 20 days, " +
        "which is not more than upkeep:certificates.expiryWarningDays (21 days): " +
        "UpkeepCertificateExpiringSoon would fire before cert-manager even tries to renew; renew earlier or lower expiryWarningDays",
    },
  ]);
});
