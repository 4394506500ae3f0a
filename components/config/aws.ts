/**
 * `upkeep:aws`: whether the stack uses AWS at all, and which AWS Config rules
 * it owns. Config rules are opt-in: creating one fails in an account and
 * region without a configuration recorder, and rules that evaluate the whole
 * account belong to one stack per account and region, not to every stack.
 *
 * With `enabled: false` the stack is Kubernetes only (GKE, AKS, on-prem): no
 * AWS provider and no `aws:` resource. `awsOnlyProblems` then names every key
 * that would need AWS, and why, so nothing is silently dropped.
 */
import { z } from "zod";

const tcpPort = (v: number) => Number.isInteger(v) && v >= 1 && v <= 65535;

/** A TCP port or a range `from-to`, as vpc-sg-open-only-to-authorized-ports reads it. */
const authorizedPort = z.union([z.number(), z.string()]).superRefine((v, ctx) => {
  const range = typeof v === "string" ? /^(\d{1,5})-(\d{1,5})$/.exec(v) : null;
  const ok = typeof v === "number" ? tcpPort(v) : range !== null && tcpPort(Number(range[1])) && tcpPort(Number(range[2])) && Number(range[1]) < Number(range[2]);
  if (!ok) ctx.addIssue({ code: "custom", message: `must be a TCP port 1–65535 or a range such as "1020-1025" (got ${JSON.stringify(v)})` });
});

export const AWS_DEFAULTS = Object.freeze({ enabled: true, configRules: false, accountWideRules: false, authorizedPorts: [] as (number | string)[] });

export const awsSchema = z
  .strictObject({
    /** false: Kubernetes only, no AWS provider and no AWS resource. */
    enabled: z.boolean().default(AWS_DEFAULTS.enabled),
    /** Config rules scoped to this environment's own resources (its ACM certificates, its secrets). */
    configRules: z.boolean().default(AWS_DEFAULTS.configRules),
    /** Config rules over the whole account and region; one stack per account and region sets it. */
    accountWideRules: z.boolean().default(AWS_DEFAULTS.accountWideRules),
    /** TCP ports security groups may open to the internet (vpc-sg-open-only-to-authorized-ports). */
    authorizedPorts: z.array(authorizedPort).default([]),
  })
  .default({ ...AWS_DEFAULTS, authorizedPorts: [] });

export type AwsConfig = z.output<typeof awsSchema>;

/** What `awsOnlyProblems` needs of the whole config; kept structural so this file does not import the schema. */
export interface AwsModeView {
  readonly aws: AwsConfig;
  readonly kubernetes: { readonly oidcProviderArn?: string };
  readonly notify: {
    readonly emails: readonly string[];
    readonly stakeholderEmails: readonly string[];
    readonly webhookUrl?: string;
    readonly kmsKeyArn?: string;
    readonly createKmsKey: boolean;
    readonly alertmanagerUrl?: string;
  };
  readonly alerting: { readonly alertmanager: boolean };
  readonly certificates: { readonly acm: readonly unknown[] };
  readonly credentials: readonly unknown[];
  readonly accessKeys?: unknown;
  readonly backups: { readonly aws?: unknown; readonly dumps: readonly { readonly kmsKeyArn?: string; readonly roleArn?: string }[] };
  readonly maintenanceLog?: unknown;
}

export interface AwsModeProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

const NEEDS_AWS = "needs AWS, and upkeep:aws.enabled is false";

/**
 * Cross-key rules of the `aws` section. Kubernetes only: every key that would
 * create an AWS resource is refused with what it needs. With AWS: Config rules
 * over the whole account need the recorder opt-in first, and keys that only
 * the Kubernetes-only mode reads are refused instead of ignored.
 */
export function awsModeProblems(cfg: AwsModeView): AwsModeProblem[] {
  const out: AwsModeProblem[] = [];
  const refuse = (path: (string | number)[], message: string) => out.push({ path, message });
  const { aws, notify } = cfg;
  if (!aws.enabled) {
    if (aws.configRules) refuse(["aws", "configRules"], `${NEEDS_AWS} (AWS Config rules); remove it`);
    if (aws.accountWideRules) refuse(["aws", "accountWideRules"], `${NEEDS_AWS} (AWS Config rules); remove it`);
    if (aws.authorizedPorts.length > 0) refuse(["aws", "authorizedPorts"], `${NEEDS_AWS} (the AWS Config rule vpc-sg-open-only-to-authorized-ports); remove it`);
    if (cfg.certificates.acm.length > 0) {
      refuse(["certificates", "acm"], `${NEEDS_AWS} (ACM certificates, their CloudWatch alarms and EventBridge rules); use certificates.kubernetes (cert-manager) instead`);
    }
    if (cfg.credentials.length > 0) refuse(["credentials"], `${NEEDS_AWS} (Secrets Manager rotation and its EventBridge rules); remove it`);
    if (cfg.accessKeys !== undefined) refuse(["accessKeys"], `${NEEDS_AWS} (the AWS Config rule access-keys-rotated over IAM users); remove it`);
    if (cfg.backups.aws !== undefined) refuse(["backups", "aws"], `${NEEDS_AWS} (AWS Backup vault, plan and restore testing); say why the stack has none with { none: "<why>" } (required in production), or remove it`);
    cfg.backups.dumps.forEach((_, i) =>
      refuse(["backups", "dumps", i], `${NEEDS_AWS} (the dump is fetched from S3 with an IAM role for the ServiceAccount); remove it`),
    );
    if (cfg.maintenanceLog !== undefined) {
      refuse(
        ["maintenanceLog"],
        `${NEEDS_AWS} (the window reports are written to S3 with an IAM role for the ServiceAccount); remove it: each window's report still goes to notify.webhookUrl, or to Alertmanager as the info alert UpkeepMaintenanceReport`,
      );
    }
    if (cfg.kubernetes.oidcProviderArn !== undefined) refuse(["kubernetes", "oidcProviderArn"], `${NEEDS_AWS} (IAM roles for service accounts); remove it`);
    if (notify.emails.length > 0 && !cfg.alerting.alertmanager) {
      refuse(["notify", "emails"], `${NEEDS_AWS} (SNS email subscriptions); set upkeep:alerting.alertmanager: true to mail them through Alertmanager, or remove them`);
    }
    if (notify.stakeholderEmails.length > 0) {
      refuse(["notify", "stakeholderEmails"], `${NEEDS_AWS} (the SNS info topic); stakeholder notices go to notify.webhookUrl, or to Alertmanager as info alerts`);
    }
    if (notify.kmsKeyArn !== undefined) refuse(["notify", "kmsKeyArn"], `${NEEDS_AWS} (it encrypts the SNS topics); remove it`);
    if (notify.createKmsKey) refuse(["notify", "createKmsKey"], `${NEEDS_AWS} (a KMS key for the SNS topics); remove it`);
    if (notify.webhookUrl === undefined && notify.alertmanagerUrl === undefined) {
      refuse(
        ["notify", "alertmanagerUrl"],
        "is required when upkeep:aws.enabled is false and notify.webhookUrl is not set: reminders, stakeholder notices and the completion report then fire as info alerts through Alertmanager (e.g. http://alertmanager-operated.monitoring.svc:9093)",
      );
    }
    return out;
  }
  if (aws.accountWideRules && !aws.configRules) {
    refuse(["aws", "accountWideRules"], "needs upkeep:aws.configRules: true, which states that the account and region have an AWS Config recorder");
  }
  if (aws.authorizedPorts.length > 0 && !aws.accountWideRules) {
    refuse(["aws", "authorizedPorts"], "is read only by the account-wide rule vpc-sg-open-only-to-authorized-ports; set upkeep:aws.accountWideRules: true on the one stack that owns account-wide rules, or remove it");
  }
  if (cfg.accessKeys !== undefined && !aws.accountWideRules) {
    refuse(["accessKeys"], "is read only by the account-wide rule access-keys-rotated; set upkeep:aws.accountWideRules: true on the one stack that owns account-wide rules, or remove it");
  }
  if (notify.alertmanagerUrl !== undefined) {
    refuse(["notify", "alertmanagerUrl"], "is used only when upkeep:aws.enabled is false; with AWS, reminders and notices go to the SNS topics");
  }
  return out;
}
