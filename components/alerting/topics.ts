/**
 * NotificationTopics: one SNS topic per severity, who is subscribed to each,
 * and the role EventBridge Scheduler assumes to publish reminders to them.
 * - Each topic policy lets CloudWatch alarms and EventBridge rules of this
 *   account publish (service principals need the topic policy). Scheduler
 *   publishes through its own role (an IAM policy, not the topic policy), and
 *   so can any principal of the account whose IAM policy allows sns:Publish:
 *   a topic policy without an explicit Deny does not take that away.
 * - Encrypted topics (`notify.kmsKeyArn`, or a key upkeep creates with
 *   `notify.createKmsKey`): the key policy must let CloudWatch and
 *   EventBridge use the key (topicKey.ts); the statements are an output.
 * - Subscriptions are named by a hash of their address, so reordering or
 *   extending a list never replaces an existing (confirmed) subscription.
 * - The webhook URL is a secret end to end: it is never part of a name and
 *   reaches the subscription as a Pulumi secret.
 */
import { createHash } from "node:crypto";
import { aws } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import type { UpkeepConfig, Severity } from "../config";
import { accountOfArn, type PolicyDocument, type PolicyStatement } from "./policyDocument";
import { buildTopicKeyPolicy, createTopicKey, topicKeyPolicyStatements } from "./topicKey";

export type NotifyConfig = UpkeepConfig["notify"];

export const SEVERITIES: readonly Severity[] = Object.freeze(["critical", "warning", "info"]);

/** The services whose alarms and rules publish to upkeep's topics through the topic policy. */
export const PUBLISHING_SERVICES: readonly string[] = Object.freeze(["cloudwatch.amazonaws.com", "events.amazonaws.com"]);

export function topicNames(environment: string): Record<Severity, string> {
  return {
    critical: `upkeep-${environment}-critical`,
    warning: `upkeep-${environment}-warning`,
    info: `upkeep-${environment}-info`,
  };
}

export { accountOfArn, type PolicyDocument, type PolicyStatement } from "./policyDocument";

/**
 * CloudWatch and EventBridge may publish, and only on behalf of this account
 * (aws:SourceAccount, taken from the topic's own ARN, so no account lookup):
 * another account's alarm or rule cannot use upkeep's topics (confused
 * deputy). Replacing the default policy drops its account-wide grant; the
 * account's own principals (the scheduler role among them) still publish
 * through their IAM policies.
 */
export function buildTopicPolicy(topicArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowUpkeepServicesToPublish",
        Effect: "Allow",
        Principal: { Service: [...PUBLISHING_SERVICES] },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": accountOfArn(topicArn) } },
      },
    ],
  };
}

/** Scheduler may assume the role only for schedules of the same account. */
export function buildSchedulerTrustPolicy(accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowSchedulerToAssume",
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/**
 * Publishing to a topic encrypted with a customer key also needs that key
 * (GenerateDataKey, Decrypt). IAM matches a key, not an alias, as Resource,
 * so an alias ARN becomes "any key of that account carrying this alias".
 */
function kmsStatement(kmsKeyArn: string): PolicyStatement {
  const statement = { Sid: "UseTopicEncryptionKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"] } as const;
  const alias = /^(arn:[^:]+:kms:[^:]+:\d{12}):(alias\/.+)$/.exec(kmsKeyArn);
  if (alias === null) return { ...statement, Resource: kmsKeyArn };
  return { ...statement, Resource: `${alias[1]}:key/*`, Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": alias[2]! } } };
}

export function buildSchedulerPublishPolicy(topicArns: readonly string[], kmsKeyArn?: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PublishToUpkeepTopics", Effect: "Allow", Action: "sns:Publish", Resource: [...topicArns] },
      ...(kmsKeyArn !== undefined ? [kmsStatement(kmsKeyArn)] : []),
    ],
  };
}

export interface PlannedSubscription {
  readonly topic: Severity;
  readonly protocol: "email" | "https";
  readonly endpoint: string;
  /** The child-name suffix: `critical-email-<hash>` or `critical-webhook`. */
  readonly key: string;
}

/** First 8 hex digits of SHA-256: stable across list order, short enough for a name. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/** Addresses once each; case differs only by accident, so it does not make a second subscription. */
function uniqueAddresses(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = a.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * On-call emails get critical and warning, stakeholders get info, and the
 * webhook (if set) gets all three. The webhook's key holds no hash of the URL:
 * a name is public, the URL is not.
 */
export function subscriptionPlan(notify: Pick<NotifyConfig, "emails" | "stakeholderEmails" | "webhookUrl">): PlannedSubscription[] {
  const recipients: Record<Severity, readonly string[]> = {
    critical: uniqueAddresses(notify.emails),
    warning: uniqueAddresses(notify.emails),
    info: uniqueAddresses(notify.stakeholderEmails),
  };
  return SEVERITIES.flatMap((topic) => [
    ...recipients[topic].map((address): PlannedSubscription => ({
      topic,
      protocol: "email",
      endpoint: address,
      key: `${topic}-email-${shortHash(address.toLowerCase())}`,
    })),
    ...(notify.webhookUrl !== undefined
      ? [{ topic, protocol: "https", endpoint: notify.webhookUrl, key: `${topic}-webhook` } satisfies PlannedSubscription]
      : []),
  ]);
}

export interface NotificationTopicsArgs {
  /** The environment name; topics are `upkeep-<env>-<severity>`. */
  readonly environment: string;
  /** The validated `upkeep:notify` section. */
  readonly notify: NotifyConfig;
  /** Protect the topics (production), so `pulumi destroy` cannot drop the alert path. */
  readonly protect: boolean;
}

/** Three severity topics, their subscriptions and Scheduler's publishing role. Type token: upkeep:notify:NotificationTopics. */
export class NotificationTopics extends pulumi.ComponentResource {
  public readonly topicArns: { readonly critical: pulumi.Output<string>; readonly warning: pulumi.Output<string>; readonly info: pulumi.Output<string> };
  public readonly schedulerRoleArn: pulumi.Output<string>;
  /** The key the topics are encrypted with, if any: `notify.kmsKeyArn` or the one upkeep created. */
  public readonly kmsKeyArn?: pulumi.Output<string>;
  /** With a key: the statements its policy must hold for alarms, events and reminders to be delivered. */
  public readonly keyPolicyStatements?: pulumi.Output<PolicyStatement[]>;

  constructor(name: string, args: NotificationTopicsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:notify:NotificationTopics", name, {}, opts);
    const names = topicNames(args.environment);
    const createdKey = args.notify.createKmsKey ? createTopicKey(name, args.environment, this, args.protect) : undefined;
    const keyArn: pulumi.Output<string> | undefined = createdKey?.arn ?? (args.notify.kmsKeyArn !== undefined ? pulumi.output(args.notify.kmsKeyArn) : undefined);
    const kms = keyArn !== undefined ? { kmsMasterKeyId: keyArn } : {};

    const topics = {} as Record<Severity, aws.sns.Topic>;
    for (const severity of SEVERITIES) {
      const topic = new aws.sns.Topic(`${name}-${severity}`, { name: names[severity], ...kms }, { parent: this, protect: args.protect });
      new aws.sns.TopicPolicy(
        `${name}-${severity}-policy`,
        { arn: topic.arn, policy: topic.arn.apply((arn) => JSON.stringify(buildTopicPolicy(arn))) },
        { parent: this },
      );
      topics[severity] = topic;
    }

    for (const sub of subscriptionPlan(args.notify)) {
      new aws.sns.TopicSubscription(
        `${name}-${sub.key}`,
        {
          topic: topics[sub.topic].arn,
          protocol: sub.protocol,
          endpoint: sub.protocol === "https" ? pulumi.secret(sub.endpoint) : sub.endpoint,
        },
        // Policies see inputs decrypted; this marks the webhook endpoint as the secret it is.
        { parent: this, ...(sub.protocol === "https" ? { additionalSecretOutputs: ["endpoint"] } : {}) },
      );
    }

    const arns = SEVERITIES.map((s) => topics[s].arn);
    const role = new aws.iam.Role(
      `${name}-scheduler`,
      {
        description: `EventBridge Scheduler publishes upkeep ${args.environment} reminders and notices to its SNS topics`,
        assumeRolePolicy: topics.critical.arn.apply((arn) => JSON.stringify(buildSchedulerTrustPolicy(accountOfArn(arn)))),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-scheduler-publish`,
      { role: role.id, policy: pulumi.all([pulumi.all(arns), keyArn]).apply(([list, key]) => JSON.stringify(buildSchedulerPublishPolicy(list, key))) },
      { parent: this },
    );
    if (createdKey !== undefined) {
      // Set after the topics exist: the account comes from a topic's ARN, so no provider call is needed.
      new aws.kms.KeyPolicy(
        `${name}-key-policy`,
        {
          keyId: createdKey.keyId,
          policy: pulumi.all([topics.critical.arn, role.arn]).apply(([arn, roleArn]) => JSON.stringify(buildTopicKeyPolicy(accountOfArn(arn), roleArn, arn.split(":")[1]))),
        },
        { parent: this },
      );
    }

    this.topicArns = { critical: topics.critical.arn, warning: topics.warning.arn, info: topics.info.arn };
    this.schedulerRoleArn = role.arn;
    if (keyArn !== undefined) {
      this.kmsKeyArn = keyArn;
      this.keyPolicyStatements = role.arn.apply(topicKeyPolicyStatements);
    }
    this.registerOutputs({ topicArns: this.topicArns, schedulerRoleArn: this.schedulerRoleArn, kmsKeyArn: this.kmsKeyArn, keyPolicyStatements: this.keyPolicyStatements });
  }
}
