/**
 * The policy pack's rules over the offline plan's recorded resources, so a
 * plan (and a fork's pull request, which has no credentials for
 * `pulumi preview`) fails on the same violations the pack reports.
 */
import { DEFAULT_PRODUCTION_STACKS, RESOURCE_RULES, STACK_RULES, type CheckedResource } from "../policy/policies";
import type { RecordedResource } from "./mockRuntime";

export interface PolicyCheckOptions {
  /** As the pack's `productionStacks` config; default ["prod"]. */
  readonly productionStacks?: readonly string[];
}

/** Every violation, one line each: `[policy-name] message`. Every rule is mandatory, so any line fails the plan. */
export function runPolicies(resources: readonly RecordedResource[], stack: string, options: PolicyCheckOptions = {}): string[] {
  const checked: CheckedResource[] = resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs, opts: r.options }));
  const context = { stack, productionStacks: options.productionStacks ?? DEFAULT_PRODUCTION_STACKS };
  const lines: string[] = [];
  for (const rule of RESOURCE_RULES) for (const r of checked) for (const m of rule.check(r)) lines.push(`[${rule.name}] ${m}`);
  for (const rule of STACK_RULES) for (const m of rule.check(checked, context)) lines.push(`[${rule.name}] ${m}`);
  return lines;
}
