/**
 * EventBridge Scheduler schedules that publish the routine's reminders (to
 * the platform team's `warning` topic) and the stakeholder notices (to the
 * `info` topic). The expressions and messages come from the pure builders in
 * `./reminders`; this component only turns each into a Schedule.
 */
import { aws } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { RoutineReminder, StakeholderNotice } from "./reminders";

/** Fields may be Outputs themselves, as `NotificationTopics.topicArns` are. */
export interface RoutineTopicArns {
  readonly critical: pulumi.Input<string>;
  readonly warning: pulumi.Input<string>;
  readonly info: pulumi.Input<string>;
}

export interface RoutineSchedulesArgs {
  /** Environment name; part of every schedule's name. */
  readonly environment: string;
  /** A change freeze: every reminder and notice is created `DISABLED`. */
  readonly paused: boolean;
  /** IANA zone the expressions are evaluated in (`environment.timezone`). */
  readonly timeZone: string;
  /** From `routineReminders(config)`. */
  readonly reminders: readonly RoutineReminder[];
  /** From `stakeholderNotices(config, tasks)`. */
  readonly notices: readonly StakeholderNotice[];
  readonly topicArns: pulumi.Input<RoutineTopicArns>;
  /** A role Scheduler assumes; it needs `sns:Publish` on the warning and info topics (and the topics' KMS key, if any). */
  readonly schedulerRoleArn: pulumi.Input<string>;
}

/** Scheduler names are at most 64 characters; longer ones keep a readable prefix and a hash of the whole. */
export function scheduleName(full: string): string {
  if (full.length <= 64) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  return `${full.slice(0, 55).replace(/[-_.]+$/, "")}-${hash}`;
}

/** Type token: upkeep:routine:RoutineSchedules. */
export class RoutineSchedules extends pulumi.ComponentResource {
  /** Schedule names, keyed by `review-<task id>` and `notice-<day>`. */
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
          // Reminders are for people: a fixed minute reads better than a spread-out one.
          flexibleTimeWindow: { mode: "OFF" },
          state: args.paused ? "DISABLED" : "ENABLED",
          target: { arn: topicArn, roleArn: args.schedulerRoleArn, input: message },
        },
        { parent: this },
      );
    };

    for (const r of args.reminders) {
      schedule(`review-${r.id}`, r.expression, topics.warning, r.message, `upkeep ${args.environment}: ${r.cadence} reminder to the platform team: ${r.title}`);
    }
    for (const n of args.notices) {
      schedule(`notice-${n.day}`, n.expression, topics.info, n.message, `upkeep ${args.environment}: stakeholder notice before the ${n.day} maintenance window`);
    }

    this.scheduleNames = names;
    this.registerOutputs({ scheduleNames: names });
  }
}
