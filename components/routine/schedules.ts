/**
 * EventBridge Scheduler schedules that publish the routine's daily digests
 * (to the platform team's `warning` topic) and the stakeholder notices (to
 * the `info` topic). The expressions and messages come from the pure
 * builders in `./digest` and `./reminders`; this component only turns each
 * into a Schedule.
 */
import { aws } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { eventRuleName } from "../alerting";
import type { RoutineDigest } from "./digest";
import type { StakeholderNotice } from "./reminders";

/** Fields may be Outputs themselves, as `NotificationTopics.topicArns` are. */
export interface RoutineTopicArns {
  readonly critical: pulumi.Input<string>;
  readonly warning: pulumi.Input<string>;
  readonly info: pulumi.Input<string>;
}

export interface RoutineSchedulesArgs {
  /** Environment name; part of every schedule's name. */
  readonly environment: string;
  /** A change freeze: every digest and notice is created `DISABLED`. */
  readonly paused: boolean;
  /** IANA zone the expressions are evaluated in (`environment.timezone`). */
  readonly timeZone: string;
  /** From `routineDigests(config)`. */
  readonly digests: readonly RoutineDigest[];
  /** From `stakeholderNotices(config, tasks, horizon)`. */
  readonly notices: readonly StakeholderNotice[];
  readonly topicArns: pulumi.Input<RoutineTopicArns>;
  /** A role Scheduler assumes; it needs `sns:Publish` on the warning and info topics (and the topics' KMS key, if any). */
  readonly schedulerRoleArn: pulumi.Input<string>;
}

/** Scheduler names have EventBridge rules' 64-character limit, and are shortened the same way. */
export const scheduleName = (full: string): string => eventRuleName(full);

/** The key of each digest schedule: one per expression (a Monday other than the first needs four). */
export function digestScheduleKeys(digest: RoutineDigest): string[] {
  return digest.expressions.length === 1 ? [`digest-${digest.kind}`] : digest.expressions.map((e) => `digest-${digest.kind}-${/#(\d)/.exec(e)![1]}`);
}

/** Type token: upkeep:routine:RoutineSchedules. */
export class RoutineSchedules extends pulumi.ComponentResource {
  /** Schedule names, keyed by `digest-<kind>[-<n>]` and `notice-<days>`. */
  public readonly scheduleNames: Record<string, string>;

  constructor(name: string, args: RoutineSchedulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:routine:RoutineSchedules", name, {}, opts);
    const topics = pulumi.output(args.topicArns);
    const names: Record<string, string> = {};

    const schedule = (key: string, expression: string, topicArn: pulumi.Input<string>, message: string, description: string) => {
      const physicalName = scheduleName(`upkeep-${args.environment}-${key}`);
      names[key] = physicalName;
      new aws.scheduler.Schedule(
        `${name}-${key}`,
        {
          name: physicalName,
          description,
          scheduleExpression: expression,
          scheduleExpressionTimezone: args.timeZone,
          // Messages are for people: a fixed minute reads better than a spread-out one.
          flexibleTimeWindow: { mode: "OFF" },
          state: args.paused ? "DISABLED" : "ENABLED",
          target: { arn: topicArn, roleArn: args.schedulerRoleArn, input: message },
        },
        { parent: this },
      );
    };

    for (const d of args.digests) {
      digestScheduleKeys(d).forEach((key, i) =>
        schedule(key, d.expressions[i]!, topics.warning, d.message, `upkeep ${args.environment}: the routine checks due on ${d.kind} days, to the platform team`),
      );
    }
    for (const n of args.notices) {
      schedule(`notice-${n.key}`, n.expression, topics.info, n.message, `upkeep ${args.environment}: stakeholder notice before the ${n.windows.join(" and ")} maintenance window`);
    }

    this.scheduleNames = names;
    this.registerOutputs({ scheduleNames: names });
  }
}
