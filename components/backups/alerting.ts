/**
 * How upkeep hears that a backup or restore went wrong, all to the
 * environment's `critical` topic:
 * - EventBridge rules on the job state events. Backup and copy job events
 *   carry `detail.state`; restore job events carry `detail.status` (AWS:
 *   "some events report status … others state"), and a rule matching
 *   `state` on restore events never fires.
 * - CloudWatch alarms on the AWS/Backup failure counts, which still work if
 *   the event rules are deleted or the bus is misrouted.
 * - A freshness alarm: a job that never runs (plan deleted, selection
 *   matching nothing) raises no failure at all, so alarm when no backup job
 *   completed in the vault within the recovery point objective, with missing
 *   data breaching (no data is exactly the failure case).
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export const BACKUP_JOB_FAILED_PATTERN = Object.freeze({
  source: ["aws.backup"],
  "detail-type": ["Backup Job State Change"],
  detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
});

export const RESTORE_JOB_FAILED_PATTERN = Object.freeze({
  source: ["aws.backup"],
  "detail-type": ["Restore Job State Change"],
  detail: { status: ["FAILED"] },
});

export const COPY_JOB_FAILED_PATTERN = Object.freeze({
  source: ["aws.backup"],
  "detail-type": ["Copy Job State Change"],
  detail: { state: ["FAILED"] },
});

/** One day: a failure keeps the alarm in ALARM for a day, so it notifies once, not once per job. */
export const FAILURE_PERIOD_SECONDS = 86400;

export function failureAlarmArgs(
  name: string,
  metricName: "NumberOfBackupJobsFailed" | "NumberOfRestoreJobsFailed" | "NumberOfCopyJobsFailed",
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
