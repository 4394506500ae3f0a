/**
 * An EventBridge rule whose matching events go straight to one of the
 * environment's severity topics: how AWS-side failures (rotation, backups,
 * certificate expiry, Config compliance) reach the same people as the
 * cluster's alerts. Every pattern names upkeep's own resources: a rule on a
 * whole event type matches every team's events in the account and region.
 */
import { aws } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import type { Severity } from "../config";
import { shortHash } from "./topics";

export interface EventsToTopic {
  /** The rule's AWS name, e.g. `upkeep-prod-secret-rotation-failed`; shortened to 64 characters if longer. */
  readonly ruleName: string;
  /** What the events are, e.g. "Secrets Manager rotation failures". */
  readonly what: string;
  readonly environment: string;
  /** The pattern; an Output when it names resources by their ARN. */
  readonly pattern: pulumi.Input<object>;
  readonly severity: Severity;
  readonly topicArn: pulumi.Input<string>;
}

/**
 * EventBridge rule names (and Scheduler schedule names, routine/schedules.ts)
 * are at most 64 characters; longer ones keep a readable prefix and a hash of the whole.
 */
export function eventRuleName(full: string): string {
  if (full.length <= 64) return full;
  return `${full.slice(0, 55).replace(/[-_.]+$/, "")}-${shortHash(full)}`;
}

export function eventRuleArgs(e: EventsToTopic): aws.cloudwatch.EventRuleArgs {
  return {
    name: eventRuleName(e.ruleName),
    description: `${e.what}, to the upkeep ${e.environment} ${e.severity} topic`,
    eventPattern: pulumi.output(e.pattern).apply((p) => JSON.stringify(p)),
  };
}

/** The rule `<name>` and its target `<name>-<severity>`, children of `parent`. */
export function routeEventsToTopic(name: string, e: EventsToTopic, parent: pulumi.Resource): aws.cloudwatch.EventRule {
  const rule = new aws.cloudwatch.EventRule(name, eventRuleArgs(e), { parent });
  new aws.cloudwatch.EventTarget(`${name}-${e.severity}`, { rule: rule.name, arn: e.topicArn, targetId: `upkeep-${e.severity}-topic` }, { parent });
  return rule;
}
