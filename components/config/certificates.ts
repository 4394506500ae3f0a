/** `upkeep:certificates`, `upkeep:credentials` and `upkeep:accessKeys`: what upkeep renews and rotates. */
import { z } from "zod";
import { arn, boundedInt, hostname, rfc1123Name } from "./validators";

/** A Go duration as cert-manager reads it: hours, minutes and seconds, e.g. 2160h or 1h30m. */
export function goDurationSeconds(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === "") return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const goDuration = z.string().refine((v) => goDurationSeconds(v) !== undefined && goDurationSeconds(v)! > 0, {
  error: (iss) => `must be a duration such as 2160h or 1h30m (got ${JSON.stringify(iss.input)})`,
});

/** The default lifetime cert-manager gives a certificate, which renew-before must stay under. */
export const CERT_MANAGER_DEFAULT_DURATION = "2160h";

/** cert-manager's webhook refuses a Certificate below these (MinimumCertificateDuration, MinimumRenewBefore). */
export const CERT_MANAGER_MINIMUM = Object.freeze({ durationSeconds: 3600, renewBeforeSeconds: 300 });

const kubernetesCertificateSchema = z
  .strictObject({
    name: rfc1123Name(),
    /** Where the Certificate and its Secret live: the workload's namespace. Defaults to upkeep's namespace. */
    namespace: rfc1123Name().optional(),
    secretName: rfc1123Name(),
    dnsNames: z.array(hostname).min(1),
    issuer: z.strictObject({ kind: z.enum(["Issuer", "ClusterIssuer"]), name: rfc1123Name() }),
    duration: goDuration.optional(),
    renewBefore: goDuration.optional(),
    renewBeforePercentage: boundedInt(1, 99).optional(),
    renewInWindow: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.renewBefore !== undefined && c.renewBeforePercentage !== undefined) {
      ctx.addIssue({ code: "custom", path: ["renewBefore"], message: "set renewBefore or renewBeforePercentage, not both" });
    }
    const duration = goDurationSeconds(c.duration ?? CERT_MANAGER_DEFAULT_DURATION);
    const before = c.renewBefore !== undefined ? goDurationSeconds(c.renewBefore) : undefined;
    if (c.duration !== undefined && duration !== undefined && duration < CERT_MANAGER_MINIMUM.durationSeconds) {
      ctx.addIssue({ code: "custom", path: ["duration"], message: `must be at least 1h: cert-manager's webhook refuses a shorter certificate (got ${JSON.stringify(c.duration)})` });
    }
    if (before !== undefined && before < CERT_MANAGER_MINIMUM.renewBeforeSeconds) {
      ctx.addIssue({ code: "custom", path: ["renewBefore"], message: `must be at least 5m: cert-manager's webhook refuses a shorter one (got ${JSON.stringify(c.renewBefore)})` });
    }
    if (duration !== undefined && before !== undefined && before >= duration) {
      ctx.addIssue({
        code: "custom",
        path: ["renewBefore"],
        message: `must be shorter than the certificate's duration (${c.renewBefore} ≥ ${c.duration ?? `${CERT_MANAGER_DEFAULT_DURATION}, cert-manager's default`})`,
      });
    }
  });

const acmCertificateSchema = z.strictObject({
  name: rfc1123Name(),
  domainName: hostname,
  subjectAlternativeNames: z.array(hostname).default([]),
  hostedZoneId: z
    .string()
    .refine((v) => /^Z[A-Z0-9]{4,32}$/.test(v), { error: (iss) => `must be a Route53 hosted zone ID such as Z0123456789ABC (got ${JSON.stringify(iss.input)})` })
    .optional(),
});

export const certificatesSchema = z
  .strictObject({
    kubernetes: z.array(kubernetesCertificateSchema).default([]),
    acm: z.array(acmCertificateSchema).default([]),
    expiryWarningDays: boundedInt(1, 90).default(21),
  })
  .superRefine((c, ctx) => {
    // The name keys the Pulumi resource and the alerts' `certificate` label, whatever the namespace.
    const seen = new Map<string, number>();
    c.kubernetes.forEach((cert, i) => {
      const first = seen.get(cert.name);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["kubernetes", i, "name"], message: `"${cert.name}" is already used by upkeep:certificates.kubernetes[${first}]` });
      } else seen.set(cert.name, i);
    });
  })
  .default({ kubernetes: [], acm: [], expiryWarningDays: 21 });

export const credentialSchema = z.strictObject({
  name: rfc1123Name(),
  secretId: arn("secretsmanager", "secret:"),
  rotationLambdaArn: arn("lambda", "function:"),
  everyDays: boundedInt(1, 1000),
});

export const accessKeysSchema = z.strictObject({ maxAgeDays: boundedInt(1, 365).default(90) }).default({ maxAgeDays: 90 });
