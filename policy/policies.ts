/**
 * upkeep's guardrails, as @pulumi/policy policies and as the pure checks
 * behind them. `pulumi preview --policy-pack policy` runs `policies` (see
 * index.ts); the offline plan runs the same rule tables over its recorded
 * resources (cli/policyCheck.ts), so the two cannot drift apart.
 */
import type {
  PolicyResource,
  Policies,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { checkAlerts } from "./alerts";
import { checkBackupVaults } from "./backup";
import { checkCronJobHardening } from "./cronjob";
import { checkIamWildcards } from "./iam";
import { DEFAULT_PRODUCTION_STACKS, stackOfUrn, type CheckedResource, type RuleContext } from "./resource";
import { checkPlainTextSecrets } from "./secrets";
import { checkScheduleInWindow } from "./window";

export { checkAlerts, REQUIRED_ALERTS } from "./alerts";
export { checkBackupVaults } from "./backup";
export { checkCronJobHardening } from "./cronjob";
export { checkIamWildcards } from "./iam";
export { DEFAULT_PRODUCTION_STACKS, REDACTED_SECRET, type CheckedResource, type RuleContext } from "./resource";
export { checkPlainTextSecrets } from "./secrets";
export { checkScheduleInWindow, OUTSIDE_WINDOW_ANNOTATION, parseWindowAnnotation, WINDOW_ANNOTATION } from "./window";

export interface ResourceRule {
  readonly name: string;
  readonly description: string;
  readonly check: (resource: CheckedResource) => string[];
}

export interface StackRule {
  readonly name: string;
  readonly description: string;
  readonly check: (resources: readonly CheckedResource[], context: RuleContext) => string[];
}

export const RESOURCE_RULES: readonly ResourceRule[] = [
  { name: "cronjob-hardened", description: "Every CronJob is hardened as upkeep's foundation defines it.", check: checkCronJobHardening },
  { name: "no-plaintext-secrets", description: "No input holds a secret in plain text.", check: checkPlainTextSecrets },
  { name: "iam-no-wildcard-actions", description: "IAM and topic policies allow no `*` or `service:*` action.", check: checkIamWildcards },
  {
    name: "schedule-inside-window",
    description: "Every CronJob runs inside the maintenance window unless it is marked outsideWindow.",
    check: checkScheduleInWindow,
  },
];

export const STACK_RULES: readonly StackRule[] = [
  { name: "cronjob-has-alerts", description: "Every CronJob has its missed, failed and running-too-long alerts.", check: (resources) => checkAlerts(resources) },
  {
    name: "production-backup-vaults-protected-and-locked",
    description: "In production stacks, every backup vault is protected and has a compliance-mode vault lock.",
    check: checkBackupVaults,
  },
];

/** Policy config: which stacks count as production (the engine gives policies no stack name, so it comes from URNs). */
export interface PackConfig {
  readonly productionStacks?: readonly string[];
}

const configSchema = {
  properties: { productionStacks: { type: "array" as const, items: { type: "string" as const }, default: [...DEFAULT_PRODUCTION_STACKS] } },
};

function fromEngine(r: ResourceValidationArgs | PolicyResource): CheckedResource {
  return { type: r.type, name: r.name, urn: r.urn, props: r.props, opts: r.opts };
}

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      for (const message of rule.check(fromEngine(args))) report(message);
    },
  };
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const resources = args.resources.map(fromEngine);
      const stack = resources.map((r) => stackOfUrn(r.urn)).find((s) => s !== undefined) ?? "";
      const productionStacks = args.getConfig<PackConfig>().productionStacks ?? DEFAULT_PRODUCTION_STACKS;
      for (const message of rule.check(resources, { stack, productionStacks })) report(message);
    },
  };
}

export const policies: Policies = [...RESOURCE_RULES.map(resourcePolicy), ...STACK_RULES.map(stackPolicy)];
