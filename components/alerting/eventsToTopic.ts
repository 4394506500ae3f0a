/**
 * An EventBridge rule whose matching events go straight to one of the
 * environment's severity topics: how AWS-side failures (rotation, backups,
 * certificate expiry) reach the same people as the cluster's alerts.
 */
import { aws } from "../sdk";
import type * as pulumi from "@pulumi/pulumi";
import type { Severity } from "../config";

export interface EventsToTopic {
  /** The rule's AWS name, e.g. `upkeep-prod-secret-rotation-failed`. */
  readonly ruleName: string;
  /** What the events are, e.g. "Secrets Manager rotation failures". */
  readonly what: string;
  readonly environment: string;
  readonly pattern: object;
  readonly severity: Severity;
  readonly topicArn: pulumi.Input<string>;
}

export function eventRuleArgs(e: EventsToTopic): aws.cloudwatch.EventRuleArgs {
  return {
    name: e.ruleName,
    description: `${e.what}, to the upkeep ${e.environment} ${e.severity} topic`,
    eventPattern: JSON.stringify(e.pattern),
  };
}

/** The rule `<name>` and its target `<name>-<severity>`, children of `parent`. */
export function routeEventsToTopic(name: string, e: EventsToTopic, parent: pulumi.Resource): aws.cloudwatch.EventRule {
  const rule = new aws.cloudwatch.EventRule(name, eventRuleArgs(e), { parent });
  new aws.cloudwatch.EventTarget(`${name}-${e.severity}`, { rule: rule.name, arn: e.topicArn, targetId: `upkeep-${e.severity}-topic` }, { parent });
  return rule;
}
