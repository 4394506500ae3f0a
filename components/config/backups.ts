/** `upkeep:backups`: AWS Backup with restore testing, and dumps proved by restoring them. */
import { z } from "zod";
import { resourcesSchema, storageQuantity } from "./pod";
import { arn, boundedInt, cadence, kmsKeyArn, qualifiedTable, rfc1123Name, s3Prefix } from "./validators";

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
  // The whole bucket: its newest object is anyone's, and the reader role would read all of it.
  location: s3Prefix("orders/"),
  format: z.enum(["custom", "directory"]).default("custom"),
  /**
   * Which objects under the prefix are dumps: a suffix (".dump") or a glob
   * ("orders-*.dump", * matching / too), on the key after the prefix; for the
   * directory format, on the dump directory's path. Defaults: every object but
   * checksum and signature files (custom), every directory holding a toc.dat
   * (directory).
   */
  match: z
    .string()
    .refine((v) => v.length >= 1 && v.length <= 200 && !/[\s\x00-\x1f\x7f]/.test(v), {
      error: (iss) => `must be a suffix such as ".dump" or a glob such as "orders-*.dump", without spaces (got ${JSON.stringify(iss.input)})`,
    })
    .optional(),
  maxAgeHours: boundedInt(1, 24 * 90),
  cadence: cadence.default("daily"),
  durationMinutes: boundedInt(5, 720).default(60),
  checks: z.array(dumpCheckSchema).default([]),
  roleArn: arn("iam", "role/").optional(),
  /** Requests and limits of the scratch PostgreSQL server; else POD_DEFAULTS'. */
  scratchResources: resourcesSchema.optional(),
  /**
   * Disk the pod may use on its node: `dump` for the downloaded dump, `restore`
   * for the scratch server's data. Each becomes an ephemeral-storage request
   * (the scheduler places the pod where it fits) and its emptyDir's sizeLimit
   * (the kubelet evicts the pod, not the node's other pods, beyond it).
   */
  ephemeralStorage: z.strictObject({ dump: storageQuantity.optional(), restore: storageQuantity.optional() }).optional(),
  /** The bucket's customer managed key: the reader role upkeep creates may decrypt with it, and only through S3. */
  kmsKeyArn: z
    .string()
    .refine((v) => /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(v), {
      error: (iss) => `must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<id>; an alias cannot name exactly one key in IAM (got ${JSON.stringify(iss.input)})`,
    })
    .optional(),
});

/**
 * `backups.aws: { none: "<why>" }`: a stack without AWS Backup says so, and
 * why, in its stack file. Production refuses a stack that says nothing.
 */
const awsBackupOptOutSchema = z.strictObject({
  none: z
    .string()
    .trim()
    .refine((why) => why.length >= 10, { error: (iss) => `must say in a sentence why this stack has no AWS Backup (got ${JSON.stringify(iss.input)})` }),
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Either shape, chosen by the `none` key, so that an error names the field of
 * the shape the user meant rather than zod's "invalid union".
 */
const awsBackupSetting = z.unknown().transform((value, ctx) => {
  if (!isObject(value)) {
    ctx.addIssue({
      code: "custom",
      message: `must be the AWS Backup settings, or { none: "<why this stack has none>" } (got ${JSON.stringify(value)})`,
      input: value,
    });
    return z.NEVER;
  }
  const parsed = "none" in value ? awsBackupOptOutSchema.safeParse(value, { reportInput: true }) : awsBackupSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return parsed.data;
});

type AwsBackupConfig = z.output<typeof awsBackupSchema>;

export interface BackupsConfig {
  /** AWS Backup, when the stack has it. */
  readonly aws?: AwsBackupConfig;
  /** Why the stack has no AWS Backup (`backups.aws.none`), when it says so. */
  readonly awsOptOut?: string;
  readonly dumps: z.output<typeof dumpSchema>[];
}

export const backupsSchema = z
  .strictObject({
    aws: awsBackupSetting.optional(),
    dumps: z.array(dumpSchema).default([]),
  })
  // Downstream, `backups.aws` is a vault to create or nothing; the opt-out's reason sits beside it.
  .transform(({ aws, dumps }): BackupsConfig => {
    if (aws === undefined) return { dumps };
    return "none" in aws ? { awsOptOut: aws.none, dumps } : { aws, dumps };
  })
  .default({ dumps: [] });
