/** `upkeep:kubernetes`: where upkeep's objects live and what the database tasks run. */
import { z } from "zod";
import { imageReference, rfc1123Name } from "./validators";

export const DEFAULT_POSTGRES_IMAGE = "docker.io/library/postgres:15.10-alpine";
export const DEFAULT_NAMESPACE = "upkeep-maintenance";

export const kubernetesSchema = z
  .strictObject({
    namespace: rfc1123Name().default(DEFAULT_NAMESPACE),
    postgresImage: imageReference.default(DEFAULT_POSTGRES_IMAGE),
    /** The cluster's IAM OIDC provider, for the IRSA roles upkeep creates. */
    oidcProviderArn: z
      .string()
      .refine((v) => /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/.test(v), {
        error: (iss) => `must be an IAM OIDC provider ARN like arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id> (got ${JSON.stringify(iss.input)})`,
      })
      .optional(),
    /**
     * The oldest Kubernetes minor version the team still accepts, `1.29`: the
     * AWS Config rule eks-cluster-supported-version (account-wide rules), or on
     * Kubernetes only the daily check of the API server's /version.
     */
    oldestSupportedVersion: z
      .string()
      .refine((v) => /^1\.(0|[1-9]\d?)$/.test(v), {
        error: (iss) => `must be a Kubernetes minor version such as "1.29" (got ${JSON.stringify(iss.input)})`,
      })
      .optional(),
  })
  .default({ namespace: DEFAULT_NAMESPACE, postgresImage: DEFAULT_POSTGRES_IMAGE });
