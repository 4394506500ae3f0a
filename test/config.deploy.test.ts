/**
 * What a typo check cannot see, checked at the boundary with the exact text
 * a user reads: a stack that is not who it says it is, a namespace left to a
 * default, a production stack that could reach nobody or keep no backups, a
 * runbook link that cannot be opened from a page, and every knob's bad input.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, parseConfig, type UpkeepConfig } from "../components/config";
import { referenceConfig } from "./support/configs";

type Raw = Record<string, any>;

function problems(edit: (raw: Raw) => void, options: { secretKeys?: string[]; stack?: string } = {}): string[] {
  const raw = referenceConfig();
  edit(raw);
  try {
    parseConfig(raw, new Set(options.secretKeys ?? []), "eu-central-1", options.stack ?? "prod");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message.split("\n");
  }
  assert.fail("expected the config to be rejected");
}

function accepted(edit: (raw: Raw) => void, secretKeys: string[] = []): UpkeepConfig {
  const raw = referenceConfig();
  edit(raw);
  return parseConfig(raw, new Set(secretKeys), "eu-central-1", "prod");
}

describe("stack identity", () => {
  test("environment.name must be the stack's name; the error gives both", () => {
    assert.deepEqual(problems(() => {}, { stack: "eu-prod" }), [
      'upkeep:environment.name: must equal the stack\'s name "eu-prod" (got "prod"): upkeep names the stack\'s resources after it (upkeep-prod-critical, its alerts, roles and schedules), so two stacks with one name would own the same resources',
    ]);
    assert.equal(accepted(() => {}).environment.name, "prod");
  });

  test("kubernetes.namespace is required, with the namespace to choose for a new stack and for a deployed one", () => {
    const reason =
      "is required: use upkeep-prod for a new stack, or upkeep-maintenance for a stack already deployed without it (the old default; changing a deployed namespace deletes and re-creates everything in it)";
    assert.deepEqual(problems((raw) => delete raw.kubernetes), [`upkeep:kubernetes.namespace: ${reason}`]);
    assert.deepEqual(problems((raw) => (raw.kubernetes = { postgresImage: "docker.io/library/postgres:16.4-alpine" })), [`upkeep:kubernetes.namespace: ${reason}`]);
  });
});

describe("production guardrails", () => {
  test("production needs somewhere for an alert to go: emails, or the secret webhook", () => {
    assert.deepEqual(problems((raw) => (raw.notify = { stakeholderEmails: ["all@example.com"] })), [
      "upkeep:notify: production needs somewhere for an alert to go: on-call addresses in upkeep:notify.emails, or the secret webhook (pulumi config set --secret --path 'upkeep:notify.webhookUrl' https://…); with upkeep:alerting.alertmanager: true they are also the receivers of its Alertmanager route",
    ]);
    const webhookOnly = accepted((raw) => (raw.notify = { webhookUrl: "https://hooks.example.com/x" }), ["notify"]);
    assert.equal(webhookOnly.notify.webhookUrl, "https://hooks.example.com/x");
    // Staging may be quiet; it is a rehearsal.
    assert.doesNotThrow(() => accepted((raw) => ((raw.environment.tier = "staging"), (raw.notify = {}))));
  });

  test("backups.aws is required in production, or an opt-out that says why", () => {
    assert.deepEqual(problems((raw) => delete raw.backups), [
      'upkeep:backups.aws: is required in production: an AWS Backup vault with restore testing, or { none: "<why this stack has none>" }',
    ]);
    assert.deepEqual(problems((raw) => (raw.backups = { aws: { none: "n/a" } })), ['upkeep:backups.aws.none: must say in a sentence why this stack has no AWS Backup (got "n/a")']);
    assert.deepEqual(problems((raw) => (raw.backups = { aws: "none" })), ['upkeep:backups.aws: must be the AWS Backup settings, or { none: "<why this stack has none>" } (got "none")']);
    assert.deepEqual(problems((raw) => (raw.backups = { aws: { none: "Snapshots are taken by the database team.", vaultName: "x" } })), ['upkeep:backups.aws.vaultName: is not a known key']);
    // The settings' own errors still name their fields.
    assert.deepEqual(problems((raw) => (raw.backups = { aws: { vaultName: "prod-maintenance", retentionDays: 0, selectionTags: { backup: "true" } } })), [
      "upkeep:backups.aws.retentionDays: must be at least 1 (got 0)",
    ]);
    assert.deepEqual(accepted(() => {}).backups, { awsOptOut: "The orders database is an RDS instance whose snapshots the database team runs outside this stack.", dumps: [] });
    assert.deepEqual(accepted((raw) => ((raw.environment.tier = "staging"), delete raw.backups)).backups, { dumps: [] });
  });

  test("runbookBaseUrl is an absolute https:// URL in staging and production; development may use a repository path", () => {
    const reason = (tier: string, got: string) =>
      `upkeep:alerting.runbookBaseUrl: must be an absolute https:// URL in a ${tier} stack, such as https://github.com/<org>/<repo>/blob/main/docs/runbooks, so that an alert's runbook_url opens from a page (got "${got}")`;
    assert.deepEqual(problems((raw) => delete raw.alerting), [reason("production", "docs/runbooks")]);
    assert.deepEqual(problems((raw) => (raw.alerting = { runbookBaseUrl: "http://wiki.example.com/runbooks" })), [reason("production", "http://wiki.example.com/runbooks")]);
    assert.deepEqual(problems((raw) => ((raw.environment.tier = "staging"), delete raw.alerting)), [reason("staging", "docs/runbooks")]);
    assert.equal(accepted((raw) => ((raw.environment.tier = "development"), delete raw.alerting)).alerting.runbookBaseUrl, "docs/runbooks");
  });
});

describe("jobs[] knobs: every bad input by its key path", () => {
  test("severity, labels and tmpSizeLimit", () => {
    assert.deepEqual(
      problems((raw) => Object.assign(raw.jobs[0], { severity: "page", labels: { team: "sre", "upkeep.dev/task": "x", "Bad Key": "v", ok: "bad value!" }, tmpSizeLimit: "2 GB" })),
      [
        'upkeep:jobs[0].severity: must be one of info, warning, critical (got "page")',
        `upkeep:jobs[0].labels.ok: must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "bad value!")`,
        'upkeep:jobs[0].labels["upkeep.dev/task"]: is a label upkeep sets itself (app.kubernetes.io/* and upkeep.dev/*); its selectors and alerts rely on it',
        `upkeep:jobs[0].labels["Bad Key"]: is not a valid key: it must be a name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
        'upkeep:jobs[0].tmpSizeLimit: must be a storage size such as 512Mi or 20Gi (got "2 GB")',
      ],
    );
  });

  test("volumes: hostPath and every type outside Pod Security restricted are refused; one source, own names and paths", () => {
    assert.deepEqual(
      problems((raw) => {
        raw.jobs[0].volumes = [
          { name: "cache", mountPath: "/cache", hostPath: { path: "/var/cache" } },
          { name: "nfs", mountPath: "/nfs", nfs: { server: "files", path: "/" } },
          { name: "sec", mountPath: "/sec", secret: { secretName: "x" } },
          { name: "none", mountPath: "/none" },
          { name: "both", mountPath: "/both", emptyDir: {}, persistentVolumeClaim: { claimName: "c" } },
          { name: "tmp", mountPath: "/tmp/x", emptyDir: {} },
          { name: "cache", mountPath: "/cache", emptyDir: { sizeLimit: "5Gi" } },
          { name: "rel", mountPath: "data", emptyDir: { medium: "Disk" } },
        ];
      }),
      [
        'upkeep:jobs[0].volumes[0].hostPath: is refused: Pod Security "restricted", which upkeep\'s namespace enforces, forbids hostPath volumes; use emptyDir or persistentVolumeClaim',
        'upkeep:jobs[0].volumes[1].nfs: is refused: Pod Security "restricted", which upkeep\'s namespace enforces, forbids nfs volumes; use emptyDir or persistentVolumeClaim',
        "upkeep:jobs[0].volumes[2].secret: volumes are not offered here: a job mounts emptyDir or persistentVolumeClaim volumes (Secrets reach it through secretEnv)",
        "upkeep:jobs[0].volumes[3]: must have exactly one of emptyDir or persistentVolumeClaim",
        "upkeep:jobs[0].volumes[4]: must have exactly one of emptyDir or persistentVolumeClaim",
        'upkeep:jobs[0].volumes[5].mountPath: must not be /tmp or /upkeep or below them: upkeep mounts its own volumes there (got "/tmp/x")',
        'upkeep:jobs[0].volumes[5].name: "tmp" is the name of a volume upkeep mounts itself',
        'upkeep:jobs[0].volumes[7].mountPath: must be an absolute path below / without \'..\' or spaces (got "data")',
        'upkeep:jobs[0].volumes[7].emptyDir.medium: must be one of Memory (got "Disk")',
      ],
    );
    assert.deepEqual(
      problems((raw) => {
        raw.jobs[0].volumes = [
          { name: "cache", mountPath: "/cache", emptyDir: {} },
          { name: "cache", mountPath: "/cache", persistentVolumeClaim: { claimName: "c" } },
        ];
      }),
      ['upkeep:jobs[0].volumes[1].name: "cache" is already the name of another volume', 'upkeep:jobs[0].volumes[1].mountPath: "/cache" is already mounted by another volume'],
    );
  });

  test("imagePullSecrets, nodeSelector, tolerations, affinity and serviceAccountAnnotations", () => {
    assert.deepEqual(
      problems((raw) =>
        Object.assign(raw.jobs[0], {
          imagePullSecrets: ["regcred", "regcred", "Bad"],
          nodeSelector: { pool: "batch jobs" },
          tolerations: [{ key: "dedicated", operator: "Exists", value: "batch" }, { value: "x" }, { key: "k", value: "v", tolerationSeconds: 60 }, { key: "k", effect: "NoRun" }],
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "Inn", values: ["batch"] }, { key: "pool", operator: "In" }] }] } },
            podAffinity: { bogus: 1 },
          },
          serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123:role/x", "bad key!": "v" },
        }),
      ),
      [
        `upkeep:jobs[0].imagePullSecrets[2]: must be an RFC 1123 name: lower-case letters, digits and '-', starting and ending with a letter or digit (got "Bad")`,
        'upkeep:jobs[0].imagePullSecrets: must not name a Secret twice (got ["regcred","regcred","Bad"])',
        `upkeep:jobs[0].nodeSelector.pool: must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got "batch jobs")`,
        "upkeep:jobs[0].tolerations[0].value: must be absent when operator is Exists",
        "upkeep:jobs[0].tolerations[1].key: is required unless operator is Exists",
        "upkeep:jobs[0].tolerations[2].tolerationSeconds: only applies to effect NoExecute",
        'upkeep:jobs[0].tolerations[3].effect: must be one of NoSchedule, PreferNoSchedule, NoExecute (got "NoRun")',
        'upkeep:jobs[0].affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt (got "Inn")',
        "upkeep:jobs[0].affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: must list at least one value for operator In",
        "upkeep:jobs[0].affinity.podAffinity.bogus: is not a known key",
        `upkeep:jobs[0].serviceAccountAnnotations["bad key!"]: is not a valid key: it must be a name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
        'upkeep:jobs[0].serviceAccountAnnotations["eks.amazonaws.com/role-arn"]: must be an IAM role ARN like arn:aws:iam::<account>:role/<name> (got "arn:aws:iam::123:role/x")',
      ],
    );
  });
});

describe("databases[] knobs", () => {
  test("sslmode and sslRootCertSecret", () => {
    assert.deepEqual(problems((raw) => (raw.databases[0].sslmode = "required")), [
      'upkeep:databases[0].sslmode: must be one of disable, allow, prefer, require, verify-ca, verify-full (got "required")',
    ]);
    assert.deepEqual(problems((raw) => (raw.databases[0].sslmode = "verify-full")), [
      "upkeep:databases[0].sslRootCertSecret: is required with sslmode verify-full: the CA that signed the server's certificate",
    ]);
    assert.deepEqual(problems((raw) => Object.assign(raw.databases[0], { sslmode: "disable", sslRootCertSecret: "rds-ca" })), ["upkeep:databases[0].sslRootCertSecret: has no use with sslmode disable"]);
    assert.deepEqual(problems((raw) => (raw.databases[0].sslRootCertSecret = { name: "RDS" })), [
      `upkeep:databases[0].sslRootCertSecret.name: must be an RFC 1123 name: lower-case letters, digits and '-', starting and ending with a letter or digit (got "RDS")`,
    ]);
  });

  test("credentials: the password must be a Pulumi secret and is never echoed; exactly one of credentials or credentialsSecret", () => {
    const plain = problems((raw) => {
      delete raw.databases[0].credentialsSecret;
      raw.databases[0].credentials = { user: "maint", password: "hunter2" };
    });
    assert.deepEqual(plain, ["upkeep:databases[0].credentials.password: must be a secret; set it with: pulumi config set --secret --path 'upkeep:databases[0].credentials.password' …"]);
    assert.ok(!plain.join("\n").includes("hunter2"));
    const both = "upkeep:databases[0].credentialsSecret: set exactly one of credentialsSecret (an existing Secret with PGUSER and PGPASSWORD) or credentials (upkeep creates the Secret from Pulumi secrets)";
    assert.deepEqual(problems((raw) => (raw.databases[0].credentials = { user: "maint", password: "hunter2" }), { secretKeys: ["databases"] }), [both]);
    assert.deepEqual(problems((raw) => delete raw.databases[0].credentialsSecret), [both]);
    assert.deepEqual(problems((raw) => ((raw.databases[0].credentials = { user: "maint me", password: "" }), delete raw.databases[0].credentialsSecret), { secretKeys: ["databases"] }), [
      `upkeep:databases[0].credentials.user: must be a PostgreSQL role name of at most 63 letters, digits, '_', '.', '@' or '-' (got "maint me")`,
      "upkeep:databases[0].credentials.password: must not be empty",
    ]);
    const db = accepted((raw) => ((raw.databases[0].credentials = { user: "maint", password: "hunter2" }), delete raw.databases[0].credentialsSecret), ["databases"]).databases[0]!;
    assert.equal(db.credentialsSecret, "upkeep-orders-credentials", "the Secret upkeep creates, named for every consumer");
  });
});

describe("backups.dumps[] knobs", () => {
  test("scratchResources and ephemeralStorage", () => {
    assert.deepEqual(
      problems((raw) => {
        raw.kubernetes.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE";
        raw.backups.dumps = [
          {
            database: "orders",
            location: "s3://acme-db-dumps/prod/orders/",
            maxAgeHours: 26,
            scratchResources: { requests: { cpu: "half" }, limits: { disk: "1Gi" } },
            ephemeralStorage: { dump: "20 GB", restore: "500m" },
          },
        ];
      }),
      [
        'upkeep:backups.dumps[0].scratchResources.requests.cpu: must be a Kubernetes quantity such as 500m or 256Mi (got "half")',
        'upkeep:backups.dumps[0].scratchResources.limits.disk: is not a known key',
        'upkeep:backups.dumps[0].ephemeralStorage.dump: must be a storage size such as 512Mi or 20Gi (got "20 GB")',
        'upkeep:backups.dumps[0].ephemeralStorage.restore: must be a storage size such as 512Mi or 20Gi (got "500m")',
      ],
    );
  });
});
