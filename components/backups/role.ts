/**
 * The role AWS Backup assumes to back up and restore (restore tests too).
 * It carries AWS-managed policies only, and no inline policy: AWS keeps them
 * current as services are added, and they grant nothing beyond backup and
 * restore. S3 needs its own pair of managed policies. They are always
 * attached: the selection is every resource (`*`) carrying the tags, so a
 * tagged bucket is picked up whatever restore testing covers, and without
 * them its backup fails.
 *
 * The trust names the service only. AWS does not document Backup passing
 * aws:SourceAccount when it assumes a role, and a condition it does not
 * satisfy would break every backup.
 */
const MANAGED = "arn:aws:iam::aws:policy/service-role";

export const BACKUP_MANAGED_POLICIES = Object.freeze({
  backup: `${MANAGED}/AWSBackupServiceRolePolicyForBackup`,
  restores: `${MANAGED}/AWSBackupServiceRolePolicyForRestores`,
});

export const S3_MANAGED_POLICIES = Object.freeze({
  "s3-backup": `${MANAGED}/AWSBackupServiceRolePolicyForS3Backup`,
  "s3-restore": `${MANAGED}/AWSBackupServiceRolePolicyForS3Restore`,
});

/** Managed policy ARNs by child-name suffix. */
export function backupRolePolicies(): Record<string, string> {
  return { ...BACKUP_MANAGED_POLICIES, ...S3_MANAGED_POLICIES };
}

export const BACKUP_TRUST_POLICY = Object.freeze({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "AllowBackupToAssume",
      Effect: "Allow",
      Principal: { Service: "backup.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
});
