/**
 * With AWS, the window report leaves the cluster: post-maintenance-verify
 * publishes it to the `info` topic (the completion notice) and, with
 * `upkeep:maintenanceLog.location`, writes it under that S3 prefix (the
 * maintenance history). Its pod then has three steps that share the emptyDir
 * /report:
 * 1. `report` (init, the curl image): window-report.sh with UPKEEP_STEP=report
 *    verifies the endpoints, builds the report, sends the webhook's notice;
 * 2. `publish` (init, the AWS CLI image): report-publish.sh publishes it, with
 *    nothing but the IRSA role's credentials, which the EKS pod identity
 *    webhook projects into the pod (the only token the pod gets: upkeep's
 *    pods never mount the ServiceAccount token);
 * 3. the main container (the curl image): window-report.sh with
 *    UPKEEP_STEP=outcome prints and pushes the run's outcome line, partial
 *    when publishing failed.
 * The role may publish to the info topic (and use its key, when the topics
 * are encrypted) and put objects under the prefix, nothing else.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { aws } from "../sdk";
import { POD_DEFAULTS, type UpkeepConfig } from "../config";
import { defaultResources, hardenedSecurityContext, plainEnv, PUSHGATEWAY_ENV, scriptPath, standardTaskEnv, taskVolumeMounts, type ContainerPlan, type EnvVar, type PodExtras } from "../kubernetes";
import { AWS_CLI_IMAGE, IRSA_ANNOTATION, irsaAssumeRolePolicy, type IrsaSubject, parseS3Location, type PolicyDocument } from "./awsAccess";
import { checkVerificationFits, VERIFY_IMAGE, VERIFY_TIMEOUT_SECONDS, verificationEnv, type VerificationOptions, type VerificationTaskLike } from "./verification";
import { WINDOW_REPORT_SCRIPT } from "./windowReport";

export const REPORT_DIR = "/report";

/** With AWS, a role to publish with: the stack's own (`maintenanceLog.roleArn`), or one upkeep creates through IRSA. */
export const publishesReport = (config: UpkeepConfig): boolean =>
  config.aws.enabled && (config.maintenanceLog?.roleArn !== undefined || config.kubernetes.oidcProviderArn !== undefined);

/** Where a stack's window report goes, for its runbooks. */
export interface ReportDelivery {
  /** Where the completion notice goes, in words; empty when nowhere. */
  readonly to: readonly string[];
  /** `maintenanceLog.location`, when the report is written there. */
  readonly log?: string;
  /** The container of post-maintenance-verify whose log holds the report. */
  readonly container: "report" | "task";
}

/** Undefined when there is no report: no Pushgateway, or no endpoints (post-maintenance-verify builds it). */
export function reportDelivery(config: UpkeepConfig): ReportDelivery | undefined {
  if (config.alerting.pushgateway === "off" || config.endpoints.length === 0) return undefined;
  const published = publishesReport(config);
  const webhook = config.notify.webhookUrl !== undefined;
  const to = [
    ...(webhook ? ["the webhook (`notify.webhookUrl`)"] : []),
    ...(published ? [`the \`info\` topic upkeep-${config.environment.name}-info`] : []),
    ...(!config.aws.enabled && !webhook ? ["Alertmanager, as the info alert `UpkeepMaintenanceReport`"] : []),
  ];
  const log = published ? config.maintenanceLog?.location : undefined;
  return { to, ...(log !== undefined ? { log } : {}), container: published ? "report" : "task" };
}
export const PUBLISH_SCRIPT = "report-publish.sh";
/** The report, its notice and the steps' notes: kilobytes. */
export const REPORT_DIR_SIZE = "16Mi";

/** Where the report goes with AWS, and as whom. */
export interface ReportPublishing {
  /** The IRSA role: `maintenanceLog.roleArn`, or the one ReportPublisherRole creates (known before it exists). */
  readonly roleArn: string;
  /** The environment's `info` topic. */
  readonly infoTopicArn: pulumi.Input<string>;
  /** `maintenanceLog.location`: `s3://bucket/prefix/`. */
  readonly location?: string;
}

/**
 * sns:Publish on the info topic; with the topics' customer managed key,
 * kms:GenerateDataKey* and kms:Decrypt on it, only as SNS asks for them; with
 * a maintenance log, s3:PutObject under its prefix. No wildcard action, no
 * other resource.
 */
export function reportPublisherPolicy(infoTopicArn: string, location?: string, topicKeyArn?: string): PolicyDocument {
  const [, partition, , region] = infoTopicArn.split(":");
  const log = location !== undefined ? parseS3Location(location) : undefined;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PublishCompletionNotice", Effect: "Allow", Action: "sns:Publish", Resource: infoTopicArn },
      ...(topicKeyArn !== undefined
        ? [
            {
              Sid: "EncryptForInfoTopic",
              Effect: "Allow" as const,
              Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
              Resource: topicKeyArn,
              Condition: { StringEquals: { "kms:ViaService": `sns.${region}.amazonaws.com` } },
            },
          ]
        : []),
      ...(log !== undefined ? [{ Sid: "WriteMaintenanceLog", Effect: "Allow" as const, Action: "s3:PutObject", Resource: `arn:${partition}:s3:::${log.bucket}/${log.prefix}*` }] : []),
    ],
  };
}

export interface ReportPublisherRoleArgs extends IrsaSubject {
  /** A fixed name, so the ServiceAccount's annotation can name the role before it exists. */
  readonly roleName: string;
  readonly infoTopicArn: pulumi.Input<string>;
  readonly topicKeyArn?: pulumi.Input<string>;
  readonly location?: string;
}

/**
 * The role post-maintenance-verify assumes when `maintenanceLog.roleArn` is
 * not given. Type token: upkeep:notify:ReportPublisherRole. Pass the AWS
 * provider in opts.
 */
export class ReportPublisherRole extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: ReportPublisherRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:notify:ReportPublisherRole", name, {}, opts);
    const where = args.location !== undefined ? ` and writes it under ${args.location}` : "";
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        description: `upkeep publishes each window's report to the info topic${where} (IRSA: ${args.namespace}/${args.serviceAccount})`,
        assumeRolePolicy: irsaAssumeRolePolicy(args),
      },
      { parent: this },
    );
    const policy = pulumi.all([args.infoTopicArn, args.topicKeyArn]).apply(([topic, key]) => JSON.stringify(reportPublisherPolicy(topic, args.location, key)));
    new aws.iam.RolePolicy(`${name}-publish`, { role: role.id, policy }, { parent: this });
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}

export interface WindowReportPod {
  readonly container: ContainerPlan;
  readonly pod: PodExtras & { readonly initContainers: k8s.types.input.core.v1.Container[] };
}

type ReportOptions = VerificationOptions & { readonly report: NonNullable<VerificationOptions["report"]> };

/**
 * The three steps. `pushgatewayUrl` reaches the report step (it reads what
 * the tasks pushed); cronjob.ts gives the main container its own, to push.
 */
export function windowReportPod(task: VerificationTaskLike, options: ReportOptions, pushgatewayUrl: string, publishing: ReportPublishing): WindowReportPod {
  checkVerificationFits(task, options.endpoints.length, options.timeoutSeconds ?? VERIFY_TIMEOUT_SECONDS, { report: true, publish: true });
  const mounts = [...taskVolumeMounts(), { name: "report", mountPath: REPORT_DIR }];
  const step = (name: string, image: string, script: string, env: EnvVar[] | k8s.types.input.core.v1.EnvVar[]): k8s.types.input.core.v1.Container => ({
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command: ["/bin/sh", scriptPath(script)],
    env,
    resources: defaultResources(),
    securityContext: hardenedSecurityContext(),
    volumeMounts: mounts,
  });
  const report = step("report", VERIFY_IMAGE, WINDOW_REPORT_SCRIPT, [
    ...verificationEnv(task, options),
    plainEnv(PUSHGATEWAY_ENV, pushgatewayUrl),
    plainEnv("UPKEEP_REPORT_DIR", REPORT_DIR),
    plainEnv("UPKEEP_STEP", "report"),
  ]);
  const publish = step("publish", AWS_CLI_IMAGE, PUBLISH_SCRIPT, [
    plainEnv("HOME", "/tmp"),
    plainEnv("UPKEEP_REPORT_DIR", REPORT_DIR),
    { name: "UPKEEP_INFO_TOPIC_ARN", value: publishing.infoTopicArn },
    ...(publishing.location !== undefined ? [plainEnv("UPKEEP_MAINTENANCE_LOG", publishing.location)] : []),
    // Bounded as PUBLISH_SECONDS counts it; no pager in a pod.
    plainEnv("AWS_MAX_ATTEMPTS", "2"),
    plainEnv("AWS_RETRY_MODE", "standard"),
    plainEnv("AWS_PAGER", ""),
  ]);
  return {
    container: {
      image: VERIFY_IMAGE,
      command: ["/bin/sh", scriptPath(WINDOW_REPORT_SCRIPT)],
      args: [],
      env: [
        ...standardTaskEnv({ id: task.id, kind: "verify", environment: options.environment }, task.schedule),
        plainEnv("UPKEEP_REPORT_DIR", REPORT_DIR),
        plainEnv("UPKEEP_STEP", "outcome"),
      ],
      resources: defaultResources(),
      runAsUser: POD_DEFAULTS.runAsUser,
    },
    pod: {
      initContainers: [report, publish],
      volumes: [{ name: "report", emptyDir: { sizeLimit: REPORT_DIR_SIZE } }],
      volumeMounts: [{ name: "report", mountPath: REPORT_DIR, readOnly: true }],
      serviceAccountAnnotations: { [IRSA_ANNOTATION]: publishing.roleArn },
    },
  };
}
