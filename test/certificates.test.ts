// cert-manager Certificates and their alerts: the exact objects (with and
// without a renewal window, and one crossing midnight), valid against the
// published model; the exact rules; and the real promtool proving that each
// alert fires and stays silent. promtool's clock starts at 0, so series
// values are chosen so that `$value` is exact at each evaluation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateObjects } from "../cli/validateObjects";
import {
  buildCertificate,
  buildCertificateRules,
  certificateModel,
  renewalWindowProblem,
  type CertificateAlertInputs,
  type CertificateObject,
  type KubernetesCertificateConfig,
} from "../components/certificates/certManager";
import { alertUnitTest as unitTest, assertPromtoolPasses, checkRules, describeResult, selector, testRules, type AlertCase as Case, type ExpAlert, type Series } from "./support/promtool";

const NS = "upkeep-maintenance";
const RUNBOOKS = "https://runbooks.example.com/upkeep";
const DAY = 86_400;

const LABELS = {
  "app.kubernetes.io/part-of": "upkeep",
  "app.kubernetes.io/managed-by": "pulumi",
  "upkeep.dev/environment": "prod",
  "app.kubernetes.io/name": "upkeep",
  "app.kubernetes.io/component": "certificate",
};

const API: KubernetesCertificateConfig = {
  name: "api",
  secretName: "api-tls",
  dnsNames: ["api.example.com", "www.example.com"],
  issuer: { kind: "ClusterIssuer", name: "letsencrypt-prod" },
  duration: "2160h",
  renewBeforePercentage: 33,
  renewInWindow: false,
};

const ADMIN: KubernetesCertificateConfig = {
  name: "admin",
  secretName: "admin-tls",
  dnsNames: ["admin.example.com"],
  issuer: { kind: "Issuer", name: "internal-ca" },
  renewBefore: "720h",
  renewInWindow: true,
};

const PROD = { namespace: NS, environment: "prod", timeZone: "Europe/Berlin", window: { days: ["sat", "sun"] as const, start: "00:30", durationMinutes: 300 } };

test("a Certificate without a renewal window: explicit key, renewal by percentage, no spec.renewal", () => {
  assert.deepEqual(buildCertificate(API, PROD), {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "api", namespace: NS, labels: LABELS },
    spec: {
      secretName: "api-tls",
      dnsNames: ["api.example.com", "www.example.com"],
      issuerRef: { name: "letsencrypt-prod", kind: "ClusterIssuer", group: "cert-manager.io" },
      duration: "2160h",
      renewBeforePercentage: 33,
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    },
  });
  // Nothing optional is invented: no duration or renew-before of its own.
  const minimal = buildCertificate({ ...API, duration: undefined, renewBeforePercentage: undefined }, PROD);
  assert.deepEqual(Object.keys(minimal.spec), ["secretName", "dnsNames", "issuerRef", "privateKey"]);
});

test("renewInWindow: spec.renewal.windows is the maintenance window, same days, start, length and zone", () => {
  assert.deepEqual(buildCertificate(ADMIN, PROD), {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "admin", namespace: NS, labels: LABELS },
    spec: {
      secretName: "admin-tls",
      dnsNames: ["admin.example.com"],
      issuerRef: { name: "internal-ca", kind: "Issuer", group: "cert-manager.io" },
      renewBefore: "720h",
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      // Saturdays and Sundays, 00:30 Berlin time, for 5 hours.
      renewal: { policy: "RenewBefore", windows: [{ cron: "30 0 * * 0,6", timezone: "Europe/Berlin", windowDuration: "300m" }] },
    },
  });
});

test("a window crossing midnight opens on its own day and runs into the next", () => {
  // Fridays 22:00 New York time for 3 hours: until Saturday 01:00, exactly like the maintenance window.
  const cert = buildCertificate(
    { ...ADMIN, renewBefore: undefined },
    { namespace: "upkeep-staging", environment: "staging", timeZone: "America/New_York", window: { days: ["fri"], start: "22:00", durationMinutes: 180 } },
  );
  assert.deepEqual(cert.spec.renewal, { policy: "RenewBefore", windows: [{ cron: "0 22 * * 5", timezone: "America/New_York", windowDuration: "180m" }] });
  assert.equal(cert.metadata.namespace, "upkeep-staging");
  assert.equal(cert.metadata.labels["upkeep.dev/environment"], "staging");
});

test("a renewal window that cannot open before expiry is refused", () => {
  const weekly = { days: ["sat"] as const, start: "00:30", durationMinutes: 60 };
  // 48 h of renewal period against a window that opens once a week.
  assert.throws(
    () => buildCertificate({ ...ADMIN, renewBefore: "48h" }, { ...PROD, window: weekly }),
    new Error(
      "certificate admin: renewInWindow needs renewal to start at least 169h before expiry (the longest gap between the window's openings plus an hour for a clock change), " +
        "but it starts 2880m before; renew earlier with renewBefore or renewBeforePercentage, add window days, or drop renewInWindow",
    ),
  );
  // Every day: a window opens at least every 25 h.
  const daily = { ...weekly, days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const };
  assert.equal(renewalWindowProblem({ ...ADMIN, renewBefore: "25h" }, daily), undefined);
  assert.match(renewalWindowProblem({ ...ADMIN, renewBefore: "24h" }, daily) ?? "", /at least 25h before expiry/);
  // Tue and Sat: the longest gap is Tue → Sat, 4 days (Sat → Tue is 3).
  assert.equal(renewalWindowProblem({ ...ADMIN, renewBefore: "97h" }, { ...weekly, days: ["sat", "tue"] }), undefined);
  assert.match(renewalWindowProblem({ ...ADMIN, renewBefore: "96h" }, { ...weekly, days: ["sat", "tue"] }) ?? "", /at least 97h/);
  // The default: a third of 90 days, 30 days, fits any weekly window; so does 10% of 90 days (9 days).
  assert.equal(renewalWindowProblem({ ...ADMIN, renewBefore: undefined }, weekly), undefined);
  assert.equal(renewalWindowProblem({ ...ADMIN, renewBefore: undefined, renewBeforePercentage: 10 }, weekly), undefined);
  assert.throws(() => buildCertificate(ADMIN, { namespace: NS, environment: "prod", timeZone: "UTC" }), /renewInWindow needs the maintenance window/);
});

// ---------------------------------------------------------------- schema

test("every built Certificate is valid against @kubernetes-models/cert-manager, and the plan's validator agrees", async () => {
  const { Certificate } = await import("@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate");
  const Model = await certificateModel();
  const built: CertificateObject[] = [buildCertificate(API, PROD), buildCertificate(ADMIN, PROD)];
  for (const obj of built) {
    // The published model, on the object without spec.renewal, which the model predates.
    const { renewal: _renewal, ...spec } = obj.spec;
    assert.doesNotThrow(() => new Certificate({ ...obj, spec } as never).validate(), obj.metadata.name);
    assert.doesNotThrow(() => new Model(obj as never).validate(), obj.metadata.name);
  }
  assert.deepEqual(await validateObjects(built as never), []);
});

test("negative controls: the model rejects a bad key, and the renewal check a misspelt or incomplete window", async () => {
  const Model = await certificateModel();
  const good = buildCertificate(ADMIN, PROD);
  const broken = (edit: (spec: Record<string, any>) => void) => {
    const copy = structuredClone(good) as unknown as { spec: Record<string, any> };
    edit(copy.spec);
    return () => new Model(copy as never).validate();
  };
  assert.throws(broken((s) => (s.privateKey.algorithm = "DSA")), /privateKey\/algorithm must be equal to one of the allowed values/);
  assert.throws(broken((s) => (s.issuerRef = { kind: "Issuer" })), /issuerRef must have required property name/);
  assert.throws(broken((s) => (s.renewal.windows[0] = { cron: "30 0 * * 0,6", timeZone: "Europe/Berlin", windowDuration: "300m" })), /windows\/0 must have exactly cron, timezone and windowDuration/);
  assert.throws(broken((s) => (s.renewal.windows[0].windowDuration = "5 hours")), /windows\/0\/windowDuration must be a duration/);
  assert.throws(broken((s) => (s.renewal.windows[0].cron = "@weekly")), /windows\/0\/cron must be a five-field cron expression/);
  assert.throws(broken((s) => (s.renewal.policy = "EarliestWindow")), /policy must be RenewBefore or Disabled/);
  assert.throws(broken((s) => (s.renewal.windows = [])), /windows must be a non-empty array/);
  assert.throws(broken((s) => (s.renewal.window = s.renewal.windows)), /may only have policy and windows/);
  const problems = await validateObjects([structuredClone(good) as never, { ...good, spec: { ...good.spec, renewal: { policy: "Sometimes" } } } as never]);
  assert.deepEqual(problems, ["Certificate upkeep-maintenance/admin: data/spec/renewal policy must be RenewBefore or Disabled"]);
});

// ---------------------------------------------------------------- rules

/** The workload's namespace: the api Certificate and its Secret live beside the pods that mount it. */
const SHOP = "shop";
const API_IN_SHOP: KubernetesCertificateConfig = { ...API, namespace: SHOP };

test("a Certificate with a namespace lives there, with its Secret; without one, in upkeep's namespace", () => {
  assert.equal(buildCertificate(API_IN_SHOP, PROD).metadata.namespace, SHOP);
  assert.deepEqual(buildCertificate(API_IN_SHOP, PROD).spec, buildCertificate(API, PROD).spec);
  assert.equal(buildCertificate(ADMIN, PROD).metadata.namespace, NS);
});

const ALERT_INPUTS: CertificateAlertInputs = {
  environment: "prod",
  namespace: NS,
  severity: "critical",
  runbookBaseUrl: RUNBOOKS,
  certificates: [API_IN_SHOP, ADMIN],
  expiryWarningDays: 21,
};
const GROUP = buildCertificateRules(ALERT_INPUTS);
/** `namespace` is upkeep's, which its AlertmanagerConfig routes; the Certificate's own is `certificate_namespace`. */
const RULE_LABELS = (certificate: string, certificateNamespace: string) => ({
  severity: "critical",
  environment: "prod",
  namespace: NS,
  certificate,
  certificate_namespace: certificateNamespace,
});
const API_WHAT = "cert-manager Certificate shop/api (Secret api-tls, api.example.com, www.example.com; ClusterIssuer letsencrypt-prod)";
const ADMIN_WHAT = "cert-manager Certificate upkeep-maintenance/admin (Secret admin-tls, admin.example.com; Issuer internal-ca)";

/** Either scrape: the Certificate's namespace in exported_namespace (honorLabels: false) or in namespace (true). */
const both = (metric: string, ns: string, labels: string) =>
  `${metric}{exported_namespace="${ns}",${labels}} or ${metric}{namespace="${ns}",exported_namespace="",${labels}}`;

test("the rules: two per Certificate, exactly, each matching either scrape configuration", () => {
  assert.deepEqual(GROUP, {
    name: "upkeep.prod.certificates",
    rules: [
      {
        alert: "UpkeepCertificateExpiringSoon",
        expr: `(max by (name) (${both("certmanager_certificate_expiration_timestamp_seconds", "shop", 'name="api"')}) - time()) < 1814400`,
        for: "1h",
        labels: RULE_LABELS("api", SHOP),
        annotations: {
          summary: "api expires in less than 21 days",
          description: `${API_WHAT} expires in {{ $value | humanizeDuration }} and has not been renewed, although renewal starts when 33% of its 2160h lifetime is left.`,
          runbook_url: "https://runbooks.example.com/upkeep/UpkeepCertificateExpiringSoon.md",
        },
      },
      {
        alert: "UpkeepCertificateNotReady",
        expr: `max by (name) (${both("certmanager_certificate_ready_status", "shop", 'name="api",condition="True"')}) != 1`,
        for: "10m",
        labels: RULE_LABELS("api", SHOP),
        annotations: {
          summary: "api is not Ready",
          description: `${API_WHAT} has not been Ready for 10 minutes: issuing or renewing it fails.`,
          runbook_url: "https://runbooks.example.com/upkeep/UpkeepCertificateNotReady.md",
        },
      },
      {
        alert: "UpkeepCertificateExpiringSoon",
        expr: `(max by (name) (${both("certmanager_certificate_expiration_timestamp_seconds", NS, 'name="admin"')}) - time()) < 1814400`,
        for: "1h",
        labels: RULE_LABELS("admin", NS),
        annotations: {
          summary: "admin expires in less than 21 days",
          description: `${ADMIN_WHAT} expires in {{ $value | humanizeDuration }} and has not been renewed, although renewal starts 720h before expiry.`,
          runbook_url: "https://runbooks.example.com/upkeep/UpkeepCertificateExpiringSoon.md",
        },
      },
      {
        alert: "UpkeepCertificateNotReady",
        expr: `max by (name) (${both("certmanager_certificate_ready_status", NS, 'name="admin",condition="True"')}) != 1`,
        for: "10m",
        labels: RULE_LABELS("admin", NS),
        annotations: {
          summary: "admin is not Ready",
          description: `${ADMIN_WHAT} has not been Ready for 10 minutes: issuing or renewing it fails.`,
          runbook_url: "https://runbooks.example.com/upkeep/UpkeepCertificateNotReady.md",
        },
      },
    ],
  });
  // The default renewal, in words.
  const plain = buildCertificateRules({ ...ALERT_INPUTS, certificates: [{ ...API, duration: undefined, renewBeforePercentage: undefined }] });
  assert.match(plain.rules[0]!.annotations.description!, /although renewal starts when a third of its 2160h lifetime is left\.$/);
});

test("promtool check rules accepts the certificate rules", async () => {
  const result = await checkRules({ groups: [GROUP] });
  assert.equal(result.code, 0, describeResult(result));
  assert.match(result.stdout, /SUCCESS: 4 rules found/, describeResult(result));
});

// ---------------------------------------------------------------- promtool test rules

type Labels = Record<string, string>;

/**
 * The two label shapes a Certificate's series arrive in. cert-manager's Helm
 * chart scrapes with honorLabels: false, so Prometheus keeps the target's
 * namespace (cert-manager's) in `namespace` and moves the Certificate's to
 * `exported_namespace`; with honorLabels: true it stays in `namespace`.
 */
const SHAPES = ["honorLabels: false", "honorLabels: true"] as const;
type Shape = (typeof SHAPES)[number];
const CERT_MANAGER_NS = "cert-manager";

/** Labels cert-manager's controller puts on a Certificate's series, and the scrape's own. */
function certLabels(shape: Shape, name: string, namespace = SHOP, pod = "cert-manager-7d9f8b6c5-x2x4q", controllerNamespace = CERT_MANAGER_NS): Labels {
  const own = { name, issuer_name: "letsencrypt-prod", issuer_kind: "ClusterIssuer", issuer_group: "cert-manager.io", job: "cert-manager", pod };
  return shape === "honorLabels: true" ? { ...own, namespace } : { ...own, namespace: controllerNamespace, exported_namespace: namespace };
}

/** A constant series, sampled every minute for three hours. */
const constant = (metric: string, labels: Labels, value: number): Series => ({ series: selector(metric, labels), values: `${value}+0x180` });
const expiresAt = (labels: Labels, at: number): Series => constant("certmanager_certificate_expiration_timestamp_seconds", labels, at);

/** The three condition series; `values` per condition in promtool's expanding notation. */
function readiness(labels: Labels, values: { True: string; False: string; Unknown: string }): Series[] {
  return (["True", "False", "Unknown"] as const).map((condition) => ({
    series: selector("certmanager_certificate_ready_status", { ...labels, condition }),
    values: values[condition],
  }));
}

function expiringAlert(duration: string): ExpAlert {
  return {
    exp_labels: { ...RULE_LABELS("api", SHOP), name: "api" },
    exp_annotations: {
      summary: "api expires in less than 21 days",
      description: `${API_WHAT} expires in ${duration} and has not been renewed, although renewal starts when 33% of its 2160h lifetime is left.`,
      runbook_url: `${RUNBOOKS}/UpkeepCertificateExpiringSoon.md`,
    },
  };
}

const NOT_READY: ExpAlert = {
  exp_labels: { ...RULE_LABELS("api", SHOP), name: "api" },
  exp_annotations: {
    summary: "api is not Ready",
    description: `${API_WHAT} has not been Ready for 10 minutes: issuing or renewing it fails.`,
    runbook_url: `${RUNBOOKS}/UpkeepCertificateNotReady.md`,
  },
};

const M = 60;

function expiringCases(shape: Shape): Case[] {
  const api = certLabels(shape, "api");
  return [
    {
      // 10 days left at 61m: pending from 0m, firing once it has held for an hour.
      name: `${shape}: expiring in 10 days with a 21-day warning fires after 1h`,
      series: [expiresAt(api, 10 * DAY + 61 * M)],
      checks: [
        [30, []],
        [60, [expiringAlert("10d 0h 1m 0s")]],
        [61, [expiringAlert("10d 0h 0m 0s")]],
      ],
    },
    {
      name: `${shape}: expiring in 60 days is silent`,
      series: [expiresAt(api, 60 * DAY)],
      checks: [[120, []]],
    },
    {
      // Exactly 21 days left at 61m is not "less than": pending from 62m, firing at 122m.
      name: `${shape}: the 21-day line is exclusive, and the hour is waited out`,
      series: [expiresAt(api, 21 * DAY + 61 * M)],
      checks: [
        [61, []],
        [121, []],
        [122, [expiringAlert("20d 22h 59m 0s")]],
      ],
    },
    {
      name: `${shape}: two cert-manager pods reporting the same Certificate make one alert, with the later expiry`,
      series: [expiresAt(api, 10 * DAY + 61 * M), expiresAt(certLabels(shape, "api", SHOP, "cert-manager-7d9f8b6c5-zz9k2"), 5 * DAY)],
      checks: [[61, [expiringAlert("10d 0h 0m 0s")]]],
    },
    {
      name: `${shape}: a Certificate of the same name in another namespace does not count`,
      series: [expiresAt(api, 60 * DAY), expiresAt(certLabels(shape, "api", "other-team"), 2 * DAY)],
      checks: [[120, []]],
    },
  ];
}

function notReadyCases(shape: Shape): Case[] {
  const api = certLabels(shape, "api");
  return [
    {
      name: `${shape}: Ready=False for 10 minutes fires`,
      series: readiness(api, { True: "0+0x30", False: "1+0x30", Unknown: "0+0x30" }),
      checks: [
        [9, []],
        [10, [NOT_READY]],
        [20, [NOT_READY]],
      ],
    },
    {
      name: `${shape}: Unknown for 10 minutes fires too: an issuance that never finishes`,
      series: readiness(api, { True: "0+0x30", False: "0+0x30", Unknown: "1+0x30" }),
      checks: [[10, [NOT_READY]]],
    },
    {
      name: `${shape}: Ready is silent`,
      series: readiness(api, { True: "1+0x30", False: "0+0x30", Unknown: "0+0x30" }),
      checks: [[20, []]],
    },
    {
      name: `${shape}: not Ready for 5 minutes, then Ready again, is silent`,
      series: readiness(api, { True: "0x5 1x25", False: "1x5 0x25", Unknown: "0x30" }),
      checks: [
        [10, []],
        [20, []],
      ],
    },
    {
      name: `${shape}: another namespace's Certificate of the same name does not count`,
      series: [
        ...readiness(api, { True: "1+0x30", False: "0+0x30", Unknown: "0+0x30" }),
        { series: selector("certmanager_certificate_ready_status", { ...certLabels(shape, "api", "other-team"), condition: "True" }), values: "0+0x30" },
      ],
      checks: [[20, []]],
    },
  ];
}

/**
 * cert-manager installed in the Certificate's own namespace and scraped with
 * honorLabels: false: another namespace's Certificate of the same name then
 * arrives with `namespace` equal to ours. `exported_namespace=""` keeps it out.
 */
const CONTROLLER_IN_SHOP: Case[] = [
  {
    name: "cert-manager running in the Certificate's namespace: another namespace's Certificate does not count",
    series: [
      expiresAt(certLabels("honorLabels: false", "api", SHOP, "cert-manager-1", SHOP), 60 * DAY),
      expiresAt(certLabels("honorLabels: false", "api", "other-team", "cert-manager-1", SHOP), 2 * DAY),
    ],
    checks: [[120, []]],
  },
];

const EXPIRING_CASES: Case[] = [...SHAPES.flatMap(expiringCases), ...CONTROLLER_IN_SHOP];
const NOT_READY_CASES: Case[] = SHAPES.flatMap(notReadyCases);

test("promtool test rules: UpkeepCertificateExpiringSoon fires and stays silent with either scrape configuration", async () => {
  await assertPromtoolPasses({ groups: [GROUP] }, "UpkeepCertificateExpiringSoon", EXPIRING_CASES);
});

test("promtool test rules: UpkeepCertificateNotReady fires and stays silent with either scrape configuration", async () => {
  await assertPromtoolPasses({ groups: [GROUP] }, "UpkeepCertificateNotReady", NOT_READY_CASES);
});

test("negative control: the rules before this change (namespace only) never fire with cert-manager's Helm chart scrape", async () => {
  const old = {
    name: "upkeep.prod.certificates",
    rules: GROUP.rules.map((r) => ({
      ...r,
      expr: r.expr.replace(/\{exported_namespace="([^"]+)",([^}]*)\} or [a-z_]+\{[^}]*\}/g, '{namespace="$1",$2}'),
    })),
  };
  assert.match(old.rules[0]!.expr, /^\(max by \(name\) \(certmanager_certificate_expiration_timestamp_seconds\{namespace="shop",name="api"\}\) - time\(\)\) < 1814400$/);
  const helmChart = expiringCases("honorLabels: false")[0]!;
  const result = await testRules({ groups: [old] }, unitTest("UpkeepCertificateExpiringSoon", [helmChart]));
  assert.equal(result.code, 1, `a namespace-only rule must miss the exported_namespace series:\n${describeResult(result)}`);
  assert.match(result.stderr, /alertname: UpkeepCertificateExpiringSoon, time: 1h,[\s\S]*got:\[\]/, describeResult(result));
});

test("negative control: promtool test rules fails on a wrong expectation either way", async () => {
  const wrong: [string, Case][] = [
    ["UpkeepCertificateExpiringSoon", { ...EXPIRING_CASES[0]!, checks: [[61, []]] }],
    ["UpkeepCertificateExpiringSoon", { ...EXPIRING_CASES[1]!, checks: [[120, [expiringAlert("60d 0h 0m 0s")]]] }],
    ["UpkeepCertificateNotReady", { ...NOT_READY_CASES[2]!, checks: [[20, [NOT_READY]]] }],
  ];
  for (const [alertname, c] of wrong) {
    const result = await testRules({ groups: [GROUP] }, unitTest(alertname, [c]));
    assert.equal(result.code, 1, `${c.name} with a wrong expectation must fail:\n${describeResult(result)}`);
  }
});
