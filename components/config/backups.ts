/** `upkeep:backups`: AWS Backup with restore testing, and dumps proved by restoring them. */
import { z } from "zod";
import { arn, boundedInt, cadence, kmsKeyArn, qualifiedTable, rfc1123Name } from "./validators";

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
  location: z
    .string()
    .refine((v) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?\/$/.test(v), {
      error: (iss) => `must be an s3://bucket/prefix/ ending in / (got ${JSON.stringify(iss.input)})`,
    })
    // The whole bucket: its newest object is anyone's, and the reader role would read all of it.
    .refine((v) => !/^s3:\/\/[^/]+\/$/.test(v), {
      error: (iss) => `must name a prefix under the bucket, such as ${String(iss.input)}orders/, not the whole bucket (got ${JSON.stringify(iss.input)})`,
    }),
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
});

export const backupsSchema = z
  .strictObject({
    aws: awsBackupSchema.optional(),
    dumps: z.array(dumpSchema).default([]),
  })
  .default({ dumps: [] });
