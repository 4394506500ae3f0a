/**
 * SNS notifications: the pure builders exactly, then NotificationTopics under
 * Pulumi's runtime mocks (setMocks first, then the import), asserting every
 * registered resource's exact inputs and that the webhook URL stays secret.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { redactSecrets } from "../cli/mockRuntime";
import type { NotifyConfig } from "../components/alerting/topics";
import { installComponentMocks, outputValue, type ComponentMocks } from "./support/componentMocks";

const ACCOUNT = "123456789012";
const ARN_PREFIX = `arn:aws:sns:eu-central-1:${ACCOUNT}:`;
const KMS = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const WEBHOOK = "https://hooks.example.com/services/T000/B000/very-secret-token";

const NOTIFY: NotifyConfig = {
  emails: ["oncall@example.com", "sre-lead@example.com"],
  stakeholderEmails: ["product@example.com"],
  webhookUrl: WEBHOOK,
  noticeHours: 24,
  kmsKeyArn: KMS,
  createKmsKey: false,
};

/** Pulumi's wire markers for a secret value. */
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

let mocks: ComponentMocks;
/** Mocks never see resource options; a transformation on the component records each child's `protect`. */
const protectedChildren = new Map<string, boolean>();
type Module = typeof import("../components/alerting/topics");
let mod: Module;

let outputs: { critical: string; warning: string; info: string; schedulerRoleArn: string };
let keyStatements: unknown;
let keyed: { kmsKeyArn: string; statements: unknown; schedulerRoleArn: string };

before(async () => {
  mocks = await installComponentMocks("prod", {
    attributes: ({ type, name, inputs }) =>
      type === "aws:kms/key:Key" ? { arn: `arn:aws:kms:eu-central-1:${ACCOUNT}:key/${name}`, keyId: `${name}-key-id` } : { arn: `${ARN_PREFIX}${inputs.name ?? name}` },
  });
  // The ".js" suffix is what nodenext's type check asks of a dynamic import; tsx maps it to the .ts file.
  mod = await import("../components/alerting/topics.js");
  const topics = new mod.NotificationTopics(
    "upkeep-notify",
    { environment: "prod", notify: NOTIFY, protect: true },
    {
      transformations: [
        (args) => {
          protectedChildren.set(args.name, args.opts.protect === true);
          return undefined;
        },
      ],
    },
  );
  outputs = {
    critical: await outputValue(topics.topicArns.critical),
    warning: await outputValue(topics.topicArns.warning),
    info: await outputValue(topics.topicArns.info),
    schedulerRoleArn: await outputValue(topics.schedulerRoleArn),
  };
  keyStatements = await outputValue(topics.keyPolicyStatements!);
  const withKey = new mod.NotificationTopics("keyed", { environment: "dev", notify: { ...NOTIFY, kmsKeyArn: undefined, createKmsKey: true, webhookUrl: undefined }, protect: false });
  keyed = {
    kmsKeyArn: await outputValue(withKey.kmsKeyArn!),
    statements: await outputValue(withKey.keyPolicyStatements!),
    schedulerRoleArn: await outputValue(withKey.schedulerRoleArn),
  };
  new mod.NotificationTopics("plain", { environment: "ops", notify: { emails: [], stakeholderEmails: [], noticeHours: 24, createKmsKey: false }, protect: false });
  await mocks.settle();
});

/** Registrations of the first component only. */
const first = () => mocks.recorded.filter((r) => r.name.startsWith("upkeep-notify"));

const policyFor = (topic: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "AllowUpkeepServicesToPublish",
      Effect: "Allow",
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: "sns:Publish",
      Resource: `${ARN_PREFIX}${topic}`,
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    },
  ],
});

test("topic names per severity", () => {
  assert.deepEqual(mod.topicNames("prod"), { critical: "upkeep-prod-critical", warning: "upkeep-prod-warning", info: "upkeep-prod-info" });
});

test("the topic policy lets CloudWatch and EventBridge publish, from the topic's own account (Scheduler publishes through its role)", () => {
  assert.deepEqual(mod.buildTopicPolicy(`${ARN_PREFIX}upkeep-prod-critical`), policyFor("upkeep-prod-critical"));
  assert.throws(() => mod.buildTopicPolicy("upkeep-prod-critical"), { message: 'not an ARN with an account id: "upkeep-prod-critical"' });
});

test("the subscription plan: on-call → critical and warning, stakeholders → info, webhook → all", () => {
  const h = (address: string) => mod.shortHash(address);
  assert.deepEqual(mod.subscriptionPlan(NOTIFY), [
    { topic: "critical", protocol: "email", endpoint: "oncall@example.com", key: `critical-email-${h("oncall@example.com")}` },
    { topic: "critical", protocol: "email", endpoint: "sre-lead@example.com", key: `critical-email-${h("sre-lead@example.com")}` },
    { topic: "critical", protocol: "https", endpoint: WEBHOOK, key: "critical-webhook" },
    { topic: "warning", protocol: "email", endpoint: "oncall@example.com", key: `warning-email-${h("oncall@example.com")}` },
    { topic: "warning", protocol: "email", endpoint: "sre-lead@example.com", key: `warning-email-${h("sre-lead@example.com")}` },
    { topic: "warning", protocol: "https", endpoint: WEBHOOK, key: "warning-webhook" },
    { topic: "info", protocol: "email", endpoint: "product@example.com", key: `info-email-${h("product@example.com")}` },
    { topic: "info", protocol: "https", endpoint: WEBHOOK, key: "info-webhook" },
  ]);
  assert.match(h("oncall@example.com"), /^[0-9a-f]{8}$/);
});

test("subscription keys are content hashes: reordering changes nothing, duplicates collapse, no webhook means none", () => {
  const keys = (n: Pick<NotifyConfig, "emails" | "stakeholderEmails" | "webhookUrl">) => mod.subscriptionPlan(n).map((s) => s.key).sort();
  const reordered = { emails: [...NOTIFY.emails].reverse(), stakeholderEmails: NOTIFY.stakeholderEmails, webhookUrl: WEBHOOK };
  assert.deepEqual(keys(reordered), keys(NOTIFY));
  const dup = { emails: ["oncall@example.com", "OnCall@example.com"], stakeholderEmails: [] };
  assert.deepEqual(mod.subscriptionPlan(dup).map((s) => s.endpoint), ["oncall@example.com", "oncall@example.com"]);
  assert.deepEqual(mod.subscriptionPlan({ emails: [], stakeholderEmails: [] }), []);
});

test("three topics with exact names and the KMS key", () => {
  const topics = mocks.byType("aws:sns/topic:Topic").filter((t) => t.name.startsWith("upkeep-notify"));
  assert.deepEqual(
    topics.map((t) => [t.name, t.inputs]),
    [
      ["upkeep-notify-critical", { name: "upkeep-prod-critical", kmsMasterKeyId: KMS }],
      ["upkeep-notify-info", { name: "upkeep-prod-info", kmsMasterKeyId: KMS }],
      ["upkeep-notify-warning", { name: "upkeep-prod-warning", kmsMasterKeyId: KMS }],
    ],
  );
  assert.deepEqual(outputs, {
    critical: `${ARN_PREFIX}upkeep-prod-critical`,
    warning: `${ARN_PREFIX}upkeep-prod-warning`,
    info: `${ARN_PREFIX}upkeep-prod-info`,
    schedulerRoleArn: `${ARN_PREFIX}upkeep-notify-scheduler`,
  });
});

test("one TopicPolicy per topic with the exact policy JSON", () => {
  const policies = mocks.byType("aws:sns/topicPolicy:TopicPolicy").filter((t) => t.name.startsWith("upkeep-notify"));
  assert.deepEqual(policies.map((p) => p.name), ["upkeep-notify-critical-policy", "upkeep-notify-info-policy", "upkeep-notify-warning-policy"]);
  for (const severity of ["critical", "warning", "info"]) {
    const p = mocks.named("aws:sns/topicPolicy:TopicPolicy", `upkeep-notify-${severity}-policy`);
    const topic = `upkeep-prod-${severity}`;
    assert.deepEqual(Object.keys(p.inputs).sort(), ["arn", "policy"]);
    assert.equal(p.inputs.arn, `${ARN_PREFIX}${topic}`);
    assert.equal(p.inputs.policy, JSON.stringify(policyFor(topic)));
  }
});

test("every subscription has the exact topic, protocol and endpoint", () => {
  const h = (address: string) => mod.shortHash(address);
  const subs = mocks.byType("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.name.startsWith("upkeep-notify"));
  const email = (topic: string, address: string) => [
    `upkeep-notify-${topic}-email-${h(address)}`,
    { topic: `${ARN_PREFIX}upkeep-prod-${topic}`, protocol: "email", endpoint: address },
  ];
  const webhook = (topic: string) => [
    `upkeep-notify-${topic}-webhook`,
    { topic: `${ARN_PREFIX}upkeep-prod-${topic}`, protocol: "https", endpoint: "[secret]" },
  ];
  const expected = [
    email("critical", "oncall@example.com"),
    email("critical", "sre-lead@example.com"),
    webhook("critical"),
    email("warning", "oncall@example.com"),
    email("warning", "sre-lead@example.com"),
    webhook("warning"),
    email("info", "product@example.com"),
    webhook("info"),
  ].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  assert.deepEqual(
    subs.map((s) => [s.name, redactSecrets(s.inputs)]),
    expected,
  );
});

test("the webhook URL arrives only as a secret and appears nowhere else", () => {
  const webhooks = mocks.byType("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.name.startsWith("upkeep-notify") && s.name.endsWith("-webhook"));
  assert.equal(webhooks.length, 3);
  for (const w of webhooks) {
    // Mocks receive secret inputs in Pulumi's wire wrapper: { <sig key>: <secret sig>, value }.
    assert.deepEqual(w.inputs.endpoint, { [SPECIAL_SIG_KEY]: SECRET_SIG, value: WEBHOOK }, w.name);
  }
  const visible = JSON.stringify(mocks.recorded.map((r) => ({ type: r.type, name: r.name, inputs: redactSecrets(r.inputs) })));
  assert.ok(!visible.includes("very-secret-token"), "the webhook URL leaked outside its secret");
  assert.ok(!visible.includes("hooks.example.com"), "the webhook host leaked outside its secret");
});

test("the scheduler role: Scheduler of this account assumes it, and it may publish to exactly the three topics", () => {
  const role = mocks.named("aws:iam/role:Role", "upkeep-notify-scheduler");
  assert.deepEqual(Object.keys(role.inputs).sort(), ["assumeRolePolicy", "description"]);
  assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)), {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowSchedulerToAssume",
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      },
    ],
  });
  const inline = mocks.named("aws:iam/rolePolicy:RolePolicy", "upkeep-notify-scheduler-publish");
  assert.equal(inline.inputs.role, "upkeep-notify-scheduler-id");
  assert.deepEqual(JSON.parse(String(inline.inputs.policy)), {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PublishToUpkeepTopics",
        Effect: "Allow",
        Action: "sns:Publish",
        Resource: [`${ARN_PREFIX}upkeep-prod-critical`, `${ARN_PREFIX}upkeep-prod-warning`, `${ARN_PREFIX}upkeep-prod-info`],
      },
      // The topics are encrypted with the customer key, and publishing needs it.
      { Sid: "UseTopicEncryptionKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: KMS },
    ],
  });
});

test("the publish policy: no key statement without a key; an alias ARN matches keys carrying that alias", () => {
  const topic = [`${ARN_PREFIX}upkeep-dev-info`];
  assert.deepEqual(mod.buildSchedulerPublishPolicy(topic).Statement, [
    { Sid: "PublishToUpkeepTopics", Effect: "Allow", Action: "sns:Publish", Resource: topic },
  ]);
  assert.deepEqual(mod.buildSchedulerPublishPolicy(topic, `arn:aws:kms:eu-central-1:${ACCOUNT}:alias/upkeep`).Statement[1], {
    Sid: "UseTopicEncryptionKey",
    Effect: "Allow",
    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
    Resource: `arn:aws:kms:eu-central-1:${ACCOUNT}:key/*`,
    Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/upkeep" } },
  });
});

test("with notify.kmsKeyArn: the exact statements the key's policy needs, as an output", () => {
  const roleArn = outputs.schedulerRoleArn;
  const actions = ["kms:Decrypt", "kms:GenerateDataKey*"];
  assert.deepEqual(keyStatements, [
    { Sid: "AllowCloudWatchAlarmsToPublishToUpkeepTopics", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: actions, Resource: "*" },
    { Sid: "AllowEventBridgeRulesToPublishToUpkeepTopics", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: actions, Resource: "*" },
    { Sid: "AllowUpkeepSchedulerRoleToPublish", Effect: "Allow", Principal: { AWS: roleArn }, Action: actions, Resource: "*" },
  ]);
  assert.equal(first().filter((r) => r.type.startsWith("aws:kms/")).length, 0, "a key given by ARN is the user's: upkeep changes nothing of it");
});

test("with notify.createKmsKey: a rotating key with those statements and the account's, its alias, and the topics on it", () => {
  assert.deepEqual(mocks.named("aws:kms/key:Key", "keyed-key").inputs, {
    description: "Encrypts the upkeep dev SNS topics; CloudWatch alarms, EventBridge rules and the upkeep scheduler role may use it",
    enableKeyRotation: true,
    deletionWindowInDays: 30,
  });
  assert.deepEqual(mocks.named("aws:kms/alias:Alias", "keyed-key-alias").inputs, { name: "alias/upkeep-dev-topics", targetKeyId: "keyed-key-key-id" });
  const policy = mocks.named("aws:kms/keyPolicy:KeyPolicy", "keyed-key-policy");
  assert.equal(policy.inputs.keyId, "keyed-key-key-id");
  assert.deepEqual(JSON.parse(String(policy.inputs.policy)), {
    Version: "2012-10-17",
    Statement: [
      { Sid: "EnableIamPoliciesOfTheAccount", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      ...(keyed.statements as object[]),
    ],
  });
  assert.equal(keyed.kmsKeyArn, `arn:aws:kms:eu-central-1:${ACCOUNT}:key/keyed-key`);
  for (const severity of ["critical", "warning", "info"]) {
    assert.deepEqual(mocks.named("aws:sns/topic:Topic", `keyed-${severity}`).inputs, { name: `upkeep-dev-${severity}`, kmsMasterKeyId: keyed.kmsKeyArn });
  }
  assert.deepEqual(JSON.parse(String(mocks.named("aws:iam/rolePolicy:RolePolicy", "keyed-scheduler-publish").inputs.policy)).Statement[1], {
    Sid: "UseTopicEncryptionKey",
    Effect: "Allow",
    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
    Resource: keyed.kmsKeyArn,
  });
  assert.equal((keyed.statements as { Principal: { AWS?: string } }[])[2]!.Principal.AWS, keyed.schedulerRoleArn);
});

test("without a key: unencrypted topics, no key statement, no key output", () => {
  assert.deepEqual(mocks.named("aws:sns/topic:Topic", "plain-critical").inputs, { name: "upkeep-ops-critical" });
  assert.equal(mocks.recorded.filter((r) => r.name.startsWith("plain") && r.type.startsWith("aws:kms/")).length, 0);
});

test("in production the topics, and only the topics, are protected", () => {
  const isProtected = [...protectedChildren].filter(([, p]) => p).map(([n]) => n).sort();
  assert.deepEqual(isProtected, ["upkeep-notify-critical", "upkeep-notify-info", "upkeep-notify-warning"]);
  assert.equal(protectedChildren.size, 17, "the component and its 16 children");
});

test("nothing else is registered", () => {
  const counts: Record<string, number> = {};
  for (const r of first()) counts[r.type] = (counts[r.type] ?? 0) + 1;
  assert.deepEqual(counts, {
    "upkeep:notify:NotificationTopics": 1,
    "aws:sns/topic:Topic": 3,
    "aws:sns/topicPolicy:TopicPolicy": 3,
    "aws:sns/topicSubscription:TopicSubscription": 8,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicy:RolePolicy": 1,
  });
});
