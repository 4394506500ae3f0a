/**
 * The one schema for an environment's config. Types are inferred from it, it
 * is checked once, at the boundary, and every problem is reported at once
 * with the full `upkeep:` key path.
 */
import { z } from "zod";
import {
  boundedInt,
  cadence,
  cronExpression,
  databaseName,
  email,
  hhmm,
  hostname,
  httpsUrl,
  ianaZone,
  imageReference,
  qualifiedTable,
  rfc1123Name,
  sqlIdentifier,
  TIERS,
  weekday,
} from "./validators";
import { formatIssues, type ConfigProblem } from "./configErrors";
import { ROUTINE_IDS } from "./routine/catalog";

export const DEFAULT_POSTGRES_IMAGE = "docker.io/library/postgres:15.10-alpine";
export const DEFAULT_NAMESPACE = "upkeep-maintenance";
export const DEFAULT_RUNBOOK_BASE = "docs/runbooks";

/** Default slot length per database task, in minutes. */
export const DATABASE_TASK_DEFAULTS = Object.freeze({
  vacuum: { cadence: "daily", durationMinutes: 30 },
  reindex: { cadence: "monthly", durationMinutes: 60 },
  cleanup: { cadence: "weekly", durationMinutes: 30 },
} as const);

const unique = <T>(items: readonly T[]): boolean => new Set(items).size === items.length;

const windowSchema = z.strictObject({
  days: z
    .array(weekday)
    .min(1, { error: "must name at least one day" })
    .refine(unique, { error: (iss) => `must not repeat a day (got ${JSON.stringify(iss.input)})` }),
  start: hhmm,
  durationMinutes: boundedInt(15, 720),
});

const environmentSchema = z.strictObject({
  name: rfc1123Name(),
  tier: z.enum(TIERS),
  timezone: ianaZone,
  paused: z.boolean().default(false),
  window: windowSchema,
});

const kubernetesSchema = z
  .strictObject({
    namespace: rfc1123Name().default(DEFAULT_NAMESPACE),
    postgresImage: imageReference.default(DEFAULT_POSTGRES_IMAGE),
    /** The cluster's IAM OIDC provider, for the IRSA roles upkeep creates. */
    oidcProviderArn: z
      .string()
      .refine((v) => /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/.test(v), {
        error: (iss) => `must be an IAM OIDC provider ARN like arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id> (got ${JSON.stringify(iss.input)})`,
      })
      .optional(),
  })
  .default({ namespace: DEFAULT_NAMESPACE, postgresImage: DEFAULT_POSTGRES_IMAGE });

/**
 * The offline plan cannot decrypt `secure:` values and passes this instead;
 * secret fields accept it so that a plan of a real stack file still runs.
 */
export const REDACTED = "[secret]";

const webhookUrl = z.string().refine((v) => v === REDACTED || /^https:\/\/[^\s]+$/.test(v), {
  // The value is a secret: never echo it.
  error: "must be an https:// URL",
});

const kmsKeyArn = z.string().refine((v) => /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/.test(v), {
  error: (iss) => `must be a KMS key or alias ARN (got ${JSON.stringify(iss.input)})`,
});

const notifySchema = z
  .strictObject({
    emails: z.array(email).default([]),
    webhookUrl: webhookUrl.optional(),
    stakeholderEmails: z.array(email).default([]),
    noticeHours: boundedInt(1, 168).default(24),
    kmsKeyArn: kmsKeyArn.optional(),
  })
  .default({ emails: [], stakeholderEmails: [], noticeHours: 24 });

const reviewsSchema = z
  .strictObject({
    at: hhmm.default("09:30"),
    overrides: z
      .array(
        z.strictObject({
          task: z.string().refine((v) => ROUTINE_IDS.includes(v), {
            error: (iss) => `is not a routine task (got ${JSON.stringify(iss.input)}); known tasks: ${ROUTINE_IDS.join(", ")}`,
          }),
          cadence: cadence.optional(),
          enabled: z.boolean().default(true),
        }),
      )
      .default([]),
  })
  .default({ at: "09:30", overrides: [] });

const endpointSchema = z.strictObject({
  // https only: the daily TLS check needs a certificate to look at.
  url: z.string().refine((v) => /^https:\/\/[^\s/|]+(\/[^\s|]*)?$/.test(v), {
    error: (iss) => `must be an https:// URL (got ${JSON.stringify(iss.input)})`,
  }),
  expectStatus: boundedInt(100, 599).default(200),
  maxLatencyMs: boundedInt(50, 60000).default(2000),
  tlsMinDays: boundedInt(1, 365).default(21),
});

/** A Go duration as cert-manager reads it: hours, minutes and seconds, e.g. 2160h or 1h30m. */
export function goDurationSeconds(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const goDuration = z.string().refine((v) => goDurationSeconds(v) !== undefined && goDurationSeconds(v)! > 0, {
  error: (iss) => `must be a duration such as 2160h or 1h30m (got ${JSON.stringify(iss.input)})`,
});

const arn = (service: string, resource: string) =>
  z.string().refine((v) => new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:${resource}`).test(v), {
    error: (iss) => `must be a ${service} ARN like arn:aws:${service}:<region>:<account>:${resource}… (got ${JSON.stringify(iss.input)})`,
  });

/** The default lifetime cert-manager gives a certificate, which renew-before must stay under. */
export const CERT_MANAGER_DEFAULT_DURATION = "2160h";

const kubernetesCertificateSchema = z
  .strictObject({
    name: rfc1123Name(),
    secretName: rfc1123Name(),
    dnsNames: z.array(hostname).min(1),
    issuer: z.strictObject({ kind: z.enum(["Issuer", "ClusterIssuer"]), name: rfc1123Name() }),
    duration: goDuration.optional(),
    renewBefore: goDuration.optional(),
    renewBeforePercentage: boundedInt(1, 99).optional(),
    renewInWindow: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.renewBefore !== undefined && c.renewBeforePercentage !== undefined) {
      ctx.addIssue({ code: "custom", path: ["renewBefore"], message: "set renewBefore or renewBeforePercentage, not both" });
    }
    const duration = goDurationSeconds(c.duration ?? CERT_MANAGER_DEFAULT_DURATION);
    const before = c.renewBefore !== undefined ? goDurationSeconds(c.renewBefore) : undefined;
    if (duration !== undefined && before !== undefined && before >= duration) {
      ctx.addIssue({
        code: "custom",
        path: ["renewBefore"],
        message: `must be shorter than the certificate's duration (${c.renewBefore} ≥ ${c.duration ?? `${CERT_MANAGER_DEFAULT_DURATION}, cert-manager's default`})`,
      });
    }
  });

const acmCertificateSchema = z.strictObject({
  name: rfc1123Name(),
  domainName: hostname,
  subjectAlternativeNames: z.array(hostname).default([]),
  hostedZoneId: z
    .string()
    .refine((v) => /^Z[A-Z0-9]{4,32}$/.test(v), { error: (iss) => `must be a Route53 hosted zone ID such as Z0123456789ABC (got ${JSON.stringify(iss.input)})` })
    .optional(),
});

const certificatesSchema = z
  .strictObject({
    kubernetes: z.array(kubernetesCertificateSchema).default([]),
    acm: z.array(acmCertificateSchema).default([]),
    expiryWarningDays: boundedInt(1, 90).default(21),
  })
  .default({ kubernetes: [], acm: [], expiryWarningDays: 21 });

const credentialSchema = z.strictObject({
  name: rfc1123Name(),
  secretId: arn("secretsmanager", "secret:"),
  rotationLambdaArn: arn("lambda", "function:"),
  everyDays: boundedInt(1, 1000),
});

const AWS_BACKUP_RESOURCE_TYPES = ["RDS", "Aurora", "EBS", "EFS", "S3", "DynamoDB", "EC2", "FSx", "DocumentDB", "Neptune"] as const;

const backupVaultLockSchema = z
  .strictObject({
    minRetentionDays: boundedInt(1, 36500),
    maxRetentionDays: boundedInt(1, 36500),
    // AWS: at least 3 days; once they pass, the lock can never be removed.
    changeableForDays: boundedInt(3, 36500).default(3),
  })
  .superRefine((l, ctx) => {
    if (l.maxRetentionDays < l.minRetentionDays) {
      ctx.addIssue({ code: "custom", path: ["maxRetentionDays"], message: `must be at least minRetentionDays (${l.minRetentionDays}, got ${l.maxRetentionDays})` });
    }
  });

const awsBackupSchema = z
  .strictObject({
    vaultName: z.string().refine((v) => /^[A-Za-z0-9_-]{2,50}$/.test(v), {
      error: (iss) => `must be 2–50 letters, digits, '-' or '_' (got ${JSON.stringify(iss.input)})`,
    }),
    kmsKeyArn: kmsKeyArn.optional(),
    schedule: cadence.default("daily"),
    retentionDays: boundedInt(1, 36500),
    coldStorageAfterDays: boundedInt(0, 36500).default(0),
    copyToVaultArn: arn("backup", "backup-vault:").optional(),
    selectionTags: z.record(z.string().min(1), z.string()).refine((t) => Object.keys(t).length > 0, { error: "must name at least one tag" }),
    vaultLock: backupVaultLockSchema.optional(),
    restoreTesting: z
      .strictObject({
        cadence: cadence,
        resourceTypes: z.array(z.enum(AWS_BACKUP_RESOURCE_TYPES)).min(1),
        validationWindowHours: boundedInt(1, 168).default(4),
        selectionWindowDays: boundedInt(1, 365).default(7),
      })
      .optional(),
  })
  .superRefine((b, ctx) => {
    // AWS requires 90 days in cold storage before deletion.
    if (b.coldStorageAfterDays > 0 && b.retentionDays < b.coldStorageAfterDays + 90) {
      ctx.addIssue({
        code: "custom",
        path: ["retentionDays"],
        message: `must be at least coldStorageAfterDays + 90 (${b.coldStorageAfterDays + 90}), as AWS keeps cold backups 90 days (got ${b.retentionDays})`,
      });
    }
    if (b.vaultLock && (b.retentionDays < b.vaultLock.minRetentionDays || b.retentionDays > b.vaultLock.maxRetentionDays)) {
      ctx.addIssue({
        code: "custom",
        path: ["retentionDays"],
        message: `must lie within the vault lock's ${b.vaultLock.minRetentionDays}–${b.vaultLock.maxRetentionDays} days (got ${b.retentionDays})`,
      });
    }
  });

const dumpCheckSchema = z.union([
  z.strictObject({ table: qualifiedTable, minRows: boundedInt(0, 2_000_000_000) }),
  z.strictObject({ sql: z.string().min(1).max(2000) }),
], { error: "must be { table, minRows } or { sql }" });

const dumpSchema = z.strictObject({
  database: rfc1123Name(),
  location: z.string().refine((v) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?\/$/.test(v), {
    error: (iss) => `must be an s3://bucket/prefix/ ending in / (got ${JSON.stringify(iss.input)})`,
  }),
  format: z.enum(["custom", "directory"]).default("custom"),
  maxAgeHours: boundedInt(1, 24 * 90),
  cadence: cadence.default("daily"),
  durationMinutes: boundedInt(5, 720).default(60),
  checks: z.array(dumpCheckSchema).default([]),
  roleArn: arn("iam", "role/").optional(),
});

const backupsSchema = z
  .strictObject({
    aws: awsBackupSchema.optional(),
    dumps: z.array(dumpSchema).default([]),
  })
  .default({ dumps: [] });

const accessKeysSchema = z.strictObject({ maxAgeDays: boundedInt(1, 365).default(90) }).default({ maxAgeDays: 90 });

const alertingSchema = z
  .strictObject({
    runbookBaseUrl: httpsUrl.default(DEFAULT_RUNBOOK_BASE),
    alertmanager: z.boolean().default(false),
  })
  .default({ runbookBaseUrl: DEFAULT_RUNBOOK_BASE, alertmanager: false });

/** `daily`, `off`, or `{ cadence, durationMinutes }`: one shape after parsing. */
function taskSetting(defaults: { cadence: string; durationMinutes: number }) {
  const shape = z.strictObject({
    cadence: z.enum(["daily", "weekly", "monthly", "quarterly", "off"]),
    durationMinutes: boundedInt(5, 720).default(defaults.durationMinutes),
  });
  return z.preprocess((v) => (typeof v === "string" ? { cadence: v } : v), shape).default({
    cadence: defaults.cadence as "daily",
    durationMinutes: defaults.durationMinutes,
  });
}

const cleanupTableSchema = z.strictObject({
  table: qualifiedTable,
  timestampColumn: sqlIdentifier,
  retentionDays: boundedInt(1, 36500),
  batchSize: boundedInt(100, 100000).default(5000),
});

const cleanupSchema = z.strictObject({
  cadence: cadence.default("weekly"),
  durationMinutes: boundedInt(5, 720).default(DATABASE_TASK_DEFAULTS.cleanup.durationMinutes),
  tables: z.array(cleanupTableSchema).min(1, { error: "must list at least one table" }),
});

const databaseSchema = z.strictObject({
  name: rfc1123Name(40, "so its task names fit the 52-character CronJob name limit"),
  host: hostname,
  port: boundedInt(1, 65535).default(5432),
  database: databaseName,
  credentialsSecret: rfc1123Name(),
  vacuum: taskSetting(DATABASE_TASK_DEFAULTS.vacuum),
  vacuumJobs: boundedInt(1, 16).default(2),
  reindex: taskSetting(DATABASE_TASK_DEFAULTS.reindex),
  cleanup: cleanupSchema.optional(),
});

const envVarName = z.string().refine((v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v), {
  error: (iss) => `must be an environment variable name (got ${JSON.stringify(iss.input)})`,
});

const quantity = z.string().refine((v) => /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(v), {
  error: (iss) => `must be a Kubernetes quantity such as 500m or 256Mi (got ${JSON.stringify(iss.input)})`,
});

const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
});

/** Plain env values land in the CronJob spec; names like these belong in secretEnv. */
const SECRET_LIKE_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;

const jobSchema = z
  .strictObject({
    name: rfc1123Name(52, "the CronJob name limit"),
    cadence: cadence.optional(),
    schedule: cronExpression.optional(),
    outsideWindow: z.boolean().default(false),
    durationMinutes: boundedInt(5, 720).default(30),
    image: imageReference,
    command: z.array(z.string()).min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(envVarName, z.string()).default({}),
    secretEnv: z
      .array(z.strictObject({ name: envVarName, secretName: rfc1123Name(), key: z.string().min(1) }))
      .default([]),
    runAsUser: boundedInt(1, 2147483647).optional(),
    resources: resourcesSchema.optional(),
  })
  .superRefine((job, ctx) => {
    if ((job.cadence === undefined) === (job.schedule === undefined)) {
      ctx.addIssue({ code: "custom", path: ["cadence"], message: "set exactly one of cadence or schedule" });
    }
    if (job.outsideWindow && job.schedule === undefined) {
      ctx.addIssue({ code: "custom", path: ["outsideWindow"], message: "only applies to a custom schedule; a cadence always runs inside the window" });
    }
    for (const name of Object.keys(job.env)) {
      if (SECRET_LIKE_NAME.test(name)) {
        ctx.addIssue({
          code: "custom",
          path: ["env", name],
          message: "looks like a secret, and env values are plain text in the CronJob; pass it with secretEnv from an existing Kubernetes Secret",
        });
      }
    }
    if ((job.cadence === "monthly" || job.cadence === "quarterly") && job.command === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["command"],
        message: `is required for a ${job.cadence} job: upkeep wraps it in its once-per-period guard, which replaces the image's entrypoint`,
      });
    }
  });

/** Names of the tasks upkeep adds when endpoints are configured. */
const RESERVED_TASK_NAMES = ["post-maintenance-verify", "tls-check"];

export const upkeepSchema = z
  .strictObject({
    environment: environmentSchema,
    kubernetes: kubernetesSchema,
    kubeconfig: z.string().min(1, { error: "must not be empty" }).optional(),
    notify: notifySchema,
    alerting: alertingSchema,
    reviews: reviewsSchema,
    endpoints: z.array(endpointSchema).max(50).default([]),
    certificates: certificatesSchema,
    credentials: z.array(credentialSchema).default([]),
    accessKeys: accessKeysSchema,
    backups: backupsSchema,
    databases: z.array(databaseSchema).default([]),
    jobs: z.array(jobSchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, string>();
    const claim = (id: string, path: (string | number)[], label: string) => {
      const first = seen.get(id);
      if (first) ctx.addIssue({ code: "custom", path, message: `${label} "${id}" is already used by ${first}` });
      else seen.set(id, formatPath(path));
    };
    cfg.databases.forEach((db, i) => {
      claim(db.name, ["databases", i, "name"], "name");
      const tables = new Set<string>();
      db.cleanup?.tables.forEach((t, j) => {
        if (tables.has(t.table)) {
          ctx.addIssue({ code: "custom", path: ["databases", i, "cleanup", "tables", j, "table"], message: `lists ${t.table} twice` });
        }
        tables.add(t.table);
      });
    });
    // Lookups by name keep validation linear in the number of jobs and databases.
    const databaseNames = new Set(cfg.databases.map((db) => db.name));
    const databaseTaskIds = new Map<string, { owner: number; task: string }>();
    cfg.databases.forEach((db, owner) => {
      for (const task of ["vacuum", "reindex", "cleanup"]) if (!databaseTaskIds.has(`${db.name}-${task}`)) databaseTaskIds.set(`${db.name}-${task}`, { owner, task });
    });
    cfg.backups.dumps.forEach((dump, i) => {
      if (dump.roleArn === undefined && cfg.kubernetes.oidcProviderArn === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["backups", "dumps", i, "roleArn"],
          message: "is required unless upkeep:kubernetes.oidcProviderArn is set, from which upkeep creates a role that may read only this prefix",
        });
      }
      if (!databaseNames.has(dump.database)) {
        ctx.addIssue({
          code: "custom",
          path: ["backups", "dumps", i, "database"],
          message: `names no database in upkeep:databases (got ${JSON.stringify(dump.database)}; known: ${cfg.databases.map((d) => d.name).join(", ") || "none"})`,
        });
      }
    });
    if (cfg.environment.tier === "production" && cfg.backups.aws && !cfg.backups.aws.restoreTesting) {
      ctx.addIssue({
        code: "custom",
        path: ["backups", "aws", "restoreTesting"],
        message: "is required in production: a backup counts only once a restore has proved it, at least quarterly",
      });
    }
    cfg.jobs.forEach((job, i) => {
      const clash = databaseTaskIds.get(job.name);
      if (clash) {
        ctx.addIssue({ code: "custom", path: ["jobs", i, "name"], message: `"${job.name}" clashes with the ${clash.task} task of upkeep:databases[${clash.owner}]` });
      }
      if (RESERVED_TASK_NAMES.includes(job.name)) {
        ctx.addIssue({ code: "custom", path: ["jobs", i, "name"], message: `"${job.name}" is reserved for a check upkeep runs itself` });
      }
      claim(job.name, ["jobs", i, "name"], "name");
    });
  });

/** The validated config; `awsRegion` is Pulumi's `aws:region`, which the explicit AWS provider needs. */
export type UpkeepConfig = z.output<typeof upkeepSchema> & { readonly awsRegion?: string };
export type EnvironmentConfig = UpkeepConfig["environment"];
export type WindowConfig = EnvironmentConfig["window"];
export type DatabaseConfig = UpkeepConfig["databases"][number];
export type JobConfig = UpkeepConfig["jobs"][number];
export type CleanupTableConfig = NonNullable<DatabaseConfig["cleanup"]>["tables"][number];

/** Config keys whose values must be Pulumi secrets. */
export const SECRET_KEYS = ["kubeconfig"] as const;

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.reason}`).join("\n"));
    this.name = "ConfigError";
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "upkeep";
  path.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else out += i === 0 ? `:${String(part)}` : `.${String(part)}`;
  });
  return out;
}

/**
 * Validates raw config (key without the `upkeep:` prefix → parsed JSON value).
 * `secretKeys` are the keys Pulumi holds as secrets.
 */
export function parseConfig(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
  awsRegion?: string,
): UpkeepConfig {
  const problems: ConfigProblem[] = [];
  if (awsRegion !== undefined && !/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(awsRegion)) {
    problems.push({ path: "aws:region", reason: `must be an AWS region such as eu-central-1 (got ${JSON.stringify(awsRegion)})` });
  }
  for (const key of SECRET_KEYS) {
    if (raw[key] !== undefined && !secretKeys.has(key)) {
      problems.push({
        path: formatPath([key]),
        reason: `must be a secret; set it with: pulumi config set --secret upkeep:${key} …`,
      });
    }
  }
  const notify = raw.notify;
  if (notify && typeof notify === "object" && "webhookUrl" in notify && !secretKeys.has("notify")) {
    problems.push({
      path: formatPath(["notify", "webhookUrl"]),
      reason: "must be a secret; set it with: pulumi config set --secret --path 'upkeep:notify.webhookUrl' …",
    });
  }
  const result = upkeepSchema.safeParse(raw, { reportInput: true });
  if (!result.success) problems.push(...formatIssues(result.error.issues, formatPath));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze({ ...result.data, ...(awsRegion !== undefined ? { awsRegion } : {}) });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
