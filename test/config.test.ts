import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, DEFAULT_POSTGRES_IMAGE, parseConfig } from "../components/config";
import { referenceConfig } from "./support/configs";

function problems(raw: Record<string, unknown>, secretKeys: string[] = [], awsRegion?: string): string[] {
  try {
    parseConfig(raw, new Set(secretKeys), awsRegion);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message.split("\n");
  }
  assert.fail("expected the config to be rejected");
}

test("the reference stack file is accepted exactly, with documented defaults filled in", () => {
  const config = parseConfig(referenceConfig(), new Set(), "eu-central-1");
  assert.equal(config.awsRegion, "eu-central-1");
  assert.deepEqual(config.environment, {
    name: "prod",
    tier: "production",
    timezone: "Europe/Berlin",
    paused: false,
    window: { days: ["sat", "sun"], start: "01:30", durationMinutes: 240 },
  });
  assert.deepEqual(config.kubernetes, { namespace: "upkeep-maintenance", postgresImage: DEFAULT_POSTGRES_IMAGE, version: "1.29" });
  assert.deepEqual(config.alerting, {
    runbookBaseUrl: "https://github.com/acme/platform-maintenance/blob/main/docs/runbooks",
    alertmanager: false,
    ruleLabels: {},
    muteDuringWindow: [],
    pushgateway: "deploy",
  });
  assert.equal(config.maintenanceLog, undefined);
  assert.deepEqual(config.backups, { awsOptOut: "The orders database is an RDS instance whose snapshots the database team runs outside this stack.", dumps: [] });
  assert.deepEqual(config.notify, { emails: ["platform-oncall@example.com"], stakeholderEmails: [], noticeHours: 24, createKmsKey: false });
  assert.deepEqual(config.reviews, { at: "09:30", overrides: [] });
  assert.deepEqual(config.endpoints, []);
  const db = config.databases[0]!;
  assert.equal(db.credentialsSecret, "orders-db-maintenance");
  assert.equal(db.sslmode, "require", "production's default");
  assert.equal(db.sslRootCertSecret, undefined);
  assert.deepEqual(db.vacuum, { cadence: "daily", durationMinutes: 30 });
  assert.deepEqual(db.reindex, { cadence: "monthly", durationMinutes: 60 });
  assert.equal(db.vacuumJobs, 2);
  assert.deepEqual(db.cleanup, {
    cadence: "weekly",
    durationMinutes: 30,
    tables: [{ table: "public.audit_log", timestampColumn: "created_at", retentionDays: 90, batchSize: 5000 }],
  });
  assert.deepEqual(config.jobs[0], {
    name: "image-scan",
    cadence: "weekly",
    outsideWindow: false,
    durationMinutes: 30,
    image: "ghcr.io/aquasecurity/trivy:0.58.1",
    args: ["image", "--exit-code", "1", "registry.example.com/api:stable"],
    env: {},
    secretEnv: [],
    labels: {},
    volumes: [],
    imagePullSecrets: [],
    nodeSelector: {},
    tolerations: [],
    serviceAccountAnnotations: {},
  });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.databases[0]), "the validated config is frozen");
});

test("every problem is reported at once, one line each, with its full key path", () => {
  const raw = referenceConfig();
  raw.environment.timezone = "Europe/Berlinn";
  raw.environment.window = { days: ["sat", "sat", "caturday"], start: "1:30", durationMinutes: 721 };
  raw.databases[0].port = 70000;
  raw.databases[0].cleanup.tables.push({ table: "public.Events", timestampColumn: "ts; drop", retentionDays: 0, batchSize: 50 });
  raw.jobs[0].image = "ghcr.io/aquasecurity/trivy:latest";
  raw.jobs.push({ name: "Bad_Name", schedule: "TZ=UTC 0 3 * * *", image: "busybox", durationMinutes: 2.5 });
  raw.surprise = true;
  assert.deepEqual(problems(raw), [
    'upkeep:environment.timezone: must be an IANA time zone such as Europe/Berlin or UTC (got "Europe/Berlinn")',
    'upkeep:environment.window.days[2]: must be one of sun, mon, tue, wed, thu, fri, sat (got "caturday")',
    'upkeep:environment.window.start: must be a 24-hour time HH:MM such as "01:30" (got "1:30")',
    "upkeep:environment.window.durationMinutes: must be at most 720 (got 721)",
    "upkeep:databases[0].port: must be at most 65535 (got 70000)",
    'upkeep:databases[0].cleanup.tables[1].table: must be a table name, optionally schema-qualified, each part matching ^[a-z_][a-z0-9_]*$ (got "public.Events")',
    'upkeep:databases[0].cleanup.tables[1].timestampColumn: must be a lower-case SQL identifier matching ^[a-z_][a-z0-9_]*$, at most 63 characters (got "ts; drop")',
    "upkeep:databases[0].cleanup.tables[1].retentionDays: must be at least 1 (got 0)",
    "upkeep:databases[0].cleanup.tables[1].batchSize: must be at least 100 (got 50)",
    'upkeep:jobs[0].image: must not use the tag latest; pin a version or digest (got "ghcr.io/aquasecurity/trivy:latest")',
    `upkeep:jobs[1].name: must be an RFC 1123 name: lower-case letters, digits and '-', starting and ending with a letter or digit (got "Bad_Name")`,
    'upkeep:jobs[1].schedule: must not start with TZ= or CRON_TZ=; the time zone comes from upkeep:environment.timezone (spec.timeZone) (got "TZ=UTC 0 3 * * *")',
    "upkeep:jobs[1].durationMinutes: must be a whole number (got 2.5)",
    'upkeep:jobs[1].image: must carry an explicit tag or digest, such as :1.2.3 or @sha256:… (got "busybox")',
    'upkeep:surprise: is not a known key',
  ]);
});

test("the retention example from the issue reads exactly as specified", () => {
  const raw = referenceConfig();
  raw.databases[0].cleanup.tables[0].retentionDays = 0;
  assert.deepEqual(problems(raw), ["upkeep:databases[0].cleanup.tables[0].retentionDays: must be at least 1 (got 0)"]);
});

test("cron schedules: five fields, no macros, no every-minute runs", () => {
  const cases: [string, string][] = [
    ["* 3 * * *", 'must not run every minute; maintenance jobs run at most a few times a day (got "* 3 * * *")'],
    ["*/1 * * * *", 'must not run every minute; maintenance jobs run at most a few times a day (got "*/1 * * * *")'],
    ["0 3 * *", 'must have exactly 5 fields (minute hour day-of-month month day-of-week), got 4 (got "0 3 * *")'],
    ["@daily", 'must be five cron fields, not a macro such as @daily (got "@daily")'],
    ["CRON_TZ=Europe/Berlin 0 3 * * *", 'must not start with TZ= or CRON_TZ=; the time zone comes from upkeep:environment.timezone (spec.timeZone) (got "CRON_TZ=Europe/Berlin 0 3 * * *")'],
    ["0 24 * * *", 'hour field has 24, outside 0-23 (got "0 24 * * *")'],
    ["0 3 * * funday", 'day-of-week field has "funday", which is not a number or a name (got "0 3 * * funday")'],
  ];
  for (const [schedule, reason] of cases) {
    const raw = referenceConfig();
    raw.jobs[0] = { name: "x", schedule, image: "registry.example.com/x:1.0", outsideWindow: true };
    assert.deepEqual(problems(raw), [`upkeep:jobs[0].schedule: ${reason}`], schedule);
  }
});

test("job rules: one of cadence or schedule; monthly jobs need a command; outsideWindow needs a schedule; no secrets in env", () => {
  const raw = referenceConfig();
  raw.jobs = [
    { name: "both", cadence: "daily", schedule: "0 3 * * *", image: "r.example.com/a:1" },
    { name: "neither", image: "r.example.com/a:1" },
    { name: "monthly", cadence: "monthly", image: "r.example.com/a:1", args: ["x"] },
    { name: "loose", cadence: "weekly", outsideWindow: true, image: "r.example.com/a:1" },
    { name: "leaky", cadence: "weekly", image: "r.example.com/a:1", env: { LOG_LEVEL: "info", DB_PASSWORD: "hunter2" } },
  ];
  assert.deepEqual(problems(raw), [
    "upkeep:jobs[0].cadence: set exactly one of cadence or schedule",
    "upkeep:jobs[1].cadence: set exactly one of cadence or schedule",
    "upkeep:jobs[2].command: is required for a monthly job: upkeep wraps it in its once-per-period guard, which replaces the image's entrypoint",
    "upkeep:jobs[3].outsideWindow: only applies to a custom schedule; a cadence always runs inside the window",
    "upkeep:jobs[4].env.DB_PASSWORD: looks like a secret, and env values are plain text in the CronJob; pass it with secretEnv from an existing Kubernetes Secret",
  ]);
});

test("names must be unique across databases, their tasks and jobs", () => {
  const raw = referenceConfig();
  raw.databases.push({ ...structuredClone(raw.databases[0]), cleanup: undefined });
  raw.jobs.push({ name: "orders-vacuum", cadence: "daily", image: "r.example.com/a:1" });
  raw.databases[0].cleanup.tables.push({ ...raw.databases[0].cleanup.tables[0] });
  assert.deepEqual(problems(raw), [
    "upkeep:databases[0].cleanup.tables[1].table: lists public.audit_log twice",
    'upkeep:databases[1].name: name "orders" is already used by upkeep:databases[0].name',
    'upkeep:jobs[1].name: "orders-vacuum" clashes with the vacuum task of upkeep:databases[0]',
  ]);
});

test("secrets: the kubeconfig must be a Pulumi secret, and its value is never echoed", () => {
  const raw = referenceConfig();
  raw.kubeconfig = "apiVersion: v1\nclusters: [{name: hunter2}]";
  const lines = problems(raw);
  assert.deepEqual(lines, ["upkeep:kubeconfig: must be a secret; set it with: pulumi config set --secret upkeep:kubeconfig …"]);
  assert.ok(!lines.join("\n").includes("hunter2"));
  assert.equal(parseConfig(raw, new Set(["kubeconfig"])).kubeconfig, raw.kubeconfig);
});

test("aws:region is checked with its own key path", () => {
  assert.deepEqual(problems(referenceConfig(), [], "europe-1"), ['aws:region: must be an AWS region such as eu-central-1 (got "europe-1")']);
});

test("task settings take a cadence, off, or an object, and reject anything else", () => {
  const raw = referenceConfig();
  raw.databases[0].vacuum = "hourly";
  raw.databases[0].reindex = { cadence: "weekly", durationMinutes: 1000 };
  assert.deepEqual(problems(raw), [
    'upkeep:databases[0].vacuum.cadence: must be one of daily, weekly, monthly, quarterly, off (got "hourly")',
    "upkeep:databases[0].reindex.durationMinutes: must be at most 720 (got 1000)",
  ]);
  const ok = referenceConfig();
  ok.databases[0].reindex = "off";
  ok.databases[0].vacuum = { cadence: "weekly", durationMinutes: 90 };
  const parsed = parseConfig(ok, new Set());
  assert.deepEqual(parsed.databases[0]!.reindex, { cadence: "off", durationMinutes: 60 });
  assert.deepEqual(parsed.databases[0]!.vacuum, { cadence: "weekly", durationMinutes: 90 });
});

test("missing required sections name the key", () => {
  assert.deepEqual(problems({}), [
    "upkeep:environment: is required",
    "upkeep:kubernetes.namespace: is required: use upkeep-<environment.name> for a new stack, or upkeep-maintenance for a stack already deployed without it (the old default; changing a deployed namespace deletes and re-creates everything in it)",
  ]);
});

test("certificates, credentials and endpoints: bad input is named by path", () => {
  const raw = referenceConfig();
  raw.certificates = {
    kubernetes: [
      { name: "api", secretName: "api-tls", dnsNames: ["api.example.com"], issuer: { kind: "ClusterIssuer", name: "le" }, duration: "720h", renewBefore: "800h" },
      { name: "www", secretName: "www-tls", dnsNames: ["www.example.com"], issuer: { kind: "Vault", name: "le" } },
    ],
  };
  raw.credentials = [{ name: "db", secretId: "orders-db", rotationLambdaArn: "arn:aws:lambda:eu-central-1:123456789012:function:rotate", everyDays: 30 }];
  raw.endpoints = [{ url: "http://api.example.com/healthz" }];
  assert.deepEqual(problems(raw), [
    'upkeep:endpoints[0].url: must be an https:// URL (got "http://api.example.com/healthz")',
    "upkeep:certificates.kubernetes[0].renewBefore: must be shorter than the certificate's duration (800h ≥ 720h)",
    'upkeep:certificates.kubernetes[1].issuer.kind: must be one of Issuer, ClusterIssuer (got "Vault")',
    'upkeep:credentials[0].secretId: must be a secretsmanager ARN like arn:aws:secretsmanager:<region>:<account>:secret:… (got "orders-db")',
  ]);
});

test("backups: production needs restore testing, dumps name a database and a way to read them", () => {
  const raw = referenceConfig();
  raw.backups = {
    aws: { vaultName: "prod-maintenance", retentionDays: 35, selectionTags: { backup: "true" } },
    dumps: [{ database: "billing", location: "s3://acme-db-dumps/prod/billing", maxAgeHours: 26 }],
  };
  assert.deepEqual(problems(raw), [
    'upkeep:backups.dumps[0].location: must be an s3://bucket/prefix/ ending in / (got "s3://acme-db-dumps/prod/billing")',
    "upkeep:backups.dumps[0].roleArn: is required unless upkeep:kubernetes.oidcProviderArn is set, from which upkeep creates a role that may read only this prefix",
    'upkeep:backups.dumps[0].database: names no database in upkeep:databases (got "billing"; known: orders)',
    "upkeep:backups.aws.restoreTesting: is required in production: a backup counts only once a restore has proved it, at least quarterly",
  ]);
});

test("the Pushgateway and the maintenance log: exact values and one line per problem", () => {
  const withRaw = (edit: (raw: Record<string, any>) => void) => {
    const raw = referenceConfig();
    edit(raw);
    return raw;
  };
  for (const value of ["deploy", "off", "http://pushgateway.monitoring.svc:9091", "https://push.example.com/base"]) {
    assert.equal(parseConfig(withRaw((raw) => (raw.alerting = { ...raw.alerting, pushgateway: value })), new Set()).alerting.pushgateway, value);
  }
  const oidc = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  const logged = parseConfig(
    withRaw((raw) => {
      raw.endpoints = [{ url: "https://api.example.com/healthz" }];
      raw.maintenanceLog = { location: "s3://upkeep-history/prod/" };
      raw.kubernetes = { ...raw.kubernetes, oidcProviderArn: oidc };
    }),
    new Set(),
  );
  assert.deepEqual(logged.maintenanceLog, { location: "s3://upkeep-history/prod/" });
  assert.deepEqual(
    parseConfig(withRaw((raw) => ((raw.endpoints = [{ url: "https://api.example.com/healthz" }]), (raw.maintenanceLog = { location: "s3://upkeep-history/prod/eu/", roleArn: "arn:aws:iam::123456789012:role/upkeep-log" }))), new Set()).maintenanceLog,
    { location: "s3://upkeep-history/prod/eu/", roleArn: "arn:aws:iam::123456789012:role/upkeep-log" },
  );
  // The whole bucket: the role that writes the history could then overwrite anything in it.
  assert.deepEqual(
    problems(withRaw((raw) => ((raw.endpoints = [{ url: "https://api.example.com/healthz" }]), (raw.maintenanceLog = { location: "s3://upkeep-history/", roleArn: "arn:aws:iam::123456789012:role/upkeep-log" })))),
    ['upkeep:maintenanceLog.location: must name a prefix under the bucket, such as s3://upkeep-history/upkeep/, not the whole bucket (got "s3://upkeep-history/")'],
  );
  assert.deepEqual(problems(withRaw((raw) => (raw.alerting = { ...raw.alerting, pushgateway: "pushgateway:9091" }))), [
    'upkeep:alerting.pushgateway: must be "deploy", "off" or the http(s):// URL of an existing Pushgateway (got "pushgateway:9091")',
  ]);
  assert.deepEqual(
    problems(withRaw((raw) => {
      raw.alerting = { ...raw.alerting, pushgateway: "off" };
      raw.maintenanceLog = { location: "s3://upkeep-history/prod", roleArn: "arn:aws:iam::123456789012:user/someone" };
    })),
    [
      'upkeep:maintenanceLog.location: must be an s3://bucket/prefix/ ending in / (got "s3://upkeep-history/prod")',
      'upkeep:maintenanceLog.roleArn: must be an IAM role ARN like arn:aws:iam::<account>:role/<name> (got "arn:aws:iam::123456789012:user/someone")',
      'upkeep:maintenanceLog.location: needs a Pushgateway: the report is built from what the tasks pushed (upkeep:alerting.pushgateway is "off")',
      "upkeep:maintenanceLog.location: needs upkeep:endpoints: the report is written by post-maintenance-verify, which runs only when there are endpoints to verify",
    ],
  );
  assert.deepEqual(
    problems(withRaw((raw) => {
      raw.alerting = { ...raw.alerting, pushgateway: "off" };
      raw.maintenanceLog = { location: "s3://upkeep-history/prod/" };
    })),
    [
      'upkeep:maintenanceLog.location: needs a Pushgateway: the report is built from what the tasks pushed (upkeep:alerting.pushgateway is "off")',
      "upkeep:maintenanceLog.location: needs upkeep:endpoints: the report is written by post-maintenance-verify, which runs only when there are endpoints to verify",
      "upkeep:maintenanceLog.roleArn: is required unless upkeep:kubernetes.oidcProviderArn is set, from which upkeep creates a role that may write only under this prefix",
    ],
  );
});

test("cleanup's timestampZone and a dump's match are checked by path; a whole bucket is refused", () => {
  const raw = referenceConfig();
  const db = (raw.databases as { cleanup: { tables: Record<string, unknown>[] } }[])[0]!;
  db.cleanup.tables = [
    { table: "public.audit_log", timestampColumn: "created_at", retentionDays: 90, timestampZone: "America/New_York" },
    { table: "public.events", timestampColumn: "day", retentionDays: 30, timestampZone: "EST" },
  ];
  raw.backups = {
    dumps: [
      { database: "orders", location: "s3://acme-db-dumps/", maxAgeHours: 26 },
      { database: "orders", location: "s3://acme-db-dumps/orders/", maxAgeHours: 26, match: "orders *.dump" },
      { database: "orders", location: "s3://acme-db-dumps/orders/", maxAgeHours: 26, match: ".dump" },
    ],
  };
  assert.deepEqual(problems(raw).filter((p) => /timestampZone|match|location/.test(p)), [
    'upkeep:backups.dumps[0].location: must name a prefix under the bucket, such as s3://acme-db-dumps/orders/, not the whole bucket (got "s3://acme-db-dumps/")',
    'upkeep:backups.dumps[1].match: must be a suffix such as ".dump" or a glob such as "orders-*.dump", without spaces (got "orders *.dump")',
    'upkeep:databases[0].cleanup.tables[1].timestampZone: must be an IANA time zone such as Europe/Berlin or UTC (got "EST")',
  ]);
});
