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
 *   half-finished rotation can leave clients with a stale password. The rule
 *   names the configured secrets (`detail.additionalEventData.SecretId`), so
 *   other teams' rotations never page this environment.
 * - With `upkeep:aws.configRules`, the AWS Config managed rule
 *   secretsmanager-secret-periodic-rotation once per credential, scoped to
 *   its secret and bounded by its own everyDays, its NON_COMPLIANT
 *   evaluations routed to `warning`. (access-keys-rotated evaluates every IAM
 *   user of the account: it is an account-wide rule, see compliance/.)
 */
import { aws } from "../sdk";
import type { ExternalScheduleEntry } from "../calendar";
import * as pulumi from "@pulumi/pulumi";
import type { UpkeepConfig } from "../config";
import { routeEventsToTopic } from "../alerting";
import { declareConfigRule, secretRotationRule } from "../compliance";
import { rotationSchedule, type RotationWindowInput } from "./rotationWindow";

export type CredentialConfig = UpkeepConfig["credentials"][number];

/**
 * CloudTrail service events of Secrets Manager's rotation, as EventBridge
 * delivers them, for the configured secrets only: CloudTrail puts the secret's
 * ARN in `detail.additionalEventData.SecretId`.
 */
export function rotationFailurePattern(secretArns: readonly string[]): object {
  return {
    source: ["aws.secretsmanager"],
    "detail-type": ["AWS Service Event via CloudTrail"],
    detail: {
      eventSource: ["secretsmanager.amazonaws.com"],
      eventName: ["RotationFailed", "RotationAbandoned", "TestRotationFailed"],
      additionalEventData: { SecretId: [...secretArns] },
    },
  };
}

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

export interface CredentialRotationArgs extends RotationContext {
  /** The environment name; rule names carry it. */
  readonly environment: string;
  /** `upkeep:credentials`. */
  readonly credentials: readonly CredentialConfig[];
  /** NotificationTopics.topicArns: rotation failures go to `critical`, Config findings to `warning`. */
  readonly topicArns: { readonly critical: pulumi.Input<string>; readonly warning: pulumi.Input<string> };
  /** `upkeep:aws.configRules`: one secretsmanager-secret-periodic-rotation per credential. */
  readonly configRules: boolean;
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
      if (args.configRules) {
        declareConfigRule(
          `${name}-${credential.name}-rotation-check`,
          secretRotationRule(env, credential.name, credential.secretId, credential.everyDays),
          { environment: env, warningTopicArn: args.topicArns.warning },
          this,
        );
      }
    }

    if (args.credentials.length > 0) {
      routeEventsToTopic(
        `${name}-rotation-failed`,
        {
          ruleName: `upkeep-${env}-secret-rotation-failed`,
          what: "Secrets Manager rotation failures of upkeep's credentials",
          environment: env,
          pattern: rotationFailurePattern(args.credentials.map((c) => c.secretId)),
          severity: "critical",
          topicArn: args.topicArns.critical,
        },
        this,
      );
    }

    this.registerOutputs({});
  }
}
