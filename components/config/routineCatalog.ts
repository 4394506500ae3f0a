/**
 * The seed's maintenance routine: every recurring check a platform team owes
 * its environments. Each one is either done by an upkeep mechanism or becomes
 * a reminder to people. Data only, so the config schema can name the tasks.
 */
import type { Cadence } from "../schedule";

/**
 * What, when present in the config, does a routine task for the team: the
 * post-window endpoint check, the database CronJobs, the Kubernetes version
 * (an AWS Config rule, or the /version check on Kubernetes only), the
 * firewall (AWS Config rules over every security group), and the backups
 * (a dump restored into a scratch server, or AWS Backup restore testing).
 */
export type Automation = "endpoint-verification" | "database-maintenance" | "kubernetes-version" | "firewall-rules" | "backup-verification";

export interface RoutineTask {
  readonly id: string;
  readonly title: string;
  readonly cadence: Cadence;
  readonly checklist: readonly string[];
  readonly automation?: Automation;
}

export const ROUTINE: readonly RoutineTask[] = Object.freeze([
  {
    id: "review-service-health",
    title: "Review service health",
    cadence: "daily",
    automation: "endpoint-verification",
    checklist: ["Open the service dashboards", "Compare error rate and latency with last week", "Note anything degraded in the on-call log"],
  },
  {
    id: "check-alerts",
    title: "Check for alerts",
    cadence: "daily",
    checklist: ["Review firing and silenced alerts", "Close or assign every alert older than a day", "Delete silences that have expired their purpose"],
  },
  {
    id: "review-error-logs",
    title: "Review error logs",
    cadence: "daily",
    checklist: ["Scan new error signatures since yesterday", "File an issue for each new recurring error"],
  },
  {
    id: "verify-backups",
    title: "Verify backups",
    cadence: "daily",
    automation: "backup-verification",
    checklist: ["Confirm last night's backups completed", "Check the newest restore test passed", "Escalate any gap against the recovery point objective"],
  },
  {
    id: "performance-metrics",
    title: "Review performance metrics",
    cadence: "weekly",
    checklist: ["Review p95/p99 latency and throughput trends", "Check slow-query reports", "Record regressions with owners"],
  },
  {
    id: "resource-utilization",
    title: "Review resource utilization",
    cadence: "weekly",
    checklist: ["Review CPU, memory and disk headroom per cluster", "Right-size requests that are far from use", "Check persistent volume growth"],
  },
  {
    id: "security-logs",
    title: "Review security logs",
    cadence: "weekly",
    checklist: ["Review authentication failures and privilege changes", "Check audit logs for unexpected access", "Confirm security tooling is reporting"],
  },
  {
    id: "update-documentation",
    title: "Update documentation",
    cadence: "weekly",
    checklist: ["Update runbooks touched by this week's incidents", "Record configuration changes"],
  },
  {
    id: "security-patch-updates",
    title: "Apply security patch updates",
    cadence: "monthly",
    checklist: ["Review OS, image and cluster security advisories", "Schedule patches into the maintenance window", "Confirm patched versions are running"],
  },
  {
    id: "review-firewall-rules",
    title: "Review firewall rules",
    cadence: "monthly",
    automation: "firewall-rules",
    checklist: ["List security groups and network policies open to the internet", "Close SSH and every port nobody can justify", "Record the ports that stay open and why"],
  },
  {
    id: "dependency-updates",
    title: "Update dependencies",
    cadence: "monthly",
    checklist: ["Review outdated dependencies and their changelogs", "Merge low-risk updates", "Plan majors with their owners"],
  },
  {
    id: "capacity-review",
    title: "Capacity planning review",
    cadence: "monthly",
    checklist: ["Compare usage growth against capacity", "Flag anything that runs out within a quarter"],
  },
  {
    id: "performance-optimization",
    title: "Performance optimization",
    cadence: "monthly",
    automation: "database-maintenance",
    checklist: ["Review the vacuum, reindex and cleanup runs", "Pick the top slow query and fix it"],
  },
  {
    id: "security-review",
    title: "Comprehensive security review",
    cadence: "quarterly",
    checklist: ["Review access lists and service accounts", "Rotate long-lived credentials", "Re-run threat model for changed systems"],
  },
  {
    id: "update-kubernetes-versions",
    title: "Update Kubernetes versions",
    cadence: "quarterly",
    automation: "kubernetes-version",
    checklist: ["Compare each cluster's version with the oldest version still supported", "Plan the upgrade of every cluster within one minor version of it", "Upgrade add-ons and nodes with the control plane"],
  },
  {
    id: "disaster-recovery-test",
    title: "Disaster recovery test",
    cadence: "quarterly",
    automation: "backup-verification",
    checklist: ["Restore a production backup into an isolated environment", "Time the recovery against the objective", "Record gaps and owners"],
  },
  {
    id: "capacity-planning",
    title: "Capacity planning",
    cadence: "quarterly",
    checklist: ["Forecast the next two quarters", "Budget and order capacity", "Review cost trends"],
  },
  {
    id: "documentation-audit",
    title: "Documentation audit",
    cadence: "quarterly",
    checklist: ["Check every runbook against the system it describes", "Remove or update stale pages"],
  },
]);

export const ROUTINE_IDS: readonly string[] = ROUTINE.map((t) => t.id);
