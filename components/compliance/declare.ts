/**
 * A Config rule and the EventBridge rule that sends its NON_COMPLIANT
 * evaluations to the environment's `warning` topic: without it, a finding is
 * visible only to whoever opens the Config console.
 */
import { aws } from "../sdk";
import type * as pulumi from "@pulumi/pulumi";
import { routeEventsToTopic } from "../alerting";
import { nonCompliantPattern, type ManagedRule } from "./configRules";

export interface RuleContext {
  readonly environment: string;
  /** NotificationTopics.topicArns.warning. */
  readonly warningTopicArn: pulumi.Input<string>;
}

/** `<child>` (the Config rule) and `<child>-noncompliant` (its event rule and target), children of `parent`. */
export function declareConfigRule(
  child: string,
  rule: ManagedRule,
  ctx: RuleContext,
  parent: pulumi.Resource,
  opts: pulumi.CustomResourceOptions = {},
): aws.cfg.Rule {
  const config = new aws.cfg.Rule(child, rule.args, { ...opts, parent });
  routeEventsToTopic(
    `${child}-noncompliant`,
    {
      ruleName: `${rule.name}-noncompliant`,
      what: `NON_COMPLIANT evaluations of the AWS Config rule ${rule.name} (${rule.managedRule})`,
      environment: ctx.environment,
      pattern: nonCompliantPattern(rule.name),
      severity: "warning",
      topicArn: ctx.warningTopicArn,
    },
    parent,
  );
  return config;
}
