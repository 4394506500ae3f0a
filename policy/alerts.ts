/**
 * Rule b (a stack rule): every CronJob has its three alerts. A CronJob
 * without them fails silently, which is the failure upkeep exists to prevent.
 * The alerts are found by what components/alerting/taskAlerts.ts writes: a PrometheusRule
 * rule with the alert's name and `labels.task` = the CronJob's name (and,
 * when the rule names one, the CronJob's namespace).
 */
import { at, cronJobLabel, TYPES, type CheckedResource } from "./resource";

export const REQUIRED_ALERTS = ["UpkeepJobMissed", "UpkeepJobFailed", "UpkeepJobRunningTooLong"] as const;

interface AlertKey {
  readonly alert: string;
  readonly task: string;
  readonly namespace?: string;
}

function alertsIn(rule: CheckedResource): AlertKey[] {
  const groups = at(rule.props, "spec", "groups");
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((group: unknown) => {
    const rules = at(group, "rules");
    if (!Array.isArray(rules)) return [];
    return rules.flatMap((r: unknown) => {
      const alert = at(r, "alert");
      const task = at(r, "labels", "task");
      const namespace = at(r, "labels", "namespace");
      if (typeof alert !== "string" || typeof task !== "string") return [];
      return [{ alert, task, ...(typeof namespace === "string" ? { namespace } : {}) }];
    });
  });
}

export function checkAlerts(resources: readonly CheckedResource[]): string[] {
  const alerts = resources.filter((r) => r.type === TYPES.prometheusRule).flatMap(alertsIn);
  const out: string[] = [];
  for (const cronJob of resources.filter((r) => r.type === TYPES.cronJob)) {
    const name = at(cronJob.props, "metadata", "name");
    const namespace = at(cronJob.props, "metadata", "namespace");
    const task = typeof name === "string" ? name : cronJob.name;
    for (const alert of REQUIRED_ALERTS) {
      const found = alerts.some((a) => a.alert === alert && a.task === task && (a.namespace === undefined || a.namespace === namespace));
      if (!found) out.push(`${cronJobLabel(cronJob)}: no ${alert} alert with labels.task "${task}" in any PrometheusRule`);
    }
  }
  return out;
}
