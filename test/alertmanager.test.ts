/**
 * Alert routing: the exact AlertmanagerConfig, its schema, and the equivalent
 * plain configuration run through the real `amtool` (check-config, and
 * `config routes test` to prove where each alert goes and where it does not).
 * Last, the component under Pulumi's mocks.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateObjects, type KubernetesObject } from "../cli/validateObjects";
import { buildAlertmanagerConfig, toAlertmanagerYaml } from "../components/alerting/alertmanager";
import { installComponentMocks } from "./support/componentMocks";

const NS = "upkeep-maintenance";
const EMAILS = ["oncall@example.com", "sre-lead@example.com"];
const WEBHOOK = "https://hooks.example.com/services/T000/B000/very-secret-token";
const AMTOOL = "/usr/bin/amtool";

const tmp = mkdtempSync(join(tmpdir(), "upkeep-amtool-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

let fileCount = 0;
function writeConfig(yamlText: string): string {
  const file = join(tmp, `alertmanager-${++fileCount}.yml`);
  writeFileSync(file, yamlText);
  return file;
}

function amtool(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(AMTOOL, args, { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The receivers `amtool config routes test` sends an alert with these labels to. */
function routeOf(file: string, labels: Record<string, string>): string {
  const r = amtool(["config", "routes", "test", `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const LABELS = { environment: "prod", namespace: NS, alertname: "UpkeepJobFailed" };
/** `upkeep:alerting.smtp`: a relay that wants a login, its password in an existing Secret. */
const SMTP = { smarthost: "smtp.example.com:587", from: "upkeep-prod@example.com", authUsername: "upkeep-prod", authSecret: "upkeep-smtp" };
const SMTP_PASSWORD = "smtp-secret-password";
const withWebhook = () => buildAlertmanagerConfig({ environment: "prod", namespace: NS, emails: EMAILS, hasWebhook: true, smtp: SMTP });
const emailOnly = () => buildAlertmanagerConfig({ environment: "prod", namespace: NS, emails: EMAILS, hasWebhook: false, smtp: SMTP });

const LABELS_META = {
  "app.kubernetes.io/component": "alert-routing",
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/name": "upkeep",
  "app.kubernetes.io/part-of": "upkeep",
  "upkeep.dev/environment": "prod",
};
const ROUTE = {
  receiver: "warning",
  groupBy: ["alertname", "task"],
  matchers: [
    { name: "environment", value: "prod", matchType: "=" },
    { name: "alertname", value: "Upkeep.*", matchType: "=~" },
  ],
  routes: [
    { receiver: "critical", matchers: [{ name: "severity", value: "critical", matchType: "=" }] },
    { receiver: "warning", matchers: [{ name: "severity", value: "warning", matchType: "=" }] },
    { receiver: "info", matchers: [{ name: "severity", value: "info", matchType: "=" }] },
  ],
};
/** The Secret MaintenanceNamespace keeps (components/kubernetes/namespace.ts WEBHOOK_SECRET). */
const SECRET_REF = { urlSecret: { name: "upkeep-webhook", key: "url" } };
const SMTP_FIELDS = { from: "upkeep-prod@example.com", smarthost: "smtp.example.com:587", authUsername: "upkeep-prod", authPassword: { name: "upkeep-smtp", key: "password" } };
const EMAIL_CONFIGS = [
  { to: "oncall@example.com", ...SMTP_FIELDS },
  { to: "sre-lead@example.com", ...SMTP_FIELDS },
];

test("the AlertmanagerConfig routes by severity to webhook and on-call email, the URL and SMTP password by Secret reference", () => {
  assert.deepEqual(withWebhook(), {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    metadata: { name: "upkeep-prod", namespace: NS, labels: LABELS_META },
    spec: {
      route: ROUTE,
      receivers: [
        { name: "critical", webhookConfigs: [SECRET_REF], emailConfigs: EMAIL_CONFIGS },
        { name: "warning", webhookConfigs: [SECRET_REF], emailConfigs: EMAIL_CONFIGS },
        { name: "info", webhookConfigs: [SECRET_REF] },
      ],
    },
  });
});

test("without a webhook: email receivers only, and info reaches nobody", () => {
  assert.deepEqual(emailOnly().spec, {
    route: ROUTE,
    receivers: [
      { name: "critical", emailConfigs: EMAIL_CONFIGS },
      { name: "warning", emailConfigs: EMAIL_CONFIGS },
      { name: "info" },
    ],
  });
});

test("the AlertmanagerConfig passes the published schema; a bad matcher does not", async () => {
  const { AlertmanagerConfig } = await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig");
  for (const obj of [withWebhook(), emailOnly()]) {
    new AlertmanagerConfig(obj as unknown as ConstructorParameters<typeof AlertmanagerConfig>[0]).validate();
  }
  assert.deepEqual(await validateObjects([withWebhook(), emailOnly()]), []);
  const bad = structuredClone(withWebhook()) as unknown as { spec: { route: { matchers: { matchType: string }[] } } };
  bad.spec.route.matchers[0]!.matchType = "==";
  const problems = await validateObjects([bad as unknown as KubernetesObject]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^AlertmanagerConfig upkeep-maintenance\/upkeep-prod: .*matchType/);
});

test("the plain configuration is what the operator renders", () => {
  const yamlText = toAlertmanagerYaml(withWebhook(), { webhookUrl: WEBHOOK, smtpPassword: SMTP_PASSWORD });
  // No global SMTP: each email receiver carries its own, as the operator renders it.
  const email = (to: string) =>
    `      - to: ${to}\n        from: upkeep-prod@example.com\n        smarthost: smtp.example.com:587\n        auth_username: upkeep-prod\n        auth_password: ${SMTP_PASSWORD}\n`;
  assert.equal(
    yamlText,
    `route:
  receiver: "null"
  routes:
    - receiver: upkeep-maintenance/upkeep-prod/warning
      group_by:
        - alertname
        - task
      matchers:
        - environment="prod"
        - alertname=~"Upkeep.*"
        - namespace="upkeep-maintenance"
      continue: true
      routes:
        - receiver: upkeep-maintenance/upkeep-prod/critical
          matchers:
            - severity="critical"
        - receiver: upkeep-maintenance/upkeep-prod/warning
          matchers:
            - severity="warning"
        - receiver: upkeep-maintenance/upkeep-prod/info
          matchers:
            - severity="info"
receivers:
  - name: "null"
  - name: upkeep-maintenance/upkeep-prod/critical
    webhook_configs:
      - url: ${WEBHOOK}
    email_configs:
${email("oncall@example.com")}${email("sre-lead@example.com")}  - name: upkeep-maintenance/upkeep-prod/warning
    webhook_configs:
      - url: ${WEBHOOK}
    email_configs:
${email("oncall@example.com")}${email("sre-lead@example.com")}  - name: upkeep-maintenance/upkeep-prod/info
    webhook_configs:
      - url: ${WEBHOOK}
`,
  );
  assert.throws(() => toAlertmanagerYaml(withWebhook()), { message: "receiver critical uses the webhook, but no webhookUrl was given" });
  assert.throws(() => toAlertmanagerYaml(emailOnly()), { message: "receiver critical logs in to SMTP, but no smtpPassword was given" });
});

test("amtool check-config accepts both variants and rejects a route to an unknown receiver", () => {
  for (const yamlText of [toAlertmanagerYaml(withWebhook(), { webhookUrl: WEBHOOK, smtpPassword: SMTP_PASSWORD }), toAlertmanagerYaml(emailOnly(), { smtpPassword: SMTP_PASSWORD })]) {
    const ok = amtool(["check-config", writeConfig(yamlText)]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /SUCCESS/);
  }
  // Negative control: the same config with a child route pointing at a receiver that does not exist.
  const broken = toAlertmanagerYaml(withWebhook(), { webhookUrl: WEBHOOK, smtpPassword: SMTP_PASSWORD }).replace(
    "- receiver: upkeep-maintenance/upkeep-prod/info",
    "- receiver: upkeep-maintenance/upkeep-prod/nobody",
  );
  const fail = amtool(["check-config", writeConfig(broken)]);
  assert.notEqual(fail.status, 0);
  assert.match(fail.stdout + fail.stderr, /undefined receiver "upkeep-maintenance\/upkeep-prod\/nobody"/);
});

test("amtool routes each severity of upkeep's alerts to its receiver, and nothing else to them", () => {
  const file = writeConfig(toAlertmanagerYaml(withWebhook(), { webhookUrl: WEBHOOK, smtpPassword: SMTP_PASSWORD }));
  assert.equal(routeOf(file, { ...LABELS, severity: "critical" }), "upkeep-maintenance/upkeep-prod/critical");
  assert.equal(routeOf(file, { ...LABELS, severity: "warning" }), "upkeep-maintenance/upkeep-prod/warning");
  assert.equal(routeOf(file, { ...LABELS, severity: "info" }), "upkeep-maintenance/upkeep-prod/info");
  assert.equal(routeOf(file, { ...LABELS, alertname: "UpkeepJobMissed", severity: "critical" }), "upkeep-maintenance/upkeep-prod/critical");
  // An unexpected severity still reaches people.
  assert.equal(routeOf(file, { ...LABELS, severity: "page" }), "upkeep-maintenance/upkeep-prod/warning");
  // Not upkeep's: another environment, another alert, another namespace (the operator's own matcher).
  assert.equal(routeOf(file, { ...LABELS, environment: "staging", severity: "critical" }), "null");
  assert.equal(routeOf(file, { ...LABELS, alertname: "KubeJobFailed", severity: "critical" }), "null");
  assert.equal(routeOf(file, { ...LABELS, namespace: "default", severity: "critical" }), "null");
});

test("email receivers carry their own SMTP: amtool accepts them on an Alertmanager without global SMTP, and refuses 0.3's bare `to`", () => {
  // What upkeep 0.3 rendered: email receivers with only `to`. On an Alertmanager without global SMTP
  // settings the whole configuration is refused, which is what prometheus-operator 0.79+ does with it.
  const bare = toAlertmanagerYaml(emailOnly(), { smtpPassword: SMTP_PASSWORD }).replace(/\n {8}from: .*\n {8}smarthost: .*\n {8}auth_username: .*\n {8}auth_password: .*/g, "");
  assert.doesNotMatch(bare, /smarthost|auth_/);
  const refused = amtool(["check-config", writeConfig(bare)]);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stdout + refused.stderr, /no global SMTP smarthost set/);
  // The same receivers as upkeep writes them now: valid with no global section at all.
  const ok = amtool(["check-config", writeConfig(toAlertmanagerYaml(emailOnly(), { smtpPassword: SMTP_PASSWORD }))]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  // Without a login: no auth fields, and still valid.
  const open = buildAlertmanagerConfig({ environment: "prod", namespace: NS, emails: EMAILS, hasWebhook: false, smtp: { smarthost: "relay.internal:25", from: "upkeep@example.com" } });
  assert.deepEqual(open.spec.receivers[0]!.emailConfigs, [
    { to: "oncall@example.com", from: "upkeep@example.com", smarthost: "relay.internal:25" },
    { to: "sre-lead@example.com", from: "upkeep@example.com", smarthost: "relay.internal:25" },
  ]);
  const plain = amtool(["check-config", writeConfig(toAlertmanagerYaml(open))]);
  assert.equal(plain.status, 0, plain.stdout + plain.stderr);
});

test("the builder refuses email receivers without SMTP settings, as config does", () => {
  assert.throws(() => buildAlertmanagerConfig({ environment: "prod", namespace: NS, emails: EMAILS, hasWebhook: true }), {
    message: "email receivers need SMTP settings (upkeep:alerting.smtp): prometheus-operator 0.79+ refuses the whole configuration without them",
  });
  // No email, no SMTP needed: a webhook-only routing.
  assert.doesNotThrow(() => buildAlertmanagerConfig({ environment: "prod", namespace: NS, emails: [], hasWebhook: true }));
});

test("under mocks, UpkeepAlertRouting registers exactly the AlertmanagerConfig", async () => {
  const mocks = await installComponentMocks("prod");
  // Imported after setMocks, as Pulumi requires; ".js" is what nodenext's type check asks, tsx maps it to the .ts file.
  const { UpkeepAlertRouting } = await import("../components/alerting/alertmanager.js");
  new UpkeepAlertRouting("upkeep", { environment: "prod", namespace: NS, emails: EMAILS, hasWebhook: true, smtp: SMTP });
  await mocks.settle();

  assert.deepEqual(
    mocks.recorded.map((r) => [r.type, r.name]).sort(),
    [
      ["kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "upkeep-alertmanagerconfig"],
      ["upkeep:notify:UpkeepAlertRouting", "upkeep"],
    ],
  );
  const cr = mocks.recorded.find((r) => r.name === "upkeep-alertmanagerconfig");
  assert.deepEqual(cr?.inputs, withWebhook());
});
