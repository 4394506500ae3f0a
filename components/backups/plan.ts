/**
 * The backup plan (one rule) and the selection of what it backs up.
 *
 * The selection matches resources carrying EVERY configured tag: tag
 * `conditions` are ANDed, whereas the older `selectionTags` list is ORed, so
 * `{ backup: "true", env: "prod" }` there would back up everything tagged
 * env=prod. Conditions need `resources: ["*"]` to apply to all resources.
 * Restore testing uses the same conditions, so it tests what is backed up.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Cadence } from "../schedule";
import type { BackupRuleTiming } from "./schedule";
import type { AwsBackupConfig } from "./types";

export interface TagCondition {
  readonly key: string;
  readonly value: string;
}

/** Tag equality conditions as AWS Backup reads them (`aws:ResourceTag/<key>`), sorted by key for a stable diff. */
export function tagConditions(tags: Readonly<Record<string, string>>): TagCondition[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key: `aws:ResourceTag/${key}`, value: tags[key]! }));
}

export const planName = (environment: string): string => `upkeep-${environment}-backup`;
export const ruleName = (environment: string, cadence: Cadence): string => `upkeep-${environment}-${cadence}`;
export const selectionName = (environment: string): string => `upkeep-${environment}-tagged`;

export function planArgs(
  environment: string,
  backup: Pick<AwsBackupConfig, "schedule" | "retentionDays" | "coldStorageAfterDays" | "copyToVaultArn">,
  targetVaultName: pulumi.Input<string>,
  timing: BackupRuleTiming,
): aws.backup.PlanArgs {
  // The config check guarantees retentionDays >= coldStorageAfterDays + 90 when cold storage is on.
  const lifecycle = {
    deleteAfter: backup.retentionDays,
    ...(backup.coldStorageAfterDays > 0 ? { coldStorageAfter: backup.coldStorageAfterDays } : {}),
  };
  return {
    name: planName(environment),
    rules: [
      {
        ruleName: ruleName(environment, backup.schedule),
        targetVaultName,
        schedule: timing.schedule,
        scheduleExpressionTimezone: timing.scheduleExpressionTimezone,
        startWindow: timing.startWindow,
        completionWindow: timing.completionWindow,
        lifecycle,
        // The copy keeps the same lifecycle: a disaster-recovery copy that expires sooner protects less.
        ...(backup.copyToVaultArn !== undefined ? { copyActions: [{ destinationVaultArn: backup.copyToVaultArn, lifecycle }] } : {}),
      },
    ],
  };
}

export function selectionArgs(
  environment: string,
  planId: aws.backup.SelectionArgs["planId"],
  iamRoleArn: aws.backup.SelectionArgs["iamRoleArn"],
  tags: Readonly<Record<string, string>>,
): aws.backup.SelectionArgs {
  return {
    name: selectionName(environment),
    planId,
    iamRoleArn,
    resources: ["*"],
    conditions: [{ stringEquals: tagConditions(tags) }],
  };
}
