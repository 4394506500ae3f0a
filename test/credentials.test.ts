/**
 * Secrets Manager rotation under Pulumi's runtime mocks (setMocks first, then
 * the import): each SecretRotation's UTC rotation rules for windows in three
 * zones (one crossing 00:00 UTC), the failure EventBridge rule against the
 * CloudTrail event shape scoped to the configured secrets, its target, and
 * with aws.configRules one Config rule per credential.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { CredentialConfig } from "../components/certificates/credentials";
import { installComponentMocks, type ComponentMocks } from "./support/componentMocks";

const ACCOUNT = "123456789012";
const TOPICS = {
  critical: `arn:aws:sns:eu-central-1:${ACCOUNT}:upkeep-prod-critical`,
  warning: `arn:aws:sns:eu-central-1:${ACCOUNT}:upkeep-prod-warning`,
  info: `arn:aws:sns:eu-central-1:${ACCOUNT}:upkeep-prod-info`,
};
const secret = (name: string) => `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:${name}-AbCdEf`;
const LAMBDA = `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:rotate-postgres`;
const credential = (name: string, everyDays: number): CredentialConfig => ({ name, secretId: secret(name), rotationLambdaArn: LAMBDA, everyDays });

type Module = typeof import("../components/certificates/credentials");
let mocks: ComponentMocks;
let mod: Module;

before(async () => {
  mocks = await installComponentMocks("prod", { attributes: ({ name }) => ({ arn: `arn:aws:mock:eu-central-1:${ACCOUNT}:${name}` }) });
  mod = await import("../components/certificates/credentials.js");
  const common = { configRules: false, topicArns: TOPICS, fromYear: 2026 };
  // Berlin: CET and CEST must both fit.
  new mod.CredentialRotation("berlin", {
    ...common,
    configRules: true,
    environment: "prod",
    window: { days: ["sat", "sun"], start: "01:30", durationMinutes: 240 },
    timeZone: "Europe/Berlin",
    credentials: [credential("orders-db", 30), credential("billing-db", 90), credential("cache", 1)],
  });
  // New York 18:00 for 4 h is 23:00–02:00 UTC at both offsets together: it crosses 00:00 UTC.
  new mod.CredentialRotation("newyork", {
    ...common,
    environment: "us",
    window: { days: ["sat"], start: "18:00", durationMinutes: 240 },
    timeZone: "America/New_York",
    credentials: [credential("crm-db", 7)],
  });
  // Tokyo has no DST; its early-morning window is the previous UTC day.
  new mod.CredentialRotation("tokyo", {
    ...common,
    environment: "jp",
    window: { days: ["sun"], start: "02:00", durationMinutes: 120 },
    timeZone: "Asia/Tokyo",
    credentials: [credential("shop-db", 60)],
  });
  new mod.CredentialRotation("none", {
    ...common,
    environment: "dev",
    window: { days: ["sat"], start: "02:00", durationMinutes: 120 },
    timeZone: "Asia/Tokyo",
    credentials: [],
  });
  await mocks.settle();
});

const rotation = (name: string, scheduleExpression: string, duration: string) => [
  name,
  {
    secretId: secret(name.replace(/^[a-z]+-/, "")),
    rotationLambdaArn: LAMBDA,
    rotationRules: { scheduleExpression, duration },
    rotateImmediately: false,
  },
];

test("rotation rules in UTC, inside the window at every offset, never past 00:00 UTC", () => {
  assert.deepEqual(
    mocks.byType("aws:secretsmanager/secretRotation:SecretRotation").map((r) => [r.name, r.inputs]),
    [
      // 01:30–05:30 Berlin is 00:30–04:30 UTC (CET) and 23:30–03:30 UTC (CEST): 01:00–03:00 UTC fits both.
      rotation("berlin-billing-db", "cron(0 1 ? * SAT#1 *)", "2h"),
      rotation("berlin-cache", "cron(0 1 * * ? *)", "2h"),
      rotation("berlin-orders-db", "cron(0 1 ? * SAT *)", "2h"),
      // Saturday 18:00–22:00 New York: 23:00–02:00 UTC at both offsets; the longer side of midnight is Sunday 00:00–02:00.
      rotation("newyork-crm-db", "cron(0 0 ? * SUN *)", "2h"),
      // Sunday 02:00–04:00 Tokyo is Saturday 17:00–19:00 UTC.
      rotation("tokyo-shop-db", "cron(0 17 ? * SAT#1 *)", "2h"),
    ],
  );
});

test("rotation failures: the CloudTrail service event shape of the configured secrets, exactly, to the critical topic", () => {
  const rule = mocks.named("aws:cloudwatch/eventRule:EventRule", "berlin-rotation-failed");
  assert.equal(rule.inputs.name, "upkeep-prod-secret-rotation-failed");
  assert.deepEqual(JSON.parse(String(rule.inputs.eventPattern)), {
    source: ["aws.secretsmanager"],
    "detail-type": ["AWS Service Event via CloudTrail"],
    detail: {
      eventSource: ["secretsmanager.amazonaws.com"],
      eventName: ["RotationFailed", "RotationAbandoned", "TestRotationFailed"],
      additionalEventData: { SecretId: [secret("orders-db"), secret("billing-db"), secret("cache")] },
    },
  });
  assert.deepEqual(mocks.named("aws:cloudwatch/eventTarget:EventTarget", "berlin-rotation-failed-critical").inputs, {
    rule: "upkeep-prod-secret-rotation-failed",
    arn: TOPICS.critical,
    targetId: "upkeep-critical-topic",
  });
});

test("with configRules: secretsmanager-secret-periodic-rotation per credential, scoped to its secret, bounded by its everyDays", () => {
  const rules = mocks.byType("aws:cfg/rule:Rule");
  assert.deepEqual(rules.map((r) => r.name), ["berlin-billing-db-rotation-check", "berlin-cache-rotation-check", "berlin-orders-db-rotation-check"]);
  assert.deepEqual(mocks.named("aws:cfg/rule:Rule", "berlin-orders-db-rotation-check").inputs, {
    name: "upkeep-prod-secret-rotation-orders-db",
    description: "Secret orders-db must have rotated within the last 30 days (upkeep prod).",
    source: { owner: "AWS", sourceIdentifier: "SECRETSMANAGER_SECRET_PERIODIC_ROTATION" },
    inputParameters: '{"maxDaysSinceRotation":"30"}',
    scope: { complianceResourceTypes: ["AWS::SecretsManager::Secret"], complianceResourceId: secret("orders-db") },
    maximumExecutionFrequency: "TwentyFour_Hours",
  });
  assert.equal(mocks.named("aws:cfg/rule:Rule", "berlin-cache-rotation-check").inputs.inputParameters, '{"maxDaysSinceRotation":"1"}');
  const noncompliant = mocks.named("aws:cloudwatch/eventRule:EventRule", "berlin-orders-db-rotation-check-noncompliant");
  assert.equal(noncompliant.inputs.name, "upkeep-prod-secret-rotation-orders-db-noncompliant");
  assert.deepEqual(JSON.parse(String(noncompliant.inputs.eventPattern)).detail.configRuleName, ["upkeep-prod-secret-rotation-orders-db"]);
  assert.equal(mocks.named("aws:cloudwatch/eventTarget:EventTarget", "berlin-orders-db-rotation-check-noncompliant-warning").inputs.arn, TOPICS.warning);
});

test("without credentials nothing but the component; access-keys-rotated is an account-wide rule now", () => {
  assert.deepEqual(
    mocks.recorded.filter((r) => r.name.startsWith("none")).map((r) => [r.type, r.name]),
    [["upkeep:credentials:CredentialRotation", "none"]],
  );
});

test("nothing else is registered", () => {
  const counts: Record<string, number> = {};
  for (const r of mocks.recorded) counts[r.type] = (counts[r.type] ?? 0) + 1;
  assert.deepEqual(counts, {
    "upkeep:credentials:CredentialRotation": 4,
    "aws:secretsmanager/secretRotation:SecretRotation": 5,
    "aws:cloudwatch/eventRule:EventRule": 6,
    "aws:cloudwatch/eventTarget:EventTarget": 6,
    "aws:cfg/rule:Rule": 3,
  });
});

test("a window that cannot hold a rotation is an error that says why and how to fix it", async () => {
  const { RotationWindowError } = await import("../components/certificates/rotationWindow.js");
  assert.throws(
    () => mod.rotationRules({ everyDays: 30 }, { window: { days: ["sat"], start: "01:30", durationMinutes: 60 }, timeZone: "Europe/Berlin", fromYear: 2026 }),
    (error: unknown) =>
      error instanceof RotationWindowError &&
      error.message ===
        "the maintenance window 01:30–02:30 Europe/Berlin is 00:30–01:30 UTC at UTC+01:00 and 23:30–00:30 UTC at UTC+02:00, which share no whole UTC hour, " +
          "and Secrets Manager rotation windows open on the hour in UTC and last at least 1 hour; widen the window to at least 150 minutes (environment.window.durationMinutes: 150)",
  );
});
