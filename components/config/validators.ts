/**
 * The small, reusable zod schemas that the config is built from. Each one
 * echoes the bad value in its message, because "invalid" alone helps nobody.
 */
import { z } from "zod";
import { CADENCES, CronSyntaxError, parseCron, WEEKDAYS } from "../schedule";

const quote = (v: unknown): string => JSON.stringify(v);

export const cadence = z.enum(CADENCES);
export const weekday = z.enum(WEEKDAYS);

export const TIERS = ["development", "staging", "production"] as const;
export type Tier = (typeof TIERS)[number];

/** RFC 1123 label: what Kubernetes accepts as a name, and what we use in resource names. */
export function rfc1123Name(maxLength = 63, why = "Kubernetes' name limit") {
  return z.string().superRefine((v, ctx) => {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v)) {
      ctx.addIssue({
        code: "custom",
        message: `must be an RFC 1123 name: lower-case letters, digits and '-', starting and ending with a letter or digit (got ${quote(v)})`,
      });
    } else if (v.length > maxLength) {
      ctx.addIssue({ code: "custom", message: `must be at most ${maxLength} characters, ${why} (got ${v.length})` });
    }
  });
}

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export const sqlIdentifier = z.string().refine((v) => SQL_IDENTIFIER.test(v) && v.length <= 63, {
  error: (iss) => `must be a lower-case SQL identifier matching ^[a-z_][a-z0-9_]*$, at most 63 characters (got ${quote(iss.input)})`,
});

export const qualifiedTable = z.string().refine(
  (v) => {
    const parts = v.split(".");
    return parts.length <= 2 && parts.every((p) => SQL_IDENTIFIER.test(p) && p.length <= 63);
  },
  { error: (iss) => `must be a table name, optionally schema-qualified, each part matching ^[a-z_][a-z0-9_]*$ (got ${quote(iss.input)})` },
);

export const databaseName = z.string().refine((v) => /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(v), {
  error: (iss) => `must be a database name of letters, digits, '_' or '-', at most 63 characters (got ${quote(iss.input)})`,
});

export const hostname = z.string().refine(
  (v) => v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(v),
  { error: (iss) => `must be a DNS host name or IPv4 address (got ${quote(iss.input)})` },
);

export function isIanaZone(zone: string): boolean {
  if (!zone.includes("/") && zone !== "UTC") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const ianaZone = z.string().refine(isIanaZone, {
  error: (iss) => `must be an IANA time zone such as Europe/Berlin or UTC (got ${quote(iss.input)})`,
});

export const hhmm = z.string().refine((v) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v), {
  error: (iss) => `must be a 24-hour time HH:MM such as "01:30" (got ${quote(iss.input)})`,
});

export const email = z.string().refine((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
  error: (iss) => `must be an email address (got ${quote(iss.input)})`,
});

/**
 * An image pinned by tag or digest. `latest` and untagged references are
 * rejected because they make a rerun of the same plan deploy different code.
 */
export function imageReferenceProblem(ref: string): string | undefined {
  if (/\s/.test(ref) || ref === "") return "must be an image reference without spaces";
  const digestAt = ref.indexOf("@");
  if (digestAt >= 0) {
    return /^sha256:[a-f0-9]{64}$/.test(ref.slice(digestAt + 1)) ? undefined : "has a malformed digest; expected @sha256:<64 hex>";
  }
  const lastSlash = ref.lastIndexOf("/");
  const colon = ref.indexOf(":", lastSlash + 1);
  if (colon < 0) return "must carry an explicit tag or digest, such as :1.2.3 or @sha256:…";
  const tag = ref.slice(colon + 1);
  if (tag === "latest") return "must not use the tag latest; pin a version or digest";
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) return "has a malformed tag";
  return undefined;
}

export const imageReference = z.string().superRefine((v, ctx) => {
  const problem = imageReferenceProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem} (got ${quote(v)})` });
});

/** A five-field cron, as the Kubernetes controller reads it, with our extra rules. */
export function cronProblem(expression: string): string | undefined {
  if (/^\s*(CRON_)?TZ=/i.test(expression)) {
    return "must not start with TZ= or CRON_TZ=; the time zone comes from upkeep:environment.timezone (spec.timeZone)";
  }
  if (expression.trim().startsWith("@")) return "must be five cron fields, not a macro such as @daily";
  try {
    const cron = parseCron(expression);
    if (cron.minutes.length === 60) return "must not run every minute; maintenance jobs run at most a few times a day";
    return undefined;
  } catch (e) {
    if (e instanceof CronSyntaxError) return e.message;
    throw e;
  }
}

export const cronExpression = z.string().superRefine((v, ctx) => {
  const problem = cronProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem} (got ${quote(v)})` });
});

export const httpsUrl = z.string().refine((v) => /^https?:\/\/[^\s]+$/.test(v) || /^[\w./-]+$/.test(v), {
  error: (iss) => `must be an http(s) URL or a repository path (got ${quote(iss.input)})`,
});

export function boundedInt(min: number, max: number) {
  return z.number().int({ error: (iss) => `must be a whole number (got ${quote(iss.input)})` }).min(min).max(max);
}

/** An AWS ARN of `service` whose resource part starts with `resource`; IAM is global, so its ARNs name no region. */
export const arn = (service: string, resource: string) => {
  const region = service === "iam" ? "" : "<region>";
  return z.string().refine((v) => new RegExp(`^arn:aws[a-z-]*:${service}:${service === "iam" ? "" : "[a-z0-9-]+"}:\\d{12}:${resource}`).test(v), {
    error: (iss) => `must be a ${service} ARN like arn:aws:${service}:${region}:<account>:${resource}… (got ${JSON.stringify(iss.input)})`,
  });
};

export const kmsKeyArn = z.string().refine((v) => /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/.test(v), {
  error: (iss) => `must be a KMS key or alias ARN (got ${JSON.stringify(iss.input)})`,
});

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Why `value` is not an IAM role ARN, echoing it, or undefined. */
export function iamRoleArnProblem(value: string): string | undefined {
  return IAM_ROLE_ARN.test(value) ? undefined : `must be an IAM role ARN like arn:aws:iam::<account>:role/<name> (got ${quote(value)})`;
}

export const iamRoleArn = z.string().superRefine((v, ctx) => {
  const problem = iamRoleArnProblem(v);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * An `s3://bucket/prefix/` ending in `/`, never the whole bucket: the role
 * upkeep scopes to the prefix would then reach every object in it. `example`
 * is the prefix the message suggests under the bucket.
 */
export function s3Prefix(example: string) {
  return z
    .string()
    .refine((v) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?\/$/.test(v), {
      error: (iss) => `must be an s3://bucket/prefix/ ending in / (got ${quote(iss.input)})`,
    })
    .refine((v) => !/^s3:\/\/[^/]+\/$/.test(v), {
      error: (iss) => `must name a prefix under the bucket, such as ${String(iss.input)}${example}, not the whole bucket (got ${quote(iss.input)})`,
    });
}
