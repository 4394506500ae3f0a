/**
 * Kubernetes label maps the user adds to upkeep's objects (`upkeep:alerting.ruleLabels`),
 * and the API server's rules for label keys and values, which the pod's maps
 * (pod.ts) share. Kubernetes refuses a bad key or value at apply time, after
 * other objects were already changed, so they are checked here.
 */
import { z } from "zod";

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Prefixes of the labels upkeep sets itself: a user value would be overwritten or would break selectors. */
export const RESERVED_LABEL_PREFIXES = ["app.kubernetes.io/", "upkeep.dev/"] as const;

/** Which part of a `[prefix/]name` key (label or annotation) the API server refuses, or undefined. */
export function qualifiedKeyFault(key: string): "prefix" | "name" | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return "prefix";
  if (name.length > 63 || !NAME.test(name)) return "name";
  return undefined;
}

/** A label value as the API server accepts it: empty, or a name of at most 63 characters. */
export const isLabelValue = (value: string): boolean => value === "" || (value.length <= 63 && NAME.test(value));

/** The prefix of a label upkeep sets itself that `key` falls under, or undefined. */
export const reservedLabelPrefix = (key: string): string | undefined => RESERVED_LABEL_PREFIXES.find((p) => key.startsWith(p));

/** Why a label key is not one Kubernetes accepts, or undefined. */
function labelKeyProblem(key: string): string | undefined {
  const fault = qualifiedKeyFault(key);
  if (fault === "prefix") return "has a prefix that is not a DNS subdomain";
  if (fault === "name") {
    return "must be a label name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/'";
  }
  return undefined;
}

/** Why a label value is not one Kubernetes accepts, or undefined. */
function labelValueProblem(value: string): string | undefined {
  return isLabelValue(value) ? undefined : "must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}

/** A map of label keys to values, every problem reported against the map's path with the key named. */
export const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const reserved = reservedLabelPrefix(key);
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
