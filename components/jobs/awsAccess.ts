/**
 * What a job's pod needs to reach AWS: the pinned AWS CLI image, S3
 * locations, IAM policy documents, and the IRSA roles upkeep creates for a
 * task (the dump reader, the window report's publisher), which only that
 * task's ServiceAccount may assume.
 */
import * as pulumi from "@pulumi/pulumi";

export const AWS_CLI_IMAGE = "docker.io/amazon/aws-cli:2.22.35";
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

export interface S3Location {
  readonly bucket: string;
  /** "" or ending in "/". */
  readonly prefix: string;
}

export function parseS3Location(location: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  if (!m || (m[2] !== "" && !m[2]!.endsWith("/"))) throw new Error(`not an s3://bucket/prefix/ location: ${JSON.stringify(location)}`);
  return { bucket: m[1]!, prefix: m[2]! };
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal?: { readonly Federated: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string;
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** IRSA trust: only this namespace's ServiceAccount, only through the cluster's OIDC provider. */
export function irsaTrustPolicy(oidcProviderArn: string, oidcIssuer: string, namespace: string, serviceAccount: string): PolicyDocument {
  const issuer = oidcIssuer.replace(/^https:\/\//, "");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "IrsaServiceAccount",
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  };
}

/** Who may assume a role upkeep creates for a task: its ServiceAccount, through the cluster's OIDC provider. */
export interface IrsaSubject {
  readonly namespace: string;
  /** The task id: cronjob.ts names the ServiceAccount after it. */
  readonly serviceAccount: string;
  /** The EKS cluster's IAM OIDC provider, `arn:aws:iam::<account>:oidc-provider/<issuer host/path>`. */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** Its issuer URL, with or without `https://` (`oidc.eks.<region>.amazonaws.com/id/<id>`). */
  readonly oidcIssuer: pulumi.Input<string>;
}

/** The trust policy of a task's role, as the IAM API takes it. */
export function irsaAssumeRolePolicy(subject: IrsaSubject): pulumi.Output<string> {
  return pulumi
    .all([subject.oidcProviderArn, subject.oidcIssuer])
    .apply(([arn, issuer]) => JSON.stringify(irsaTrustPolicy(arn, issuer, subject.namespace, subject.serviceAccount)));
}

/**
 * The IRSA role upkeep creates for a task (a dump's reader, the window
 * report's publisher): its ARN, known before the role exists (the account
 * comes from the OIDC provider's ARN and the name is fixed), and the
 * arguments every such role takes.
 */
export function taskRole(oidcProviderArn: string, environment: string, namespace: string, taskId: string): { arn: string; args: IrsaSubject & { roleName: string } } {
  const m = /^arn:(aws[a-z-]*):iam::(\d{12}):oidc-provider\/(.+)$/.exec(oidcProviderArn);
  if (!m) throw new Error(`not an IAM OIDC provider ARN: ${oidcProviderArn}`);
  const roleName = `upkeep-${environment}-${taskId}`.slice(0, 64);
  return {
    arn: `arn:${m[1]}:iam::${m[2]}:role/${roleName}`,
    args: { namespace, serviceAccount: taskId, oidcProviderArn, oidcIssuer: m[3]!, roleName },
  };
}
