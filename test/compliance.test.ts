/**
 * The account-wide AWS Config rules under Pulumi's runtime mocks: exactly the
 * rules and parameters AWS documents for each managed rule, each with its
 * NON_COMPLIANT EventBridge rule to the warning topic, and the alias that
 * keeps the access-key rule a stack already has.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { installComponentMocks, type ComponentMocks } from "./support/componentMocks";

const WARNING = "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-warning";
let mocks: ComponentMocks;
const aliases = new Map<string, unknown>();
type Module = typeof import("../components/compliance/configRules");
let rules: Module;

before(async () => {
  mocks = await installComponentMocks("prod");
  const { AccountWideRules } = await import("../components/compliance/accountWide.js");
  rules = await import("../components/compliance/configRules.js");
  const record = {
    transformations: [
      (args: { name: string; opts: { aliases?: unknown } }) => {
        if (args.opts.aliases !== undefined) aliases.set(args.name, args.opts.aliases);
        return undefined;
      },
    ],
  };
  new AccountWideRules("upkeep", { environment: "prod", warningTopicArn: WARNING, accessKeysMaxAgeDays: 60, authorizedPorts: [443, "8443-8444"], oldestSupportedVersion: "1.29" }, record);
  new AccountWideRules("bare", { environment: "ops", warningTopicArn: WARNING, accessKeysMaxAgeDays: 90, authorizedPorts: [] });
  await mocks.settle();
});

test("the four account-wide rules, with AWS's identifiers and string parameters", () => {
  const inputs = (name: string) => mocks.named("aws:cfg/rule:Rule", name).inputs;
  assert.deepEqual(inputs("upkeep-access-keys-rotated"), {
    name: "upkeep-prod-access-keys-rotated",
    description: "IAM access keys must be younger than 60 days (account-wide, owned by upkeep prod).",
    source: { owner: "AWS", sourceIdentifier: "ACCESS_KEYS_ROTATED" },
    inputParameters: '{"maxAccessKeyAge":"60"}',
    maximumExecutionFrequency: "TwentyFour_Hours",
  });
  // Change-triggered rules take no maximumExecutionFrequency.
  assert.deepEqual(inputs("upkeep-restricted-ssh"), {
    name: "upkeep-prod-restricted-ssh",
    description: "No security group may allow SSH (TCP 22) from 0.0.0.0/0 or ::/0 (account-wide, owned by upkeep prod).",
    source: { owner: "AWS", sourceIdentifier: "INCOMING_SSH_DISABLED" },
    scope: { complianceResourceTypes: ["AWS::EC2::SecurityGroup"] },
  });
  assert.deepEqual(inputs("upkeep-vpc-sg-authorized-ports"), {
    name: "upkeep-prod-vpc-sg-authorized-ports",
    description: "Security groups open to 0.0.0.0/0 or ::/0 may open only TCP 443,8443-8444 (account-wide, owned by upkeep prod).",
    source: { owner: "AWS", sourceIdentifier: "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS" },
    inputParameters: '{"authorizedTcpPorts":"443,8443-8444"}',
    scope: { complianceResourceTypes: ["AWS::EC2::SecurityGroup"] },
    maximumExecutionFrequency: "TwentyFour_Hours",
  });
  assert.deepEqual(inputs("upkeep-eks-supported-version"), {
    name: "upkeep-prod-eks-cluster-supported-version",
    description: "EKS clusters must run Kubernetes 1.29 or newer (account-wide, owned by upkeep prod).",
    source: { owner: "AWS", sourceIdentifier: "EKS_CLUSTER_SUPPORTED_VERSION" },
    inputParameters: '{"oldestVersionSupported":"1.29"}',
    scope: { complianceResourceTypes: ["AWS::EKS::Cluster"] },
  });
});

test("no authorized ports: every group open to the internet is non-compliant; no oldest version: no EKS rule", () => {
  const bare = mocks.byType("aws:cfg/rule:Rule").filter((r) => r.name.startsWith("bare-"));
  assert.deepEqual(bare.map((r) => r.name), ["bare-access-keys-rotated", "bare-restricted-ssh", "bare-vpc-sg-authorized-ports"]);
  const ports = mocks.named("aws:cfg/rule:Rule", "bare-vpc-sg-authorized-ports").inputs;
  assert.equal(ports.inputParameters, undefined);
  assert.equal(ports.description, "Security groups open to 0.0.0.0/0 or ::/0 may open no port (account-wide, owned by upkeep ops).");
});

test("each rule's NON_COMPLIANT evaluations go to the warning topic", () => {
  for (const [child, rule] of [
    ["upkeep-access-keys-rotated", "upkeep-prod-access-keys-rotated"],
    ["upkeep-restricted-ssh", "upkeep-prod-restricted-ssh"],
    ["upkeep-vpc-sg-authorized-ports", "upkeep-prod-vpc-sg-authorized-ports"],
    ["upkeep-eks-supported-version", "upkeep-prod-eks-cluster-supported-version"],
  ] as const) {
    const events = mocks.named("aws:cloudwatch/eventRule:EventRule", `${child}-noncompliant`).inputs;
    assert.equal(events.name, `${rule}-noncompliant`);
    assert.deepEqual(JSON.parse(String(events.eventPattern)), rules.nonCompliantPattern(rule));
    assert.deepEqual(mocks.named("aws:cloudwatch/eventTarget:EventTarget", `${child}-noncompliant-warning`).inputs, {
      rule: `${rule}-noncompliant`,
      arn: WARNING,
      targetId: "upkeep-warning-topic",
    });
  }
});

test("the access-key rule keeps the URN it had under CredentialRotation, so upgrading never deletes the live rule", () => {
  assert.deepEqual(aliases.get("upkeep-access-keys-rotated"), [
    "urn:pulumi:prod::upkeep::upkeep:credentials:CredentialRotation$aws:cfg/rule:Rule::upkeep-access-keys-rotated",
  ]);
  assert.deepEqual([...aliases.keys()], ["upkeep-access-keys-rotated"]);
});

test("an event rule name over 64 characters keeps a readable prefix and a hash", async () => {
  const { eventRuleName } = await import("../components/alerting/eventsToTopic.js");
  assert.equal(eventRuleName("upkeep-prod-restricted-ssh-noncompliant"), "upkeep-prod-restricted-ssh-noncompliant");
  const long = eventRuleName(`upkeep-${"a".repeat(40)}-eks-cluster-supported-version-noncompliant`);
  assert.equal(long.length, 64);
  assert.match(long, /^upkeep-a{40}-eks-clu-[0-9a-f]{8}$/);
});
