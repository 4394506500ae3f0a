/** `upkeep:notify`: where alerts, reminders and notices go. */
import { z } from "zod";
import { REDACTED } from "./secrets";
import { boundedInt, email, kmsKeyArn } from "./validators";

const webhookUrl = z.string().refine((v) => v === REDACTED || /^https:\/\/[^\s]+$/.test(v), {
  // The value is a secret: never echo it.
  error: "must be an https:// URL",
});

/**
 * SNS encrypts with the key; CloudWatch alarms and EventBridge rules publish
 * only if the key's policy lets their service principals use it. The
 * AWS-managed key's policy cannot be changed, so with it every alarm and
 * event would be dropped without a trace.
 */
const topicKmsKeyArn = kmsKeyArn.refine((v) => !/:alias\/aws\/sns$/.test(v), {
  error:
    "must not be the AWS-managed key alias/aws/sns: its key policy cannot let CloudWatch alarms and EventBridge rules use it, so they could never publish to the topics; use a customer managed key, or notify.createKmsKey: true",
});

/** Alertmanager's API base, reachable from the namespace's pods; not a secret. */
const alertmanagerUrl = z.string().refine((v) => /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v) && !v.endsWith("/api/v2/alerts"), {
  error: (iss) => `must be the http(s) base URL of Alertmanager, such as http://alertmanager-operated.monitoring.svc:9093 (got ${JSON.stringify(iss.input)})`,
});

export const notifySchema = z
  .strictObject({
    emails: z.array(email).default([]),
    webhookUrl: webhookUrl.optional(),
    stakeholderEmails: z.array(email).default([]),
    noticeHours: boundedInt(1, 168).default(24),
    kmsKeyArn: topicKmsKeyArn.optional(),
    /** Create a customer managed key whose policy lets CloudWatch and EventBridge use it, and encrypt the topics with it. */
    createKmsKey: z.boolean().default(false),
    /** Kubernetes only, without a webhook: where reminders, notices and the completion report fire as info alerts. */
    alertmanagerUrl: alertmanagerUrl.optional(),
  })
  .superRefine((n, ctx) => {
    if (n.createKmsKey && n.kmsKeyArn !== undefined) {
      ctx.addIssue({ code: "custom", path: ["createKmsKey"], message: "set notify.kmsKeyArn or notify.createKmsKey, not both" });
    }
  })
  .default({ emails: [], stakeholderEmails: [], noticeHours: 24, createKmsKey: false });
