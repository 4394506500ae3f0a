/**
 * `upkeep:kubernetes.version` against what the objects really need: the
 * features read back from every CronJob of the prod plan (which verifies a
 * dump) are exactly the ones the config check knows for that task, so a new
 * feature in a builder cannot slip past the check. And the refusal end to
 * end: the plan exits 2, names the feature, and writes nothing.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { readStackFile } from "../cli/stackFile";
import { parsePulumiConfig } from "../components/config";
import { taskFeatures } from "../components/jobs";
import { featuresOfObject } from "../components/kubernetes";
import { planTasks } from "../components/tasks";
import { ROOT } from "./support/configs";
import { runPlan } from "./support/planChild";

type Obj = { kind: string; metadata: { name: string }; spec?: any };
const PROD = join(ROOT, "stacks", "Pulumi.prod.yaml");

test("every CronJob of the prod plan uses exactly the Kubernetes features the version check knows for its task", async () => {
  const plan = await runPlan({ stack: "prod" });
  try {
    assert.equal(plan.code, 0, plan.stderr);
    const objects = parseAllDocuments(plan.file("kubernetes.yaml")!).map((d) => d.toJSON() as Obj);
    const { all, secretKeys } = readStackFile(PROD);
    const tasks = planTasks(parsePulumiConfig(all, new Set(secretKeys)), { fromYear: 2026 });
    const cronJobs = objects.filter((o) => o.kind === "CronJob");
    assert.equal(cronJobs.length, tasks.length);
    const used = new Set<string>();
    for (const cronJob of cronJobs) {
      const task = tasks.find((t) => t.id === cronJob.metadata.name);
      assert.ok(task, cronJob.metadata.name);
      const features = featuresOfObject(cronJob);
      features.forEach((f) => used.add(f));
      assert.deepEqual(features, taskFeatures(task), cronJob.metadata.name);
    }
    // The plan exercises both features, so the comparison above is not vacuous.
    assert.deepEqual([...used].sort(), ["cronJobTimeZone", "nativeSidecar"]);
  } finally {
    plan.cleanup();
  }
});

test("featuresOfObject reads a native sidecar and spec.timeZone, and nothing from other kinds", () => {
  const cronJob = (timeZone: string | undefined, init: object[]) => ({
    kind: "CronJob",
    spec: { ...(timeZone ? { timeZone } : {}), jobTemplate: { spec: { template: { spec: { initContainers: init } } } } },
  });
  assert.deepEqual(featuresOfObject(cronJob("Europe/Berlin", [{ name: "scratch", restartPolicy: "Always" }])), ["cronJobTimeZone", "nativeSidecar"]);
  assert.deepEqual(featuresOfObject(cronJob(undefined, [{ name: "plain-init" }])), []);
  assert.deepEqual(featuresOfObject({ kind: "ConfigMap" }), []);
});

test("the plan refuses a prod stack declared for Kubernetes 1.28: exit 2, the sidecar named, nothing written", async () => {
  const yaml = readFileSync(PROD, "utf8").replace("  upkeep:kubernetes:\n", '  upkeep:kubernetes:\n    version: "1.28"\n');
  assert.match(yaml, /version: "1.28"/);
  const plan = await runPlan({ stack: "prod", stackYaml: yaml });
  try {
    assert.equal(plan.code, 2, plan.stdout + plan.stderr);
    assert.equal(
      plan.stderr,
      "upkeep: invalid configuration:\n" +
        'upkeep:backups.dumps[0]: a native sidecar (an init container with restartPolicy: Always and a readiness probe) needs Kubernetes 1.29, and upkeep:kubernetes.version is "1.28": dump verification runs its scratch PostgreSQL as one, beside the restore\n',
    );
    assert.equal(existsSync(plan.outDir), false);
  } finally {
    plan.cleanup();
  }
});
