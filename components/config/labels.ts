/**
 * Kubernetes label maps the user adds to upkeep's objects (`upkeep:alerting.ruleLabels`).
 * Kubernetes refuses a bad key or value at apply time, after other objects
 * were already changed, so they are checked here with the API server's rules.
 */
import { z } from "zod";

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Prefixes of the labels upkeep sets itself: a user value would be overwritten or would break selectors. */
export const RESERVED_LABEL_PREFIXES = ["app.kubernetes.io/", "upkeep.dev/"] as const;

/** Why a label key is not one Kubernetes accepts, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return "has a prefix that is not a DNS subdomain";
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return "must be a label name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/'";
  }
  return undefined;
}

/** Why a label value is not one Kubernetes accepts, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !NAME.test(value)) return "must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  return undefined;
}

/** A map of label keys to values, every problem reported against the map's path with the key named. */
export const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const reserved = RESERVED_LABEL_PREFIXES.find((p) => key.startsWith(p));
    if (reserved) {
      ctx.addIssue({ code: "custom", message: `label ${JSON.stringify(key)}: upkeep sets the ${reserved} labels itself; choose another key` });
      continue;
    }
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) ctx.addIssue({ code: "custom", message: `label ${JSON.stringify(key)} ${keyProblem}` });
    const valueProblem = labelValueProblem(value);
    if (valueProblem) ctx.addIssue({ code: "custom", message: `label ${JSON.stringify(key)}: its value ${valueProblem} (got ${JSON.stringify(value)})` });
  }
});
