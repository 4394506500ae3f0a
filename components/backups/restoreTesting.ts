/**
 * Restore testing: on its cadence, AWS Backup restores the latest recovery
 * point (within `selectionWindowDays`) of each tagged resource of the listed
 * types from upkeep's vault, keeps it for `validationWindowHours`, then
 * deletes it. A failed restore raises a Restore Job State Change event.
 *
 * Restore testing names take letters, digits and `_` only, so the
 * environment's `-` become `_`.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { tagConditions } from "./plan";
import type { RestoreTestingTiming } from "./schedule";
import type { AwsBackupResourceType, RestoreTestingConfig } from "./types";

const underscored = (text: string): string => text.replace(/[^A-Za-z0-9_]/g, "_");

export const restoreTestingPlanName = (environment: string): string => `upkeep_${underscored(environment)}_restore_testing`;
export const restoreTestingSelectionName = (type: AwsBackupResourceType): string => `upkeep_${type.toLowerCase()}`;

export function restoreTestingPlanArgs(
  environment: string,
  testing: Pick<RestoreTestingConfig, "selectionWindowDays">,
  vaultArn: pulumi.Input<string>,
  timing: RestoreTestingTiming,
): aws.backup.RestoreTestingPlanArgs {
  return {
    name: restoreTestingPlanName(environment),
    scheduleExpression: timing.scheduleExpression,
    scheduleExpressionTimezone: timing.scheduleExpressionTimezone,
    startWindowHours: timing.startWindowHours,
    recoveryPointSelection: {
      // The newest backup is the one a real recovery would use.
      algorithm: "LATEST_WITHIN_WINDOW",
      includeVaults: [vaultArn],
      recoveryPointTypes: ["SNAPSHOT"],
      selectionWindowDays: testing.selectionWindowDays,
    },
  };
}

export function restoreTestingSelectionArgs(
  restoreTestingPlanName: pulumi.Input<string>,
  type: AwsBackupResourceType,
  iamRoleArn: pulumi.Input<string>,
  tags: Readonly<Record<string, string>>,
  validationWindowHours: number,
): aws.backup.RestoreTestingSelectionArgs {
  return {
    name: restoreTestingSelectionName(type),
    restoreTestingPlanName,
    protectedResourceType: type,
    iamRoleArn,
    // Conditions apply only together with the wildcard, as in the backup selection.
    protectedResourceArns: ["*"],
    protectedResourceConditions: { stringEquals: tagConditions(tags) },
    validationWindowHours,
  };
}

