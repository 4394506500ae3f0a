// KubernetesObject registers a task's objects without the SDK class around
// them. What the provider sees must not change: the same type token, the
// same inputs, the provider version the SDK would send, and the caller's
// options untouched.
import { test } from "node:test";
import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { installComponentMocks } from "./support/componentMocks";

const mocks = installComponentMocks("dev");
const SDK_VERSION: string = require("@pulumi/kubernetes/package.json").version;

async function load() {
  await mocks;
  return {
    k8s: await import("@pulumi/kubernetes"),
    ko: await import("../components/kubernetes/kubernetesObject.js"),
    cronjob: await import("../components/kubernetes/cronjob.js"),
  };
}

const SERVICE_ACCOUNT = {
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: { name: "orders-vacuum", namespace: "upkeep", labels: { "app.kubernetes.io/name": "upkeep" } },
  automountServiceAccountToken: false,
} as const;

test("type tokens: the core group is spelt out, other groups and CRDs keep theirs", async () => {
  const { ko } = await load();
  assert.equal(ko.kubernetesTypeToken("v1", "ServiceAccount"), "kubernetes:core/v1:ServiceAccount");
  assert.equal(ko.kubernetesTypeToken("batch/v1", "CronJob"), "kubernetes:batch/v1:CronJob");
  assert.equal(ko.kubernetesTypeToken("monitoring.coreos.com/v1", "PrometheusRule"), "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
});

test("options: the SDK's provider version is added; everything the caller passed stays, its own version first", async () => {
  const { ko } = await load();
  assert.deepEqual(ko.kubernetesObjectOptions({ deleteBeforeReplace: true, aliases: ["urn:x"] }), {
    version: SDK_VERSION,
    deleteBeforeReplace: true,
    aliases: ["urn:x"],
  });
  assert.deepEqual(ko.kubernetesObjectOptions({ version: "4.0.0" }), { version: "4.0.0" });
});

test("the provider receives what the SDK class would send: same type, same inputs", async () => {
  const { k8s, ko } = await load();
  const recorder = await mocks;
  const seen: pulumi.ResourceTransformationArgs[] = [];
  const watch = { transformations: [(args: pulumi.ResourceTransformationArgs) => void seen.push(args) as undefined] };
  new ko.KubernetesObject("thin-sa", { ...SERVICE_ACCOUNT }, { deleteBeforeReplace: true, ...watch });
  new k8s.core.v1.ServiceAccount("sdk-sa", { metadata: SERVICE_ACCOUNT.metadata, automountServiceAccountToken: false }, watch);
  await recorder.settle();

  const thin = recorder.named("kubernetes:core/v1:ServiceAccount", "thin-sa");
  const sdk = recorder.named("kubernetes:core/v1:ServiceAccount", "sdk-sa");
  assert.deepEqual(thin.inputs, { ...SERVICE_ACCOUNT });
  assert.deepEqual(thin.inputs, sdk.inputs);

  const [thinArgs, sdkArgs] = [seen.find((a) => a.name === "thin-sa")!, seen.find((a) => a.name === "sdk-sa")!];
  assert.equal(thinArgs.type, sdkArgs.type);
  assert.equal(thinArgs.opts.version, SDK_VERSION);
  assert.equal(thinArgs.opts.version, sdkArgs.opts.version);
  assert.equal((thinArgs.opts as pulumi.CustomResourceOptions).deleteBeforeReplace, true);
});

test("a task's CronJob and ServiceAccount: exact types, names, inputs, options, and the CronJob waits for its ServiceAccount", async () => {
  const { ko, cronjob } = await load();
  const recorder = await mocks;
  const pulumiSdk = await import("@pulumi/pulumi");
  const { parseConfig } = await import("../components/config/index.js");
  const { planTasks, isDatabaseTask } = await import("../components/tasks/maintenanceTasks.js");
  const { databaseContainer } = await import("../components/kubernetes/containers.js");
  const { TIER_DEFAULTS } = await import("../components/config/tiers.js");

  const seen: pulumi.ResourceTransformationArgs[] = [];
  class Owner extends pulumiSdk.ComponentResource {
    constructor() {
      // A parent's transformations see every child's final options.
      super("upkeep:test:Owner", "owner", {}, { transformations: [(args) => void seen.push(args) as undefined] });
    }
  }
  const owner = new Owner();
  const config = parseConfig(
    {
      environment: { name: "dev", tier: "development", timezone: "Europe/Berlin", window: { days: ["sat"], start: "03:00", durationMinutes: 240 } },
      databases: [{ name: "orders", host: "orders.internal.example.com", database: "orders", credentialsSecret: "orders-db", vacuum: "weekly" }],
    },
    new Set(),
  );
  const task = planTasks(config, { fromYear: 2026 }).find(isDatabaseTask)!;
  const inputs = {
    task,
    environment: "dev",
    paused: false,
    namespace: "upkeep",
    tier: TIER_DEFAULTS.development,
    container: databaseContainer(task, "postgres:15", "dev"),
    scriptsConfigMap: "upkeep-scripts",
    scriptsChecksum: "sha256:0",
    runbookUrl: "https://runbooks.example.com/task-vacuum.md",
    window: "sat 01:00+180m Europe/Berlin",
  };
  const job = cronjob.declareTaskCronJob(owner, inputs, "upkeep:postgres:DatabaseMaintenance");
  await recorder.settle();

  assert.equal(task.id, "orders-vacuum");
  assert.ok(job instanceof ko.KubernetesObject);
  assert.equal(job.objectName, "orders-vacuum");
  const sa = recorder.named("kubernetes:core/v1:ServiceAccount", "orders-vacuum-sa");
  const cj = recorder.named("kubernetes:batch/v1:CronJob", "orders-vacuum-cronjob");
  assert.deepEqual(sa.inputs, cronjob.buildServiceAccount(inputs));
  assert.deepEqual(cj.inputs, JSON.parse(JSON.stringify(cronjob.buildCronJob(inputs))));

  const optsOf = (name: string) => seen.find((a) => a.name === name)!.opts as pulumi.CustomResourceOptions;
  const former = (type: string, name: string) =>
    `urn:pulumi:dev::upkeep::upkeep:postgres:DatabaseMaintenance$upkeep:kubernetes:MaintenanceCronJob$${type}::${name}`;
  assert.deepEqual(optsOf("orders-vacuum-sa").aliases, [former("kubernetes:core/v1:ServiceAccount", "orders-vacuum-sa")]);
  assert.deepEqual(optsOf("orders-vacuum-cronjob").aliases, [former("kubernetes:batch/v1:CronJob", "orders-vacuum-cronjob")]);
  for (const name of ["orders-vacuum-sa", "orders-vacuum-cronjob"]) {
    assert.equal(optsOf(name).parent, owner);
    assert.equal(optsOf(name).deleteBeforeReplace, true);
    assert.equal(optsOf(name).version, SDK_VERSION);
  }
  const dependsOn = optsOf("orders-vacuum-cronjob").dependsOn as pulumi.Resource[];
  assert.equal(dependsOn.length, 1);
  assert.ok(dependsOn[0] instanceof ko.KubernetesObject);
  assert.equal((dependsOn[0] as InstanceType<typeof ko.KubernetesObject>).objectName, "orders-vacuum");
});
