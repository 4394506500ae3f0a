/**
 * How upkeep hears that a backup or restore went wrong, to the environment's
 * `critical` topic (a backup that completed with issues: `warning`):
 * - EventBridge rules on the job state events of upkeep's own vault and
 *   restore-testing plan only; a rule on the event type alone pages for every
 *   team's jobs in the account and region. Backup and copy job events carry
 *   `detail.state`; restore job events carry `detail.status` (AWS: "some
 *   events report status … others state"), and a rule matching `state` on
 *   restore events never fires. Every failure state is matched: FAILED,
 *   ABORTED, EXPIRED and PARTIAL backups, FAILED and PARTIAL copies, FAILED
 *   and ABORTED restores, and restore tests whose validation FAILED or
 *   TIMED_OUT.
 * - A CloudWatch alarm on the vault's failed backup jobs, which still works
 *   if the event rules are deleted or the bus is misrouted. (AWS/Backup
 *   counts restore jobs per account and resource type, not per vault, so an
 *   alarm on them would page for every team's restores; the event rule
 *   covers upkeep's.)
 * - A freshness alarm: a job that never runs (plan deleted, selection
 *   matching nothing) raises no failure at all, so alarm when no backup job
 *   completed in the vault within the recovery point objective, with missing
 *   data breaching (no data is exactly the failure case).
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Backup jobs into upkeep's vault that did not complete: failed, stopped, never started in time, or partly done. */
export function backupJobFailedPattern(vaultName: string): object {
  return {
    source: ["aws.backup"],
    "detail-type": ["Backup Job State Change"],
    detail: { backupVaultName: [vaultName], state: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] },
  };
}

/**
 * What the console shows as "Completed with issues": COMPLETED with a status
 * message (AWS: "monitor COMPLETED jobs that have a status message"), e.g. S3
 * objects that could not be backed up.
 */
export function backupJobCompletedWithIssuesPattern(vaultName: string): object {
  return {
    source: ["aws.backup"],
    "detail-type": ["Backup Job State Change"],
    detail: { backupVaultName: [vaultName], state: ["COMPLETED"], statusMessage: [{ "anything-but": [""] }] },
  };
}

/** Copies out of upkeep's vault (to the DR vault) that failed or completed only in part. */
export function copyJobFailedPattern(vaultArn: string): object {
  return {
    source: ["aws.backup"],
    "detail-type": ["Copy Job State Change"],
    detail: { sourceBackupVaultArn: [vaultArn], state: ["FAILED", "PARTIAL"] },
  };
}

/**
 * Restores that failed or were stopped, from upkeep's restore-testing plan
 * (its events carry `restoreTestingPlanArn`) or from upkeep's vault, and
 * restore tests whose validation FAILED or TIMED_OUT. Restore events use
 * `detail.status`, and `validationStatus` as DescribeRestoreJob names it.
 */
export function restoreJobFailedPattern(vaultArn: string, restoreTestingPlanArn?: string): object {
  const failed = ["FAILED", "ABORTED"];
  const fromVault = { backupVaultArn: [vaultArn], status: failed };
  return {
    source: ["aws.backup"],
    "detail-type": ["Restore Job State Change"],
    // EventBridge wants two or more branches in an $or.
    detail:
      restoreTestingPlanArn === undefined
        ? fromVault
        : {
            $or: [
              { restoreTestingPlanArn: [restoreTestingPlanArn], status: failed },
              { restoreTestingPlanArn: [restoreTestingPlanArn], validationStatus: ["FAILED", "TIMED_OUT"] },
              fromVault,
            ],
          },
  };
}

/** One day: a failure keeps the alarm in ALARM for a day, so it notifies once, not once per job. */
export const FAILURE_PERIOD_SECONDS = 86400;

export function failureAlarmArgs(
  name: string,
  metricName: "NumberOfBackupJobsFailed" | "NumberOfCopyJobsFailed",
  dimensions: Record<string, string> | undefined,
  topicArn: pulumi.Input<string>,
  description: string,
): aws.cloudwatch.MetricAlarmArgs {
  return {
    name,
    alarmDescription: description,
    namespace: "AWS/Backup",
    metricName,
    ...(dimensions !== undefined ? { dimensions } : {}),
    statistic: "Sum",
    period: FAILURE_PERIOD_SECONDS,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    // No data means no failed job.
    treatMissingData: "notBreaching",
    alarmActions: [topicArn],
    okActions: [topicArn],
  };
}

/** Hourly periods: the objective is rounded up to whole hours, not days. */
export const FRESHNESS_PERIOD_SECONDS = 3600;
/** CloudWatch: period × evaluationPeriods may not exceed 7 days (for periods of an hour or more). */
export const MAX_EVALUATION_SECONDS = 7 * 86400;

export interface FreshnessAlarm {
  readonly period: number;
  readonly evaluationPeriods: number;
}

/**
 * Periods covering the objective, plus one: CloudWatch aligns periods to the
 * clock and AWS Backup publishes with a delay, so the newest period may be
 * partial. Undefined when that exceeds CloudWatch's 7-day evaluation range
 * (weekly and longer cadences): such an alarm would fire between every two
 * good runs, and a false alarm every week teaches people to ignore it.
 */
export function freshnessEvaluation(rpoMinutes: number): FreshnessAlarm | undefined {
  const evaluationPeriods = Math.ceil((rpoMinutes * 60) / FRESHNESS_PERIOD_SECONDS) + 1;
  if (evaluationPeriods * FRESHNESS_PERIOD_SECONDS > MAX_EVALUATION_SECONDS) return undefined;
  return { period: FRESHNESS_PERIOD_SECONDS, evaluationPeriods };
}

export function freshnessAlarmArgs(
  name: string,
  vaultName: string,
  rpoMinutes: number,
  topicArn: pulumi.Input<string>,
): aws.cloudwatch.MetricAlarmArgs | undefined {
  const evaluation = freshnessEvaluation(rpoMinutes);
  if (evaluation === undefined) return undefined;
  return {
    name,
    alarmDescription: `No AWS Backup job completed in vault ${vaultName} within the recovery point objective of ${rpoMinutes} minutes.`,
    namespace: "AWS/Backup",
    metricName: "NumberOfBackupJobsCompleted",
    dimensions: { BackupVaultName: vaultName },
    statistic: "Sum",
    period: evaluation.period,
    evaluationPeriods: evaluation.evaluationPeriods,
    // Every period must be empty: one completed job anywhere in the range is fresh enough.
    datapointsToAlarm: evaluation.evaluationPeriods,
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    treatMissingData: "breaching",
    alarmActions: [topicArn],
    okActions: [topicArn],
  };
}
