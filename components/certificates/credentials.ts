/**
 * CredentialRotation: Secrets Manager rotation inside the maintenance window,
 * and the checks that tell when rotation stops working.
 * - One SecretRotation per credential, its schedule from rotationWindow.ts
 *   (UTC, whole hours, inside the local window all year). `rotateImmediately`
 *   is false, so a deployment never rotates outside the window; Secrets
 *   Manager then only tests the rotation function (its testSecret step).
 * - Failed rotations arrive as CloudTrail service events (RotationFailed,
 *   RotationAbandoned, TestRotationFailed) and go to the `critical` topic: a
 *   credential that no longer rotates soon fails a compliance check, and a
 *   half-finished rotation can leave clients with a stale password.
 * - Two AWS Config managed rules: secretsmanager-secret-periodic-rotation
 *   and access-keys-rotated. They evaluate every secret and IAM user of the
 *   account, not only upkeep's, and need a configuration recorder in the
 *   account and region; upkeep assumes one exists.
 */
import { aws } from "../sdk";
import type { ExternalScheduleEntry } from "../calendar";
import * as pulumi from "@pulumi/pulumi";
import type { UpkeepConfig } from "../config";
import { routeEventsToTopic } from "../alerting";
import { rotationSchedule, type RotationWindowInput } from "./rotationWindow";

export type CredentialConfig = UpkeepConfig["credentials"][number];

/** CloudTrail service events of Secrets Manager's rotation, as EventBridge delivers them. */
export const ROTATION_FAILURE_EVENT_PATTERN = Object.freeze({
  source: ["aws.secretsmanager"],
  "detail-type": ["AWS Service Event via CloudTrail"],
  detail: {
    eventSource: ["secretsmanager.amazonaws.com"],
    eventName: ["RotationFailed", "RotationAbandoned", "TestRotationFailed"],
  },
});

export interface RotationContext {
  /** `upkeep:environment.window`. */
  readonly window: RotationWindowInput;
  /** `upkeep:environment.timezone`. */
  readonly timeZone: string;
  /** First year of the DST horizon, as for the task schedules. */
  readonly fromYear: number;
}

/** SecretRotation's `rotationRules`; throws RotationWindowError when the window cannot hold it. */
export function rotationRules(credential: Pick<CredentialConfig, "everyDays">, context: RotationContext): { scheduleExpression: string; duration: string } {
  const { scheduleExpression, duration } = rotationSchedule(context.window, context.timeZone, credential.everyDays, { fromYear: context.fromYear });
  return { scheduleExpression, duration };
}

/** Each rotation as a calendar entry: Secrets Manager runs it in UTC, inside the window. */
export function rotationCalendar(credentials: readonly CredentialConfig[], context: RotationContext): ExternalScheduleEntry[] {
  return credentials.map((c) => {
    const rules = rotationRules(c, context);
    return {
      id: `rotate-${c.name}`,
      kind: "rotation",
      title: `Rotate credential ${c.name}`,
      cadence: `at least every ${c.everyDays} days`,
      mechanism: `Secrets Manager rotation of ${c.secretId}`,
      expression: rules.scheduleExpression,
      timeZone: "UTC",
      durationMinutes: Number(rules.duration.replace(/h$/, "")) * 60,
      description: `${rules.scheduleExpression} UTC, a ${rules.duration} rotation window inside the maintenance window`,
    };
  });
}

/** The loosest credential sets the account-wide bound; each schedule is at least as tight as its own everyDays. */
export function periodicRotationRuleArgs(environment: string, credentials: readonly Pick<CredentialConfig, "everyDays">[]): aws.cfg.RuleArgs {
  const maxDays = Math.max(...credentials.map((c) => c.everyDays));
  return {
    name: `upkeep-${environment}-secretsmanager-secret-periodic-rotation`,
    description: `Secrets must have rotated within the last ${maxDays} days (upkeep ${environment}).`,
    source: { owner: "AWS", sourceIdentifier: "SECRETSMANAGER_SECRET_PERIODIC_ROTATION" },
    // Config takes every parameter value as a string.
    inputParameters: JSON.stringify({ maxDaysSinceRotation: String(maxDays) }),
    maximumExecutionFrequency: "TwentyFour_Hours",
  };
}

export function accessKeysRotatedRuleArgs(environment: string, maxAgeDays: number): aws.cfg.RuleArgs {
  return {
    name: `upkeep-${environment}-access-keys-rotated`,
    description: `IAM access keys must be younger than ${maxAgeDays} days (upkeep ${environment}).`,
    source: { owner: "AWS", sourceIdentifier: "ACCESS_KEYS_ROTATED" },
    inputParameters: JSON.stringify({ maxAccessKeyAge: String(maxAgeDays) }),
    maximumExecutionFrequency: "TwentyFour_Hours",
  };
}

export interface CredentialRotationArgs extends RotationContext {
  /** The environment name; rule names carry it. */
  readonly environment: string;
  /** `upkeep:credentials`. */
  readonly credentials: readonly CredentialConfig[];
  /** `upkeep:accessKeys.maxAgeDays`. */
  readonly accessKeysMaxAgeDays: number;
  /** NotificationTopics.topicArns: rotation failures go to `critical`. */
  readonly topicArns: { readonly critical: pulumi.Input<string> };
}

/** Secrets Manager rotation in the window, failure events and Config rules. Type token: upkeep:credentials:CredentialRotation. */
export class CredentialRotation extends pulumi.ComponentResource {
  constructor(name: string, args: CredentialRotationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:credentials:CredentialRotation", name, {}, opts);
    const env = args.environment;

    for (const credential of args.credentials) {
      new aws.secretsmanager.SecretRotation(
        `${name}-${credential.name}`,
        {
          secretId: credential.secretId,
          rotationLambdaArn: credential.rotationLambdaArn,
          rotationRules: rotationRules(credential, args),
          rotateImmediately: false,
        },
        { parent: this },
      );
    }

    if (args.credentials.length > 0) {
      routeEventsToTopic(
        `${name}-rotation-failed`,
        {
          ruleName: `upkeep-${env}-secret-rotation-failed`,
          what: "Secrets Manager rotation failures",
          environment: env,
          pattern: ROTATION_FAILURE_EVENT_PATTERN,
          severity: "critical",
          topicArn: args.topicArns.critical,
        },
        this,
      );
      new aws.cfg.Rule(`${name}-periodic-rotation`, periodicRotationRuleArgs(env, args.credentials), { parent: this });
    }
    new aws.cfg.Rule(`${name}-access-keys-rotated`, accessKeysRotatedRuleArgs(env, args.accessKeysMaxAgeDays), { parent: this });

    this.registerOutputs({});
  }
}
