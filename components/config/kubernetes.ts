/** `upkeep:kubernetes`: where upkeep's objects live and what the database tasks run. */
import { z } from "zod";
import { imageReference, rfc1123Name } from "./validators";

export const DEFAULT_POSTGRES_IMAGE = "docker.io/library/postgres:15.10-alpine";
export const DEFAULT_NAMESPACE = "upkeep-maintenance";
/** The oldest cluster every default feature runs on: native sidecars (dump verification) are on by default from 1.29. */
export const DEFAULT_KUBERNETES_VERSION = "1.29";

/**
 * The cluster's `major.minor`. A string: YAML reads an unquoted 1.30 as the
 * number 1.3, so a number is refused rather than guessed at.
 */
const kubernetesVersion = z.unknown().transform((v, ctx) => {
  if (typeof v === "string" && /^1\.(0|[1-9]\d*)$/.test(v)) return v;
  ctx.addIssue({
    code: "custom",
    message:
      typeof v === "number"
        ? `must be a quoted "major.minor" string such as "1.29": YAML reads an unquoted 1.30 as the number 1.3 (got ${v})`
        : `must be a Kubernetes version "major.minor" such as "1.29" (got ${JSON.stringify(v)})`,
  });
  return z.NEVER;
});

export const kubernetesSchema = z
  .strictObject({
    namespace: rfc1123Name().default(DEFAULT_NAMESPACE),
    postgresImage: imageReference.default(DEFAULT_POSTGRES_IMAGE),
    /** The oldest Kubernetes version of the cluster; config that needs a newer one is refused. */
    version: kubernetesVersion.default(DEFAULT_KUBERNETES_VERSION),
    /** The cluster's IAM OIDC provider, for the IRSA roles upkeep creates. */
    oidcProviderArn: z
      .string()
      .refine((v) => /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/.test(v), {
        error: (iss) => `must be an IAM OIDC provider ARN like arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id> (got ${JSON.stringify(iss.input)})`,
      })
      .optional(),
  })
  .default({ namespace: DEFAULT_NAMESPACE, postgresImage: DEFAULT_POSTGRES_IMAGE, version: DEFAULT_KUBERNETES_VERSION });
