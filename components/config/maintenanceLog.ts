/**
 * `upkeep:maintenanceLog`: where each window's report is kept, the
 * maintenance history. Without it the report still goes to the webhook and
 * the info topic; with it, `<date>-<window>.json` and `.md` are also written
 * under the prefix, by post-maintenance-verify with an IRSA role that may put
 * objects under that prefix only. It needs AWS (awsModeProblems refuses it on
 * Kubernetes only).
 */
import { z } from "zod";

export const maintenanceLogSchema = z
  .strictObject({
    location: z.string().refine((v) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?\/$/.test(v), {
      error: (iss) => `must be an s3://bucket/prefix/ ending in / (got ${JSON.stringify(iss.input)})`,
    })
    // The whole bucket: the writer role could then overwrite every object in it.
    .refine((v) => !/^s3:\/\/[^/]+\/$/.test(v), {
      error: (iss) => `must name a prefix under the bucket, such as ${String(iss.input)}upkeep/, not the whole bucket (got ${JSON.stringify(iss.input)})`,
    }),
    /**
     * An existing role post-maintenance-verify assumes (IRSA) to publish the
     * report: it needs sns:Publish on the info topic and s3:PutObject under
     * the prefix. Else upkeep creates one from kubernetes.oidcProviderArn that
     * may do exactly that.
     */
    roleArn: z
      .string()
      .refine((v) => /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(v), {
        error: (iss) => `must be an IAM role ARN like arn:aws:iam::<account>:role/<name> (got ${JSON.stringify(iss.input)})`,
      })
      .optional(),
  })
  .optional();
