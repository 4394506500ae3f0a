/**
 * The KMS key of encrypted topics. SNS encrypts every message with it, so
 * each publisher needs `kms:GenerateDataKey*` and `kms:Decrypt` on it:
 * - CloudWatch alarms and EventBridge rules publish as their service
 *   principals, which only the key's own policy can allow (an IAM policy
 *   cannot grant a service principal anything). Without these statements
 *   every alarm and event is dropped, and nothing reports the loss.
 *   AWS documents no source-account or source-ARN condition for EventBridge's
 *   use of the key, so none is set; the topic policy still limits who may
 *   publish (aws:SourceAccount).
 * - EventBridge Scheduler publishes through upkeep's scheduler role, which
 *   holds the key in its IAM policy; naming the role in the key policy makes
 *   that work for keys whose policy does not delegate to IAM.
 * The AWS-managed key `alias/aws/sns` cannot carry these statements; config
 * refuses it.
 */
import { aws } from "../sdk";
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument, PolicyStatement } from "./policyDocument";

const KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"];

/** The statements a customer managed key of upkeep's topics needs, exactly as they go into its key policy. */
export function topicKeyPolicyStatements(schedulerRoleArn: string): PolicyStatement[] {
  return [
    { Sid: "AllowCloudWatchAlarmsToPublishToUpkeepTopics", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: KEY_ACTIONS, Resource: "*" },
    { Sid: "AllowEventBridgeRulesToPublishToUpkeepTopics", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: KEY_ACTIONS, Resource: "*" },
    { Sid: "AllowUpkeepSchedulerRoleToPublish", Effect: "Allow", Principal: { AWS: schedulerRoleArn }, Action: KEY_ACTIONS, Resource: "*" },
  ];
}

/**
 * The whole policy of the key upkeep creates (`notify.createKmsKey`): AWS's
 * default statement, which lets the account's IAM policies manage and use
 * the key (without it the key could become unmanageable), and the publishers.
 */
export function buildTopicKeyPolicy(accountId: string, schedulerRoleArn: string, partition = "aws"): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "EnableIamPoliciesOfTheAccount", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" },
      ...topicKeyPolicyStatements(schedulerRoleArn),
    ],
  };
}

export function topicKeyArgs(environment: string): aws.kms.KeyArgs {
  return {
    description: `Encrypts the upkeep ${environment} SNS topics; CloudWatch alarms, EventBridge rules and the upkeep scheduler role may use it`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
  };
}

/** The key and its alias `alias/upkeep-<env>-topics`; the policy is set once the topics (and so the account) are known. */
export function createTopicKey(name: string, environment: string, parent: pulumi.Resource, protect: boolean): aws.kms.Key {
  const key = new aws.kms.Key(`${name}-key`, topicKeyArgs(environment), { parent, protect });
  new aws.kms.Alias(`${name}-key-alias`, { name: `alias/upkeep-${environment}-topics`, targetKeyId: key.keyId }, { parent });
  return key;
}
