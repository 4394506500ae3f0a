/**
 * The pod-level knobs a real job needs: sizing, labels, extra volumes, where
 * it may run and how its image is pulled. Every one of them stays inside Pod
 * Security "restricted", which upkeep's namespace enforces: a volume type the
 * policy forbids (hostPath first of all) is refused here, by its key path,
 * rather than by the API server at the first run.
 */
import { z } from "zod";
import { isLabelValue, qualifiedKeyFault, reservedLabelPrefix } from "./labels";
import { iamRoleArnProblem, rfc1123Name } from "./validators";

const quote = (v: unknown): string => JSON.stringify(v);

export const quantity = z.string().refine((v) => /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(v), {
  error: (iss) => `must be a Kubernetes quantity such as 500m or 256Mi (got ${quote(iss.input)})`,
});

/** Bytes, not millibytes: what an emptyDir's sizeLimit and ephemeral-storage take. */
export const storageQuantity = z.string().refine((v) => /^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(v), {
  error: (iss) => `must be a storage size such as 512Mi or 20Gi (got ${quote(iss.input)})`,
});

export const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
});

/** A label or annotation key: `[prefix/]name`, as the API server checks it. */
function qualifiedNameProblem(key: string): string | undefined {
  const fault = qualifiedKeyFault(key);
  if (fault === "prefix") return "must have a DNS subdomain prefix before its '/'";
  if (fault === "name") return "must be a name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  return undefined;
}

/**
 * A map whose keys are label or annotation keys. Keys are checked here rather
 * than by a key schema, whose failure zod reports without the key's reason.
 */
function keyedBy<V extends z.ZodType>(value: V, extra?: (key: string) => string | undefined) {
  return z.record(z.string(), value).superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      const problem = qualifiedNameProblem(key);
      const reason = problem ? `is not a valid key: it ${problem}` : extra?.(key);
      if (reason) ctx.addIssue({ code: "custom", path: [key], message: reason });
    }
  });
}

const labelKey = z.string().superRefine((k, ctx) => {
  const problem = qualifiedNameProblem(k);
  if (problem) ctx.addIssue({ code: "custom", message: `is not a valid key: it ${problem} (got ${quote(k)})` });
});

export const labelValue = z.string().refine(isLabelValue, {
  error: (iss) => `must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got ${quote(iss.input)})`,
});

export const extraLabels = keyedBy(labelValue, (key) =>
  reservedLabelPrefix(key) !== undefined ? "is a label upkeep sets itself (app.kubernetes.io/* and upkeep.dev/*); its selectors and alerts rely on it" : undefined,
);

export const nodeSelector = keyedBy(labelValue);

const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

export const serviceAccountAnnotations = keyedBy(z.string()).superRefine((annotations, ctx) => {
  const role = annotations[IRSA_ANNOTATION];
  const problem = role !== undefined ? iamRoleArnProblem(role) : undefined;
  if (problem) ctx.addIssue({ code: "custom", path: [IRSA_ANNOTATION], message: problem });
});

export const imagePullSecrets = z
  .array(rfc1123Name(253, "a Secret name's limit"))
  .refine((names) => new Set(names).size === names.length, { error: (iss) => `must not name a Secret twice (got ${quote(iss.input)})` });

export const tolerationSchema = z
  .strictObject({
    key: labelKey.optional(),
    operator: z.enum(["Equal", "Exists"]).default("Equal"),
    value: labelValue.optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number().int().min(0).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.operator === "Exists" && t.value !== undefined) ctx.addIssue({ code: "custom", path: ["value"], message: "must be absent when operator is Exists" });
    if (t.operator === "Equal" && t.key === undefined) ctx.addIssue({ code: "custom", path: ["key"], message: "is required unless operator is Exists" });
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
      ctx.addIssue({ code: "custom", path: ["tolerationSeconds"], message: "only applies to effect NoExecute" });
    }
  });

/** Volume types Pod Security "restricted" allows; every other type is refused by the namespace. */
const RESTRICTED_VOLUME_TYPES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
/** The other volume types of the core API, named so that the error can say why they are refused. */
const OTHER_VOLUME_TYPES = new Set([
  "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk",
  "gitRepo", "glusterfs", "hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO",
  "storageos", "vsphereVolume",
]);

/** Names and paths upkeep's own mounts use (components/kubernetes/cronjob.ts). */
const RESERVED_VOLUME_NAMES = new Set(["tmp", "scripts"]);
const RESERVED_MOUNTS = ["/tmp", "/upkeep"];

const mountPath = z.string().superRefine((p, ctx) => {
  if (!p.startsWith("/") || p === "/" || p.split("/").includes("..") || /\s/.test(p)) {
    ctx.addIssue({ code: "custom", message: `must be an absolute path below / without '..' or spaces (got ${quote(p)})` });
  } else if (RESERVED_MOUNTS.some((r) => p === r || p.startsWith(`${r}/`))) {
    ctx.addIssue({ code: "custom", message: `must not be ${RESERVED_MOUNTS.join(" or ")} or below them: upkeep mounts its own volumes there (got ${quote(p)})` });
  }
});

const volumeFields = {
  name: rfc1123Name(),
  mountPath,
  readOnly: z.boolean().default(false),
  emptyDir: z.strictObject({ sizeLimit: storageQuantity.optional(), medium: z.enum(["Memory"]).optional() }).optional(),
  persistentVolumeClaim: z.strictObject({ claimName: rfc1123Name(253, "a claim name's limit"), readOnly: z.boolean().default(false) }).optional(),
};
const KNOWN_VOLUME_KEYS = new Set(Object.keys(volumeFields));

/**
 * One volume and where the job's container mounts it: `{ name, mountPath,
 * readOnly?, emptyDir | persistentVolumeClaim }`. Unknown keys are judged by
 * what they are: a volume type outside "restricted" is refused for that reason.
 */
export const volumeSchema = z
  .looseObject(volumeFields)
  .superRefine((v, ctx) => {
    for (const key of Object.keys(v).filter((k) => !KNOWN_VOLUME_KEYS.has(k))) {
      const message = OTHER_VOLUME_TYPES.has(key)
        ? `is refused: Pod Security "restricted", which upkeep's namespace enforces, forbids ${key} volumes; use emptyDir or persistentVolumeClaim`
        : RESTRICTED_VOLUME_TYPES.has(key)
          ? `volumes are not offered here: a job mounts emptyDir or persistentVolumeClaim volumes (Secrets reach it through secretEnv)`
          : "is not a known key";
      ctx.addIssue({ code: "custom", path: [key], message });
    }
    const refusedType = Object.keys(v).some((k) => !KNOWN_VOLUME_KEYS.has(k) && (OTHER_VOLUME_TYPES.has(k) || RESTRICTED_VOLUME_TYPES.has(k)));
    if (!refusedType && (v.emptyDir === undefined) === (v.persistentVolumeClaim === undefined)) {
      ctx.addIssue({ code: "custom", path: [], message: "must have exactly one of emptyDir or persistentVolumeClaim" });
    }
    if (RESERVED_VOLUME_NAMES.has(v.name)) ctx.addIssue({ code: "custom", path: ["name"], message: `${quote(v.name)} is the name of a volume upkeep mounts itself` });
  })
  .transform(({ name, mountPath: path, readOnly, emptyDir, persistentVolumeClaim }) => ({
    name,
    mountPath: path,
    readOnly,
    ...(emptyDir !== undefined ? { emptyDir } : {}),
    ...(persistentVolumeClaim !== undefined ? { persistentVolumeClaim } : {}),
  }));

export const volumesSchema = z.array(volumeSchema).superRefine((volumes, ctx) => {
  const names = new Set<string>();
  const paths = new Set<string>();
  volumes.forEach((v, i) => {
    if (names.has(v.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `${quote(v.name)} is already the name of another volume` });
    if (paths.has(v.mountPath)) ctx.addIssue({ code: "custom", path: [i, "mountPath"], message: `${quote(v.mountPath)} is already mounted by another volume` });
    names.add(v.name);
    paths.add(v.mountPath);
  });
});
