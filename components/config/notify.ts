/** `upkeep:notify`: where alerts, reminders and notices go. */
import { z } from "zod";
import { REDACTED } from "./secrets";
import { boundedInt, email, kmsKeyArn } from "./validators";

const webhookUrl = z.string().refine((v) => v === REDACTED || /^https:\/\/[^\s]+$/.test(v), {
  // The value is a secret: never echo it.
  error: "must be an https:// URL",
});

export const notifySchema = z
  .strictObject({
    emails: z.array(email).default([]),
    webhookUrl: webhookUrl.optional(),
    stakeholderEmails: z.array(email).default([]),
    noticeHours: boundedInt(1, 168).default(24),
    kmsKeyArn: kmsKeyArn.optional(),
  })
  .default({ emails: [], stakeholderEmails: [], noticeHours: 24 });
