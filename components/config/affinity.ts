/**
 * `jobs[].affinity`: the core API's Affinity, checked field by field, so a
 * misspelt operator names its key path here instead of failing at the first
 * run. Its shape is Kubernetes' own; nothing is renamed.
 */
import { z } from "zod";
import { boundedInt } from "./validators";

const key = z.string().min(1).max(316);

function requirement<const Ops extends readonly [string, ...string[]]>(operators: Ops) {
  return z
    .strictObject({ key, operator: z.enum(operators), values: z.array(z.string()).optional() })
    .superRefine((r, ctx) => {
      const values = r.values ?? [];
      if ((r.operator === "In" || r.operator === "NotIn") && values.length === 0) {
        ctx.addIssue({ code: "custom", path: ["values"], message: `must list at least one value for operator ${r.operator}` });
      }
      if ((r.operator === "Exists" || r.operator === "DoesNotExist") && values.length > 0) {
        ctx.addIssue({ code: "custom", path: ["values"], message: `must be empty for operator ${r.operator}` });
      }
      if ((r.operator === "Gt" || r.operator === "Lt") && (values.length !== 1 || !/^-?\d+$/.test(values[0]!))) {
        ctx.addIssue({ code: "custom", path: ["values"], message: `must be exactly one integer for operator ${r.operator}` });
      }
    });
}

const nodeSelectorTerm = z.strictObject({
  matchExpressions: z.array(requirement(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"])).optional(),
  matchFields: z.array(requirement(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"])).optional(),
});

const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(requirement(["In", "NotIn", "Exists", "DoesNotExist"])).optional(),
});

const podAffinityTerm = z.strictObject({
  labelSelector: labelSelector.optional(),
  namespaceSelector: labelSelector.optional(),
  namespaces: z.array(z.string().min(1)).optional(),
  topologyKey: key,
  matchLabelKeys: z.array(key).optional(),
  mismatchLabelKeys: z.array(key).optional(),
});

const weight = boundedInt(1, 100);

const podAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(z.strictObject({ weight, podAffinityTerm })).optional(),
});

export const affinitySchema = z.strictObject({
  nodeAffinity: z
    .strictObject({
      requiredDuringSchedulingIgnoredDuringExecution: z.strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm).min(1) }).optional(),
      preferredDuringSchedulingIgnoredDuringExecution: z.array(z.strictObject({ weight, preference: nodeSelectorTerm })).optional(),
    })
    .optional(),
  podAffinity: podAffinity.optional(),
  podAntiAffinity: podAffinity.optional(),
});
