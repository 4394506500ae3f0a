/**
 * The guardrail policy pack: each rule passes a good resource (or stack) and
 * reports a bad one with exact messages, through the pure checks and through
 * the @pulumi/policy objects with fake engine args (a PolicyPack is never
 * constructed: it would start the policy server). Then the plan's runPolicies
 * over every committed stack, and over prod with a secret webhook.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { runProgram } from "../cli/mockRuntime";
import { runPolicies } from "../cli/policyCheck";
import { SECRET_PLACEHOLDER, readStackFile } from "../cli/stackFile";
import { ALERT_NAMES } from "../components/alerting/taskAlerts";
import { ANNOTATIONS } from "../components/kubernetes/labels";
import {
  checkAlerts,
  checkBackupVaults,
  checkCronJobHardening,
  checkIamWildcards,
  checkPlainTextSecrets,
  checkScheduleInWindow,
  policies,
  REDACTED_SECRET,
  REQUIRED_ALERTS,
  OUTSIDE_WINDOW_ANNOTATION,
  WINDOW_ANNOTATION,
  type CheckedResource,
} from "../policy/policies";
import { ROOT } from "./support/configs";
import { runPlan } from "./support/planChild";

type Obj = Record<string, any>;
const CRONJOB = "kubernetes:batch/v1:CronJob";
const WHO = "CronJob upkeep-maintenance/orders-vacuum";
const POD = "spec.jobTemplate.spec.template.spec";

/** A CronJob exactly as hardened as components/kubernetes/cronjob.ts builds it, in a 00:30–05:30 window. */
function hardenedCronJob(): Obj {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: {
      name: "orders-vacuum",
      namespace: "upkeep-maintenance",
      annotations: { [WINDOW_ANNOTATION]: "sat,sun 00:30 300 Europe/Berlin" },
    },
    spec: {
      schedule: "30 0 * * *",
      timeZone: "Europe/Berlin",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 120,
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 1800,
          template: {
            spec: {
              serviceAccountName: "orders-vacuum",
              automountServiceAccountToken: false,
              restartPolicy: "Never",
              securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: "task",
                  image: "docker.io/library/postgres:15.10-alpine",
                  env: [{ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "orders-db-maintenance", key: "PGPASSWORD" } } }],
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
                },
              ],
            },
          },
        },
      },
    },
  };
}

const resource = (type: string, name: string, props: Obj, opts?: CheckedResource["opts"]): CheckedResource => ({
  type,
  name,
  urn: `urn:pulumi:prod::upkeep::${type}::${name}`,
  props,
  ...(opts ? { opts } : {}),
});
const cronJob = (props: Obj = hardenedCronJob()) => resource(CRONJOB, "orders-vacuum-cronjob", props);

/** The three alerts components/alerting/taskAlerts.ts writes for each task, in one PrometheusRule. */
function prometheusRule(tasks: readonly string[], skip: readonly string[] = []): CheckedResource {
  const rules = tasks.flatMap((task) =>
    REQUIRED_ALERTS.filter((alert) => !skip.includes(`${task}/${alert}`)).map((alert) => ({
      alert,
      expr: "vector(1)",
      labels: { task, namespace: "upkeep-maintenance", severity: "critical" },
    })),
  );
  return resource("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "upkeep-prometheusrule", {
    metadata: { name: "upkeep-prod", namespace: "upkeep-maintenance" },
    spec: { groups: [{ name: "upkeep.prod.maintenance-jobs", rules }] },
  });
}

// --- the engine's argument shapes, as @pulumi/policy's .d.ts declares them ---

const engineOpts = (opts: CheckedResource["opts"] = {}): PolicyResourceOptions => ({
  protect: opts.protect ?? false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? [])],
});

function policyNamed<T extends ResourceValidationPolicy | StackValidationPolicy>(name: string): T {
  const policy = policies.find((p) => p.name === name);
  assert.ok(policy, `no policy ${name}`);
  assert.equal(policy.enforcementLevel, "mandatory");
  return policy as T;
}

async function validateResource(policyName: string, r: CheckedResource): Promise<string[]> {
  const policy = policyNamed<ResourceValidationPolicy>(policyName);
  const reported: string[] = [];
  const args: ResourceValidationArgs = {
    type: r.type,
    name: r.name,
    urn: r.urn ?? "",
    props: r.props,
    opts: engineOpts(r.opts),
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
  for (const validate of validations) await validate(args, (message) => reported.push(message));
  return reported;
}

async function validateStack(policyName: string, resources: readonly CheckedResource[], config: object = {}): Promise<string[]> {
  const policy = policyNamed<StackValidationPolicy>(policyName);
  const reported: string[] = [];
  const args: StackValidationArgs = {
    resources: resources.map(
      (r): PolicyResource => ({
        type: r.type,
        name: r.name,
        urn: r.urn ?? "",
        props: r.props,
        opts: engineOpts(r.opts),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }),
    ),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
  await policy.validateStack(args, (message) => reported.push(message));
  return reported;
}

test("the pack has the six rules, all mandatory", () => {
  assert.deepEqual(
    policies.map((p) => [p.name, p.enforcementLevel]),
    [
      ["cronjob-hardened", "mandatory"],
      ["no-plaintext-secrets", "mandatory"],
      ["iam-no-wildcard-actions", "mandatory"],
      ["schedule-inside-window", "mandatory"],
      ["cronjob-has-alerts", "mandatory"],
      ["production-backup-vaults-protected-and-locked", "mandatory"],
    ],
  );
  assert.deepEqual([...REQUIRED_ALERTS], Object.values(ALERT_NAMES), "the rule looks for the alerts components/alerting/taskAlerts.ts writes");
  assert.equal(WINDOW_ANNOTATION, ANNOTATIONS.window);
  assert.equal(OUTSIDE_WINDOW_ANNOTATION, ANNOTATIONS.outsideWindow);
  assert.equal(REDACTED_SECRET, SECRET_PLACEHOLDER, "the rule knows how the plan writes a secret");
});

// --- a. hardened CronJobs ---

test("cronjob-hardened: a hardened CronJob passes; other types are not its business", async () => {
  assert.deepEqual(checkCronJobHardening(cronJob()), []);
  assert.deepEqual(await validateResource("cronjob-hardened", cronJob()), []);
  assert.deepEqual(checkCronJobHardening(resource("kubernetes:batch/v1:Job", "j", { spec: {} })), []);
});

test("cronjob-hardened: one message per missing control, naming the CronJob and the field path", async () => {
  const props = hardenedCronJob();
  const spec = props.spec;
  spec.concurrencyPolicy = "Allow";
  spec.startingDeadlineSeconds = 5;
  delete spec.successfulJobsHistoryLimit;
  spec.failedJobsHistoryLimit = 0;
  const job = spec.jobTemplate.spec;
  job.backoffLimit = 10;
  delete job.activeDeadlineSeconds;
  job.ttlSecondsAfterFinished = 3600;
  const pod = job.template.spec;
  pod.restartPolicy = "OnFailure";
  delete pod.automountServiceAccountToken;
  pod.securityContext = { runAsNonRoot: false };
  pod.initContainers = [{ name: "wait", image: "busybox:1.36", resources: { requests: { cpu: "10m", memory: "8Mi" }, limits: { cpu: "10m", memory: "8Mi" } } }];
  const task = pod.containers[0];
  task.securityContext = { allowPrivilegeEscalation: true, capabilities: { drop: ["NET_RAW"] }, readOnlyRootFilesystem: false };
  delete task.resources.limits.memory;
  const expected = [
    `${WHO}: spec.concurrencyPolicy must be Forbid (got Allow)`,
    `${WHO}: spec.startingDeadlineSeconds must be at least 10 (got 5)`,
    `${WHO}: spec.successfulJobsHistoryLimit must be set`,
    `${WHO}: spec.failedJobsHistoryLimit must be at least 1 (got 0)`,
    `${WHO}: spec.jobTemplate.spec.backoffLimit must be between 0 and 6 (got 10)`,
    `${WHO}: spec.jobTemplate.spec.activeDeadlineSeconds must be a positive number of seconds (not set)`,
    `${WHO}: spec.jobTemplate.spec.ttlSecondsAfterFinished must not be set, it deletes failed Jobs and silences their alert (got 3600)`,
    `${WHO}: ${POD}.restartPolicy must be Never (got OnFailure)`,
    `${WHO}: ${POD}.automountServiceAccountToken must be false (not set)`,
    `${WHO}: ${POD}.securityContext.runAsNonRoot must be true (got false)`,
    `${WHO}: ${POD}.securityContext.seccompProfile.type must be RuntimeDefault (not set)`,
    `${WHO}: ${POD}.initContainers[0].securityContext.allowPrivilegeEscalation must be false (not set)`,
    `${WHO}: ${POD}.initContainers[0].securityContext.capabilities.drop must be [ALL] (not set)`,
    `${WHO}: ${POD}.initContainers[0].securityContext.readOnlyRootFilesystem must be true (not set)`,
    `${WHO}: ${POD}.containers[0].securityContext.allowPrivilegeEscalation must be false (got true)`,
    `${WHO}: ${POD}.containers[0].securityContext.capabilities.drop must be [ALL] (got ["NET_RAW"])`,
    `${WHO}: ${POD}.containers[0].securityContext.readOnlyRootFilesystem must be true (got false)`,
    `${WHO}: ${POD}.containers[0].resources.limits.memory must be set`,
  ];
  assert.deepEqual(checkCronJobHardening(cronJob(props)), expected);
  assert.deepEqual(await validateResource("cronjob-hardened", cronJob(props)), expected);
});

// --- b. three alerts per CronJob (a stack rule) ---

test("cronjob-has-alerts: every CronJob with its three alerts passes", async () => {
  const stack = [cronJob(), prometheusRule(["orders-vacuum"])];
  assert.deepEqual(checkAlerts(stack), []);
  assert.deepEqual(await validateStack("cronjob-has-alerts", stack), []);
});

test("cronjob-has-alerts: a missing alert, or one for another task or namespace, is reported", async () => {
  const other = hardenedCronJob();
  other.metadata.name = "orders-cleanup";
  const elsewhere = hardenedCronJob();
  elsewhere.metadata.name = "billing-vacuum";
  elsewhere.metadata.namespace = "other";
  const stack = [
    cronJob(),
    resource(CRONJOB, "orders-cleanup-cronjob", other),
    resource(CRONJOB, "billing-vacuum-cronjob", elsewhere),
    prometheusRule(["orders-vacuum", "billing-vacuum"], ["orders-vacuum/UpkeepJobFailed"]),
  ];
  const expected = [
    `${WHO}: no UpkeepJobFailed alert with labels.task "orders-vacuum" in any PrometheusRule`,
    `CronJob upkeep-maintenance/orders-cleanup: no UpkeepJobMissed alert with labels.task "orders-cleanup" in any PrometheusRule`,
    `CronJob upkeep-maintenance/orders-cleanup: no UpkeepJobFailed alert with labels.task "orders-cleanup" in any PrometheusRule`,
    `CronJob upkeep-maintenance/orders-cleanup: no UpkeepJobRunningTooLong alert with labels.task "orders-cleanup" in any PrometheusRule`,
    `CronJob other/billing-vacuum: no UpkeepJobMissed alert with labels.task "billing-vacuum" in any PrometheusRule`,
    `CronJob other/billing-vacuum: no UpkeepJobFailed alert with labels.task "billing-vacuum" in any PrometheusRule`,
    `CronJob other/billing-vacuum: no UpkeepJobRunningTooLong alert with labels.task "billing-vacuum" in any PrometheusRule`,
  ];
  assert.deepEqual(checkAlerts(stack), expected);
  assert.deepEqual(await validateStack("cronjob-has-alerts", stack), expected);
});

// --- c. production backup vaults (a stack rule; upkeep has no vaults yet) ---

const VAULT = "aws:backup/vault:Vault";
const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
const PROD = { stack: "prod", productionStacks: ["prod"] };

test("production-backup-vaults-protected-and-locked: a protected vault with a compliance lock passes; dev is not production", async () => {
  const stack = [
    resource(VAULT, "orders-vault", { name: "upkeep-prod-orders" }, { protect: true }),
    resource(LOCK, "orders-vault-lock", { backupVaultName: "upkeep-prod-orders", changeableForDays: 3, minRetentionDays: 7 }),
  ];
  assert.deepEqual(checkBackupVaults(stack, PROD), []);
  assert.deepEqual(await validateStack("production-backup-vaults-protected-and-locked", stack), []);
  const unguarded = [resource(VAULT, "orders-vault", { name: "upkeep-dev-orders" })];
  assert.deepEqual(checkBackupVaults(unguarded, { stack: "dev", productionStacks: ["prod"] }), []);
});

test("production-backup-vaults-protected-and-locked: unprotected, unlocked and governance-locked vaults are reported", async () => {
  const stack = [
    resource(VAULT, "orders-vault", { name: "upkeep-prod-orders" }),
    resource(VAULT, "billing-vault", {}, { protect: true }),
    resource(LOCK, "billing-vault-lock", { backupVaultName: "billing-vault", changeableForDays: 1 }),
    resource(VAULT, "audit-vault", { name: "audit" }, { protect: true }),
    resource(LOCK, "audit-vault-lock", { backupVaultName: "audit", minRetentionDays: 7 }),
  ];
  const expected = [
    `Vault orders-vault (stack prod): must be protected (protect: true)`,
    `Vault orders-vault (stack prod): no VaultLockConfiguration with backupVaultName "upkeep-prod-orders"`,
    `VaultLockConfiguration billing-vault-lock of vault "billing-vault": changeableForDays must be at least 3 (got 1)`,
    `VaultLockConfiguration audit-vault-lock of vault "audit": changeableForDays must be at least 3 (not set, a governance lock)`,
  ];
  assert.deepEqual(checkBackupVaults(stack, PROD), expected);
  // The engine gives no stack name: the policy reads it from the URNs (urn:pulumi:prod::…).
  assert.deepEqual(await validateStack("production-backup-vaults-protected-and-locked", stack), expected);
  // Which stacks are production is the pack's config.
  assert.deepEqual(await validateStack("production-backup-vaults-protected-and-locked", stack, { productionStacks: ["live"] }), []);
});

// --- d. no plain-text secrets ---

test("no-plaintext-secrets: redacted secrets, secret references and ordinary values pass", async () => {
  const subscription = resource("aws:sns/topicSubscription:TopicSubscription", "upkeep-critical-webhook", {
    endpoint: REDACTED_SECRET,
    protocol: "https",
    topic: "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-critical",
  });
  const provider = resource("pulumi:providers:kubernetes", "upkeep-kubernetes", { kubeconfig: REDACTED_SECRET });
  for (const r of [subscription, provider, cronJob()]) {
    assert.deepEqual(checkPlainTextSecrets(r), [], r.name);
    assert.deepEqual(await validateResource("no-plaintext-secrets", r), [], r.name);
  }
  // In the engine, secrets arrive decrypted: a Kubernetes Secret's data, and fields the resource
  // declares in additionalSecretOutputs, are trusted to be secret.
  const k8sSecret = resource("kubernetes:core/v1:Secret", "upkeep-webhook", { stringData: { url: "https://hooks.slack.com/services/T0/B0/x" } });
  assert.deepEqual(checkPlainTextSecrets(k8sSecret), []);
  const declared = { ...subscription, props: { ...subscription.props, endpoint: "https://hooks.slack.com/services/T0/B0/x" } };
  assert.deepEqual(checkPlainTextSecrets({ ...declared, opts: { additionalSecretOutputs: ["endpoint"] } }), []);
  const engineProvider = resource("pulumi:providers:kubernetes", "upkeep-kubernetes", { kubeconfig: "apiVersion: v1\nkind: Config" }, { additionalSecretOutputs: ["kubeconfig"] });
  assert.deepEqual(await validateResource("no-plaintext-secrets", engineProvider), []);
});

test("no-plaintext-secrets: every kind of plain-text secret is named by resource and path, never by value", async () => {
  const props = hardenedCronJob();
  props.spec.jobTemplate.spec.template.spec.containers[0].env.push(
    { name: "DATABASE_URL", value: "postgres://maint:hunter2@orders-db:5432/orders" },
    { name: "API_TOKEN", value: "hunter2" },
    { name: "NOTIFY", value: "https://hooks.slack.com/services/T000/B000/hunter2" },
    { name: "TEAMS", value: "https://acme.webhook.office.com/webhookb2/hunter2" },
    { name: "AWS_KEY_ID", value: "AKIAABCDEFGHIJKLMNOP" },
    { name: "GH", value: "ghp_0123456789abcdefghijABCDEFGHIJ012345" },
    { name: "SLACK_BOT", value: "xoxb-123456789012-hunter2hunter2" },
    { name: "EMPTY_PASSWORD", value: "" },
  );
  props.metadata.annotations["example.com/deploy-key"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nhunter2\n-----END OPENSSH PRIVATE KEY-----";
  const env = `${POD}.containers[0].env`;
  const who = "CronJob orders-vacuum-cronjob";
  const expected = [
    `${who}: metadata.annotations["example.com/deploy-key"] holds a private key in plain text; pass it as a Pulumi secret`,
    `${who}: ${env}[1].value holds a URL with embedded credentials in plain text; pass it as a Pulumi secret`,
    `${who}: ${env}[2].value (env API_TOKEN) holds plain text; take it from a Secret with valueFrom.secretKeyRef`,
    `${who}: ${env}[3].value holds a Slack webhook URL in plain text; pass it as a Pulumi secret`,
    `${who}: ${env}[4].value holds a Microsoft Teams webhook URL in plain text; pass it as a Pulumi secret`,
    `${who}: ${env}[5].value holds an AWS access key in plain text; pass it as a Pulumi secret`,
    `${who}: ${env}[6].value holds a GitHub token in plain text; pass it as a Pulumi secret`,
    `${who}: ${env}[7].value holds a Slack token in plain text; pass it as a Pulumi secret`,
  ];
  const found = checkPlainTextSecrets(cronJob(props));
  assert.deepEqual(found, expected);
  assert.ok(!found.join("\n").includes("hunter2"), "no message repeats a secret");
  assert.deepEqual(await validateResource("no-plaintext-secrets", cronJob(props)), expected);

  // The provider's kubeconfig reaches policies decrypted; upkeep's config already refuses a plain one.
  const provider = resource("pulumi:providers:kubernetes", "upkeep-kubernetes", { kubeconfig: "apiVersion: v1\nkind: Config" });
  const database = resource("aws:rds/instance:Instance", "orders", { masterPassword: "hunter2", password: "", username: "maint" });
  assert.deepEqual(
    [...checkPlainTextSecrets(provider), ...checkPlainTextSecrets(database)],
    ["Instance orders: masterPassword is named like a secret but holds plain text; pass it as a Pulumi secret"],
  );
});

test("no-plaintext-secrets: values the engine cannot know during preview are skipped, not fatal", () => {
  // The engine's props throw on access to an unknown value (@pulumi/policy's unknownCheckingProxy).
  const props: Obj = { protocol: "https" };
  Object.defineProperty(props, "endpoint", { enumerable: true, get: () => { throw new Error("string value at .endpoint can't be known during preview"); } });
  const r = resource("aws:sns/topicSubscription:TopicSubscription", "upkeep-critical-webhook", props);
  assert.deepEqual(checkPlainTextSecrets(r), []);
});

// --- e. no wildcard IAM actions ---

const statement = (Action: unknown, Effect = "Allow") => ({ Effect, Action, Resource: "*" });
const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });

test("iam-no-wildcard-actions: named actions pass, in JSON text or objects; Deny may use wildcards", async () => {
  const rolePolicy = resource("aws:iam/rolePolicy:RolePolicy", "upkeep-scheduler-publish", { policy: doc(statement("sns:Publish"), statement("*", "Deny")) });
  const role = resource("aws:iam/role:Role", "upkeep-scheduler", {
    assumeRolePolicy: { Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" } },
    inlinePolicies: [{ name: "read", policy: doc(statement(["s3:GetObject", "s3:ListBucket"])) }],
  });
  for (const r of [rolePolicy, role]) {
    assert.deepEqual(checkIamWildcards(r), [], r.name);
    assert.deepEqual(await validateResource("iam-no-wildcard-actions", r), [], r.name);
  }
});

test("iam-no-wildcard-actions: `*` and `service:*` are reported, in every policy-bearing type", async () => {
  const policy = resource("aws:iam/policy:Policy", "broad", { policy: doc(statement("*"), statement(["sns:Publish", "s3:*"])) });
  const role = resource("aws:iam/role:Role", "upkeep-scheduler", {
    assumeRolePolicy: doc(statement("sts:*")),
    inlinePolicies: [{ name: "ok", policy: doc(statement("sns:Publish")) }, { name: "bad", policy: doc(statement(["kms:*"])) }],
  });
  const topicPolicy = resource("aws:sns/topicPolicy:TopicPolicy", "upkeep-critical-policy", { policy: { Statement: [statement("sns:*")] } });
  const broken = resource("aws:iam/rolePolicy:RolePolicy", "broken", { policy: "{not json" });
  const expected = [
    "Policy broad: policy Statement[0].Action must not be a wildcard (got *)",
    "Policy broad: policy Statement[1].Action[1] must not be a wildcard (got s3:*)",
    "Role upkeep-scheduler: assumeRolePolicy Statement[0].Action must not be a wildcard (got sts:*)",
    "Role upkeep-scheduler: inlinePolicies[1].policy Statement[0].Action[0] must not be a wildcard (got kms:*)",
    "TopicPolicy upkeep-critical-policy: policy Statement[0].Action must not be a wildcard (got sns:*)",
    "RolePolicy broken: policy is not valid JSON, so its actions cannot be checked",
  ];
  const all = [policy, role, topicPolicy, broken];
  assert.deepEqual(all.flatMap(checkIamWildcards), expected);
  const viaEngine: string[] = [];
  for (const r of all) viaEngine.push(...(await validateResource("iam-no-wildcard-actions", r)));
  assert.deepEqual(viaEngine, expected);
});

// --- f. schedules inside the window ---

function scheduled(schedule: string, deadlineSeconds: number, window = "tue,thu 22:30 180 Europe/Berlin"): Obj {
  const props = hardenedCronJob();
  props.spec.schedule = schedule;
  props.spec.jobTemplate.spec.activeDeadlineSeconds = deadlineSeconds;
  props.metadata.annotations[WINDOW_ANNOTATION] = window;
  return props;
}

test("schedule-inside-window: runs that end by the window's end pass, across midnight too; outsideWindow is exempt", async () => {
  const passing = [
    scheduled("30 22 * * *", 1800), // the window's first slot
    scheduled("10 1 * * 5", 1200), // after midnight, ending exactly at 01:30
    scheduled("0,30 23 * * 2", 1800),
    scheduled("30 0 * * *", 1800, "sat,sun 00:30 300 Europe/Berlin"),
  ];
  const outside = scheduled("0 7 * * *", 600);
  outside.metadata.annotations[OUTSIDE_WINDOW_ANNOTATION] = "true";
  for (const props of [...passing, outside]) {
    assert.deepEqual(checkScheduleInWindow(cronJob(props)), [], props.spec.schedule);
    assert.deepEqual(await validateResource("schedule-inside-window", cronJob(props)), [], props.spec.schedule);
  }
});

test("schedule-inside-window: runs outside the window, a wrong zone, and a missing or malformed window are reported", async () => {
  const cases: [Obj, string[]][] = [
    [scheduled("20 1 * * 5", 1200), [`${WHO}: spec.schedule "20 1 * * 5" runs 01:20–01:40, outside the window 22:30–01:30 Europe/Berlin (set outsideWindow to allow it)`]],
    [
      scheduled("0 */4 * * *", 1800),
      [`${WHO}: spec.schedule "0 */4 * * *" runs 04:00–04:30, 08:00–08:30, 12:00–12:30 and 2 more, outside the window 22:30–01:30 Europe/Berlin (set outsideWindow to allow it)`],
    ],
    [
      (() => {
        const p = scheduled("30 22 * * *", 1800);
        p.spec.timeZone = "UTC";
        return p;
      })(),
      [`${WHO}: spec.timeZone must be the window's zone Europe/Berlin (got UTC)`],
    ],
    [scheduled("61 22 * * *", 1800), [`${WHO}: spec.schedule "61 22 * * *" is not a valid cron expression: minute field has 61, outside 0-59`]],
    [scheduled("30 22 * * *", 1800, "tue 22:30"), [`${WHO}: annotation upkeep.dev/window must be "<days> <HH:MM> <minutes> <zone>" (got tue 22:30)`]],
    [
      (() => {
        const p = hardenedCronJob();
        delete p.metadata.annotations[WINDOW_ANNOTATION];
        return p;
      })(),
      [`${WHO} has no upkeep.dev/window annotation`],
    ],
  ];
  for (const [props, expected] of cases) {
    assert.deepEqual(checkScheduleInWindow(cronJob(props)), expected);
    assert.deepEqual(await validateResource("schedule-inside-window", cronJob(props)), expected);
  }
});

// --- the offline plan runs the same rules ---

const STACKS = readdirSync(join(ROOT, "stacks"))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

for (const stack of STACKS) {
  test(`runPolicies: the plan of ${stack} violates no policy`, async () => {
    const plan = await runPlan({ stack });
    try {
      assert.equal(plan.code, 0, plan.stderr);
      assert.deepEqual(runPolicies(plan.json("resources.json"), stack), []);
    } finally {
      plan.cleanup();
    }
  });
}

test("runPolicies: prod with a secret webhook and kubeconfig passes; the same values in plain text are reported", async () => {
  const prod = readStackFile(join(ROOT, "stacks", "Pulumi.prod.yaml"));
  const webhook = "https://hooks.slack.com/services/T000/B000/hunter2";
  const notify = { ...JSON.parse(prod.all["upkeep:notify"]!), webhookUrl: webhook };
  const run = await runProgram(join(ROOT, "index.ts"), "prod", {
    all: { ...prod.all, "upkeep:kubeconfig": "apiVersion: v1\nkind: Config", "upkeep:notify": JSON.stringify(notify) },
    secretKeys: [...prod.secretKeys, "upkeep:kubeconfig", "upkeep:notify"],
  });
  assert.deepEqual(runPolicies(run.resources, "prod"), []);

  // What a program that forgot pulumi.secret would record: the webhook in the clear.
  const leaked = run.resources.map((r) =>
    r.type === "aws:sns/topicSubscription:TopicSubscription" && r.inputs.endpoint === SECRET_PLACEHOLDER ? { ...r, inputs: { ...r.inputs, endpoint: webhook } } : r,
  );
  assert.deepEqual(
    runPolicies(leaked, "prod"),
    ["critical", "info", "warning"].map(
      (t) => `[no-plaintext-secrets] TopicSubscription upkeep-${t}-webhook: endpoint holds a Slack webhook URL in plain text; pass it as a Pulumi secret`,
    ),
  );
});

test("runPolicies: prefixes each violation with its policy and checks vaults against the stack it is given", () => {
  const recorded = (r: CheckedResource) => ({ urn: r.urn!, type: r.type, name: r.name, parent: "", inputs: r.props, options: { ...r.opts } });
  const vault = recorded(resource(VAULT, "orders-vault", { name: "orders" }));
  assert.deepEqual(runPolicies([vault], "dev"), []);
  assert.deepEqual(runPolicies([vault], "prod"), [
    "[production-backup-vaults-protected-and-locked] Vault orders-vault (stack prod): must be protected (protect: true)",
    '[production-backup-vaults-protected-and-locked] Vault orders-vault (stack prod): no VaultLockConfiguration with backupVaultName "orders"',
  ]);
  assert.deepEqual(runPolicies([vault], "live", { productionStacks: ["live"] }).length, 2);
});
