/**
 * Which checks of the seed's routine upkeep does itself in this environment,
 * and which stay with people (a reminder in the daily digest). It lives with
 * the tasks because what does a check is one of the environment's tasks or
 * AWS Config rules, all decided by config alone.
 */
import { type Automation, ROUTINE, type UpkeepConfig } from "../config";
import type { Cadence } from "../schedule";

/** The post-window endpoint check's task id; the routine names it. */
export const VERIFY_TASK_ID = "post-maintenance-verify";
/** Kubernetes only: the daily comparison of the API server's /version with `kubernetes.oldestSupportedVersion`. */
export const VERSION_CHECK_TASK_ID = "kubernetes-version-check";

export interface RoutineCheck {
  readonly id: string;
  readonly title: string;
  readonly cadence: Cadence;
  readonly checklist: readonly string[];
  /** What does it in this environment; undefined when people do, reminded by the digest. */
  readonly mechanism?: string;
}

/** The upkeep mechanism that does the check in this config, or undefined when nothing does. */
export function mechanismOf(automation: Automation | undefined, config: UpkeepConfig): string | undefined {
  const ns = config.kubernetes.namespace;
  const { aws } = config;
  const env = config.environment.name;
  const oldest = config.kubernetes.oldestSupportedVersion;
  switch (automation) {
    case "endpoint-verification":
      return config.endpoints.length > 0 ? `Kubernetes CronJob ${ns}/${VERIFY_TASK_ID} after each window` : undefined;
    case "database-maintenance":
      return config.databases.length > 0 ? `vacuum, reindex and cleanup CronJobs in ${ns} (${config.databases.map((d) => d.name).join(", ")})` : undefined;
    case "kubernetes-version":
      if (oldest === undefined) return undefined;
      if (!aws.enabled) return `Kubernetes CronJob ${ns}/${VERSION_CHECK_TASK_ID} daily against ${oldest}`;
      return aws.accountWideRules ? `AWS Config rule upkeep-${env}-eks-cluster-supported-version (${oldest}, account-wide)` : undefined;
    case "firewall-rules":
      return aws.enabled && aws.accountWideRules ? `AWS Config rules upkeep-${env}-restricted-ssh and upkeep-${env}-vpc-sg-authorized-ports (account-wide)` : undefined;
    case "backup-verification": {
      // A backup counts only once restored: a dump restored into a scratch server, or AWS Backup restore testing.
      const by: string[] = [];
      const { dumps, aws: backup } = config.backups;
      if (dumps.length > 0) by.push(`dump verification CronJobs in ${ns} (${dumps.map((d) => `${d.database}-dump-verify`).join(", ")})`);
      if (backup?.restoreTesting) by.push(`AWS Backup restore testing (${backup.restoreTesting.cadence}) of vault ${backup.vaultName}`);
      return by.length > 0 ? by.join(" and ") : undefined;
    }
    default:
      return undefined;
  }
}

/** Every routine check after `reviews.overrides` (applied in order), with what does it. */
export function routineChecks(config: UpkeepConfig): RoutineCheck[] {
  const out: RoutineCheck[] = [];
  for (const task of ROUTINE) {
    let cadence: Cadence = task.cadence;
    let enabled = true;
    for (const o of config.reviews.overrides) {
      if (o.task !== task.id) continue;
      if (o.cadence !== undefined) cadence = o.cadence;
      enabled = o.enabled;
    }
    if (!enabled) continue;
    const mechanism = mechanismOf(task.automation, config);
    out.push({ id: task.id, title: task.title, cadence, checklist: task.checklist, ...(mechanism !== undefined ? { mechanism } : {}) });
  }
  return out;
}
