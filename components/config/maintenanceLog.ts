/**
 * `upkeep:maintenanceLog`: where each window's report is kept, the
 * maintenance history. Without it the report still goes to the webhook and
 * the info topic; with it, `<date>-<window>.json` and `.md` are also written
 * under the prefix.
 */
import { z } from "zod";

export const maintenanceLogSchema = z
  .strictObject({
    location: z.string().refine((v) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?\/$/.test(v), {
      error: (iss) => `must be an s3://bucket/prefix/ ending in / (got ${JSON.stringify(iss.input)})`,
    }),
    /** An existing role the report's writer assumes (IRSA); else upkeep creates one limited to the prefix. */
    roleArn: z
      .string()
      .refine((v) => /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(v), {
        error: (iss) => `must be an IAM role ARN like arn:aws:iam::<account>:role/<name> (got ${JSON.stringify(iss.input)})`,
      })
      .optional(),
  })
  .optional();
