/**
 * `upkeep:maintenanceLog`: where each window's report is kept, the
 * maintenance history. Without it the report still goes to the webhook and
 * the info topic; with it, `<date>-<window>.json` and `.md` are also written
 * under the prefix, by post-maintenance-verify with an IRSA role that may put
 * objects under that prefix only. It needs AWS (awsModeProblems refuses it on
 * Kubernetes only).
 */
import { z } from "zod";
import { iamRoleArn, s3Prefix } from "./validators";

export const maintenanceLogSchema = z
  .strictObject({
    // The whole bucket: the writer role could then overwrite every object in it.
    location: s3Prefix("upkeep/"),
    /**
     * An existing role post-maintenance-verify assumes (IRSA) to publish the
     * report: it needs sns:Publish on the info topic and s3:PutObject under
     * the prefix. Else upkeep creates one from kubernetes.oidcProviderArn that
     * may do exactly that.
     */
    roleArn: iamRoleArn.optional(),
  })
  .optional();
