/**
 * AwsBackups: AWS Backup for an environment, and the proof that its backups
 * restore. A vault (kept and locked in production), one plan whose rule runs
 * in the maintenance window, a tag selection, restore tests on their own
 * cadence, and the alerts of alerting.ts to the `critical` topic. The pure
 * builders beside this file hold every decision; this file only wires them.
 */
import { aws } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import type { ExternalScheduleEntry } from "../calendar";
import { routeEventsToTopic } from "../alerting";
import { dstHorizon, type Cadence } from "../schedule";
import type { Tier } from "../config";
import {
  backupJobCompletedWithIssuesPattern,
  backupJobFailedPattern,
  copyJobFailedPattern,
  failureAlarmArgs,
  freshnessAlarmArgs,
  restoreJobFailedPattern,
} from "./alerting";
import { planArgs, selectionArgs } from "./plan";
import { restoreTestingPlanArgs, restoreTestingSelectionArgs } from "./restoreTesting";
import { BACKUP_TRUST_POLICY, backupRolePolicies } from "./role";
import { backupRpoMinutes, backupRule, restoreTestingSchedule, type BackupWindow } from "./schedule";
import type { AwsBackupConfig } from "./types";
import { vaultArgs, vaultLockArgs, vaultLockFor, vaultProtection } from "./vault";

export type { AwsBackupConfig } from "./types";

/** A scheduled AWS Backup activity, for calendar.json; `expression` is the AWS cron. */
export interface BackupScheduleEntry {
  readonly id: "aws-backup" | "aws-restore-test";
  readonly title: string;
  readonly cadence: Cadence;
  readonly expression: string;
  readonly timeZone: string;
  readonly durationMinutes: number;
}

export interface BackupScheduleInput {
  readonly timeZone: string;
  readonly window: BackupWindow;
  readonly backup: AwsBackupConfig;
  /** First year whose clock changes the schedule avoids (PlanOptions.fromYear). */
  readonly fromYear: number;
}

const describeTags = (tags: Readonly<Record<string, string>>): string =>
  Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(", ");

/** The backup and restore-test schedules, from the same builders the resources use. */
export function backupSchedules(input: BackupScheduleInput): BackupScheduleEntry[] {
  const { backup, timeZone, window } = input;
  const horizon = dstHorizon({ fromYear: input.fromYear });
  const rule = backupRule(window, timeZone, backup.schedule, horizon);
  const entries: BackupScheduleEntry[] = [
    {
      id: "aws-backup",
      title: `AWS Backup of resources tagged ${describeTags(backup.selectionTags)} to vault ${backup.vaultName}`,
      cadence: backup.schedule,
      expression: rule.schedule,
      timeZone,
      durationMinutes: rule.completionWindow,
    },
  ];
  const testing = backup.restoreTesting;
  if (testing !== undefined) {
    const timing = restoreTestingSchedule(window, timeZone, testing.cadence, horizon);
    entries.push({
      id: "aws-restore-test",
      title: `AWS Backup restore test (${testing.resourceTypes.join(", ")}) from vault ${backup.vaultName}`,
      cadence: testing.cadence,
      expression: timing.scheduleExpression,
      timeZone,
      durationMinutes: timing.startWindowHours * 60,
    });
  }
  return entries;
}

/** The backup and restore-test runs as calendar entries. */
export function backupCalendar(entries: readonly BackupScheduleEntry[], vaultName: string): ExternalScheduleEntry[] {
  return entries.map((e) => ({
    id: e.id,
    kind: e.id === "aws-backup" ? "backup" : "restore-test",
    title: e.title,
    cadence: e.cadence,
    mechanism: e.id === "aws-backup" ? `AWS Backup plan into vault ${vaultName}` : `AWS Backup restore testing from vault ${vaultName}`,
    expression: e.expression,
    timeZone: e.timeZone,
    durationMinutes: e.durationMinutes,
    description: `${e.expression} (${e.timeZone}), up to ${e.durationMinutes} minutes, inside the maintenance window`,
  }));
}

export interface AwsBackupsArgs extends BackupScheduleInput {
  /** The environment name; AWS names carry it. */
  readonly environment: string;
  /** Production keeps and locks the vault. */
  readonly tier: Tier;
  /** NotificationTopics.topicArns: failures go to `critical`, a backup completed with issues to `warning`. */
  readonly topicArns: { readonly critical: pulumi.Input<string>; readonly warning: pulumi.Input<string> };
}

/** AWS Backup with restore testing and alerts. Type token: upkeep:backups:AwsBackups. */
export class AwsBackups extends pulumi.ComponentResource {
  public readonly vaultArn: pulumi.Output<string>;
  public readonly planId: pulumi.Output<string>;
  /** Plain values for calendar.json, computed before any resource exists. */
  public readonly schedules: readonly BackupScheduleEntry[];

  constructor(name: string, args: AwsBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:backups:AwsBackups", name, {}, opts);
    const { backup, environment: env, timeZone, window } = args;
    const horizon = dstHorizon({ fromYear: args.fromYear });
    const critical = args.topicArns.critical;

    const protection = vaultProtection(args.tier);
    const vault = new aws.backup.Vault(`${name}-vault`, vaultArgs(backup), { parent: this, ...protection });
    const lock = vaultLockFor(args.tier, backup);
    if (lock !== undefined) {
      new aws.backup.VaultLockConfiguration(`${name}-vault-lock`, vaultLockArgs(vault.name, lock), { parent: this, ...protection });
    }

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `AWS Backup backs up and restores (and restore-tests) upkeep ${env} resources`,
        assumeRolePolicy: JSON.stringify(BACKUP_TRUST_POLICY),
      },
      { parent: this },
    );
    const attachments = Object.entries(backupRolePolicies()).map(
      ([suffix, policyArn]) => new aws.iam.RolePolicyAttachment(`${name}-role-${suffix}`, { role: role.id, policyArn }, { parent: this }),
    );

    const plan = new aws.backup.Plan(
      `${name}-plan`,
      planArgs(env, backup, vault.name, backupRule(window, timeZone, backup.schedule, horizon)),
      { parent: this },
    );
    // The role must hold its policies before AWS Backup first uses it.
    new aws.backup.Selection(`${name}-selection`, selectionArgs(env, plan.id, role.arn, backup.selectionTags), { parent: this, dependsOn: attachments });

    const testing = backup.restoreTesting;
    let restoreTestingPlanArn: pulumi.Output<string> | undefined;
    if (testing !== undefined) {
      const testPlan = new aws.backup.RestoreTestingPlan(
        `${name}-restore-testing`,
        restoreTestingPlanArgs(env, testing, vault.arn, restoreTestingSchedule(window, timeZone, testing.cadence, horizon)),
        { parent: this },
      );
      for (const type of testing.resourceTypes) {
        new aws.backup.RestoreTestingSelection(
          `${name}-restore-testing-${type.toLowerCase()}`,
          restoreTestingSelectionArgs(testPlan.name, type, role.arn, backup.selectionTags, testing.validationWindowHours),
          { parent: this, dependsOn: attachments },
        );
      }
      restoreTestingPlanArn = testPlan.arn;
    }

    const vaultName = backup.vaultName;
    const restorePattern = pulumi.all([vault.arn, restoreTestingPlanArn]).apply(([vaultArn, planArn]) => restoreJobFailedPattern(vaultArn, planArn));
    const events: { key: string; what: string; pattern: pulumi.Input<object>; severity: "critical" | "warning" }[] = [
      { key: "backup-job-failed", what: `AWS Backup jobs into ${vaultName} FAILED, ABORTED, EXPIRED or PARTIAL`, pattern: backupJobFailedPattern(vaultName), severity: "critical" },
      { key: "backup-job-completed-with-issues", what: `AWS Backup jobs into ${vaultName} COMPLETED with a status message`, pattern: backupJobCompletedWithIssuesPattern(vaultName), severity: "warning" },
      {
        key: "restore-job-failed",
        what: `AWS Backup restores from ${vaultName} or its restore tests FAILED, ABORTED, or failed validation`,
        pattern: restorePattern,
        severity: "critical",
      },
      ...(backup.copyToVaultArn !== undefined
        ? [{ key: "copy-job-failed", what: `AWS Backup copies from ${vaultName} FAILED or PARTIAL`, pattern: vault.arn.apply(copyJobFailedPattern), severity: "critical" as const }]
        : []),
    ];
    for (const e of events) {
      routeEventsToTopic(`${name}-${e.key}`, { ruleName: `upkeep-${env}-${e.key}`, what: e.what, environment: env, pattern: e.pattern, severity: e.severity, topicArn: args.topicArns[e.severity] }, this);
    }

    new aws.cloudwatch.MetricAlarm(
      `${name}-backup-jobs-failed`,
      failureAlarmArgs(
        `upkeep-${env}-backup-jobs-failed`,
        "NumberOfBackupJobsFailed",
        { BackupVaultName: backup.vaultName },
        critical,
        `An AWS Backup job for vault ${backup.vaultName} failed in the last day.`,
      ),
      { parent: this },
    );
    // No alarm on NumberOfRestoreJobsFailed: AWS/Backup counts restores per account and resource type, not per vault.
    const freshness = freshnessAlarmArgs(
      `upkeep-${env}-backup-freshness`,
      backup.vaultName,
      backupRpoMinutes(window, timeZone, backup.schedule, horizon),
      critical,
    );
    if (freshness !== undefined) new aws.cloudwatch.MetricAlarm(`${name}-backup-freshness`, freshness, { parent: this });

    this.vaultArn = vault.arn;
    this.planId = plan.id;
    this.schedules = backupSchedules(args);
    this.registerOutputs({ vaultArn: this.vaultArn, planId: this.planId, schedules: this.schedules });
  }
}
