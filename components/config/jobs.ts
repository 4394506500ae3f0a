/** `upkeep:jobs`: custom maintenance jobs, run with upkeep's hardening. */
import { z } from "zod";
import { affinitySchema } from "./affinity";
import { extraLabels, imagePullSecrets, nodeSelector, resourcesSchema, serviceAccountAnnotations, storageQuantity, tolerationSchema, volumesSchema } from "./pod";
import { SEVERITIES } from "./tiers";
import { boundedInt, cadence, cronExpression, imageReference, rfc1123Name } from "./validators";

const envVarName = z.string().refine((v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v), {
  error: (iss) => `must be an environment variable name (got ${JSON.stringify(iss.input)})`,
});

/** Plain env values land in the CronJob spec; names like these belong in secretEnv. */
const SECRET_LIKE_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;

export const jobSchema = z
  .strictObject({
    name: rfc1123Name(52, "the CronJob name limit"),
    cadence: cadence.optional(),
    schedule: cronExpression.optional(),
    outsideWindow: z.boolean().default(false),
    durationMinutes: boundedInt(5, 720).default(30),
    image: imageReference,
    command: z.array(z.string()).min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(envVarName, z.string()).default({}),
    secretEnv: z
      .array(z.strictObject({ name: envVarName, secretName: rfc1123Name(), key: z.string().min(1) }))
      .default([]),
    runAsUser: boundedInt(1, 2147483647).optional(),
    resources: resourcesSchema.optional(),
    /** The severity of its three alerts; else the tier's. */
    severity: z.enum(SEVERITIES).optional(),
    /** On the CronJob, its Jobs and their pods, beside upkeep's own labels. */
    labels: extraLabels.default({}),
    /** Size of the writable /tmp (an emptyDir); else POD_DEFAULTS.tmpSizeLimit. */
    tmpSizeLimit: storageQuantity.optional(),
    volumes: volumesSchema.default([]),
    imagePullSecrets: imagePullSecrets.default([]),
    nodeSelector: nodeSelector.default({}),
    tolerations: z.array(tolerationSchema).default([]),
    affinity: affinitySchema.optional(),
    /** On the job's own ServiceAccount, e.g. `eks.amazonaws.com/role-arn` for IRSA. */
    serviceAccountAnnotations: serviceAccountAnnotations.default({}),
  })
  .superRefine((job, ctx) => {
    if ((job.cadence === undefined) === (job.schedule === undefined)) {
      ctx.addIssue({ code: "custom", path: ["cadence"], message: "set exactly one of cadence or schedule" });
    }
    if (job.outsideWindow && job.schedule === undefined) {
      ctx.addIssue({ code: "custom", path: ["outsideWindow"], message: "only applies to a custom schedule; a cadence always runs inside the window" });
    }
    for (const name of Object.keys(job.env)) {
      if (SECRET_LIKE_NAME.test(name)) {
        ctx.addIssue({
          code: "custom",
          path: ["env", name],
          message: "looks like a secret, and env values are plain text in the CronJob; pass it with secretEnv from an existing Kubernetes Secret",
        });
      }
    }
    if ((job.cadence === "monthly" || job.cadence === "quarterly") && job.command === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["command"],
        message: `is required for a ${job.cadence} job: upkeep wraps it in its once-per-period guard, which replaces the image's entrypoint`,
      });
    }
  });
