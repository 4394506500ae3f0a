/**
 * Which Kubernetes features each task's objects need, in the terms of the
 * config that asked for them, so `upkeep:kubernetes.version` can refuse a
 * config its cluster would refuse. test/kubernetesVersion.test.ts checks
 * these against the features the built CronJobs really use.
 */
import { formatPath } from "../config";
import type { FeatureUse, KubernetesFeatureName } from "../kubernetes";
import { isDumpVerifyTask, type MaintenanceTask } from "../tasks";

/** The features one task's CronJob uses. */
export function taskFeatures(task: MaintenanceTask): KubernetesFeatureName[] {
  // Every CronJob runs in the window's zone; dump verification's scratch server is a native sidecar.
  return isDumpVerifyTask(task) ? ["cronJobTimeZone", "nativeSidecar"] : ["cronJobTimeZone"];
}

/** Each use with the key path to name: the zone is every task's, so it names the version itself. */
export function kubernetesFeatureUses(tasks: readonly MaintenanceTask[]): FeatureUse[] {
  const uses: FeatureUse[] = [];
  if (tasks.some((t) => taskFeatures(t).includes("cronJobTimeZone"))) {
    uses.push({
      feature: "cronJobTimeZone",
      path: formatPath(["kubernetes", "version"]),
      usedFor: "every task's CronJob runs in the window's zone through it",
    });
  }
  for (const task of tasks.filter((t) => taskFeatures(t).includes("nativeSidecar"))) {
    uses.push({ feature: "nativeSidecar", path: task.configPath, usedFor: "dump verification runs its scratch PostgreSQL as one, beside the restore" });
  }
  return uses;
}
