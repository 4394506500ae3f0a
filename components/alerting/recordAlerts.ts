/**
 * Alerts that see real runs, from what the built-in tasks push to the
 * Pushgateway (components/scripts/record.sh):
 * - monthly and quarterly tasks fire weekly and their guard skips all but one
 *   run a period; kube-state-metrics counts the skips as successes. Their
 *   missed and failed alerts use the pushed last *real* success instead, so a
 *   failed first-week run stays alerting until a real run succeeds;
 * - a cleanup whose backlog has not shrunk over three runs;
 * - an endpoint whose certificate has fewer than its `tlsMinDays` left;
 * - UpkeepMetricsAbsent: the CronJobs missing from kube-state-metrics, the
 *   pushed metrics missing from Prometheus, or a run whose push never landed.
 */
import type { MaintenanceTask } from "../tasks";
import type { AlertRule } from "./rule";

export const RECORD_ALERT_NAMES = Object.freeze({
  backlog: "UpkeepCleanupBacklog",
  certificate: "UpkeepEndpointCertificateExpiring",
  absent: "UpkeepMetricsAbsent",
});

/** `,name="value"` for each further label a selector matches. */
const more = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([name, value]) => `,${name}="${value}"`)
    .join("");

/** Every series a built-in task pushes carries these; `job` is upkeep's, kept by honorLabels. */
export const pushedSelector = (environment: string, task?: string, labels: Readonly<Record<string, string>> = {}): string =>
  `{job="upkeep",environment="${environment}"${task !== undefined ? `,task="${task}"` : ""}${more(labels)}}`;

/** A CronJob's kube-state-metrics series. */
export const cronjobSelector = (ns: string, cronjob: string): string => `{namespace="${ns}",cronjob="${cronjob}"}`;

/** The series of a CronJob's Jobs (`<cronjob>-<n>`) in kube-state-metrics. */
export const jobSelector = (ns: string, cronjob: string, labels: Readonly<Record<string, string>> = {}): string =>
  `{namespace="${ns}",job_name=~"${cronjob}-[0-9]+"${more(labels)}}`;

/** When each Job of a CronJob started. */
export const jobsStarted = (ns: string, cronjob: string): string => `max by (namespace, job_name) (kube_job_status_start_time${jobSelector(ns, cronjob)})`;

/**
 * A failed Job of the CronJob that started after `lastSuccess` (or with no
 * success at all), the two matched `on (<on>)`: the failed alert of the
 * kube-state-metrics and the pushed kind alike.
 */
export function failedSinceLastSuccess(ns: string, cronjob: string, lastSuccess: string, on: string): string {
  const started = jobsStarted(ns, cronjob);
  return (
    `max by (namespace, job_name) (kube_job_failed${jobSelector(ns, cronjob, { condition: "true" })}) > 0\n` +
    `and on (namespace, job_name) (\n  (${started} > on (${on}) group_left () ${lastSuccess})\n  or\n  (${started} unless on (${on}) ${lastSuccess})\n)`
  );
}

/** Runs in a row without the backlog shrinking before the backlog alert fires. */
export const BACKLOG_RUNS = 3;
/** A push should land seconds before the Job completes; this much later means it never did. */
export const PUSH_LAG_SECONDS = 900;

/** The kinds whose scripts print an outcome line and push it; custom jobs do neither. */
export function pushesOutcome(task: MaintenanceTask): boolean {
  return task.kind !== "custom";
}

/** Tasks whose missed and failed alerts must use the pushed last success: a guard skips most of their runs. */
export function usesPushedSuccess(task: MaintenanceTask, pushgateway: boolean): boolean {
  return pushgateway && pushesOutcome(task) && task.schedule.guard !== undefined;
}

export interface RuleContext {
  readonly environment: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly missedAfter: number;
  readonly humanMissedAfter: string;
  readonly runbook: (alert: string) => string;
}

/** Silent while the CronJob is suspended and for one full period after: a freeze's end must not page for every task at once. */
export function frozenWithin(ns: string, cronjob: string, seconds: number): string {
  return `max_over_time(kube_cronjob_spec_suspend${cronjobSelector(ns, cronjob)}[${seconds}s]) == 1`;
}

export function pushedMissedRule(task: MaintenanceTask, ctx: RuleContext, alert: string): AlertRule {
  const ns = ctx.namespace;
  const lastSuccess = `max(upkeep_task_last_success_timestamp_seconds${pushedSelector(ctx.environment, task.id)})`;
  return {
    alert,
    expr:
      `(\n  (time() - ${lastSuccess}) > ${ctx.missedAfter}\n  or\n` +
      `  ((time() - max(kube_cronjob_created${cronjobSelector(ns, task.id)})) > ${ctx.missedAfter} unless on () ${lastSuccess})\n)\n` +
      `unless on () (${frozenWithin(ns, task.id, ctx.missedAfter)})`,
    // The pushed value changes only when a run ends; a few minutes guard against a scrape gap at the threshold.
    for: "5m",
    labels: ctx.labels,
    annotations: {
      summary: `${task.id} has not succeeded within its period`,
      description:
        `${task.title} (${ns}/${task.id}, ${task.schedule.cadence}) has had no real successful run for more than ${ctx.humanMissedAfter}, ` +
        `as the task itself reported to the Pushgateway (runs its guard skipped do not count).`,
      runbook_url: ctx.runbook(alert),
    },
  };
}

export function pushedFailedRule(task: MaintenanceTask, ctx: RuleContext, alert: string): AlertRule {
  const ns = ctx.namespace;
  const lastSuccess = `max(upkeep_task_last_success_timestamp_seconds${pushedSelector(ctx.environment, task.id)})`;
  return {
    alert,
    expr: failedSinceLastSuccess(ns, task.id, lastSuccess, ""),
    for: "1m",
    labels: ctx.labels,
    annotations: {
      summary: `${task.id} failed`,
      description:
        `Job {{ $labels.job_name }} of CronJob ${ns}/${task.id} (${task.title}) failed, and no real run has succeeded since ` +
        `(runs its guard skipped do not count). The next window day of the period runs it again.`,
      runbook_url: ctx.runbook(alert),
    },
  };
}

function backlogRule(task: MaintenanceTask, ctx: RuleContext): AlertRule {
  return {
    alert: RECORD_ALERT_NAMES.backlog,
    expr: `max by (table) (upkeep_cleanup_backlog_runs${pushedSelector(ctx.environment, task.id)}) >= ${BACKLOG_RUNS}`,
    for: "15m",
    labels: ctx.labels,
    annotations: {
      summary: `${task.id} is not keeping up with {{ $labels.table }}`,
      description:
        `The last {{ $value }} runs of ${task.id} each left rows in {{ $labels.table }} older than the cutoff and never fewer than the run before: ` +
        `the cleanup does not keep up. Its slot, batch size or a lock on the table holds it back.`,
      runbook_url: ctx.runbook(RECORD_ALERT_NAMES.backlog),
    },
  };
}

export interface TlsEndpoint {
  /** `host:port`, as tls-check.sh names it. */
  readonly endpoint: string;
  readonly minDays: number;
}

function certificateRule(task: MaintenanceTask, e: TlsEndpoint, ctx: RuleContext): AlertRule {
  return {
    alert: RECORD_ALERT_NAMES.certificate,
    expr: `max by (endpoint) (upkeep_endpoint_certificate_days_left${pushedSelector(ctx.environment, task.id, { endpoint: e.endpoint })}) < ${e.minDays}`,
    for: "15m",
    labels: { ...ctx.labels, endpoint: e.endpoint },
    annotations: {
      summary: `The certificate of ${e.endpoint} expires in {{ $value }} days`,
      description: `The daily TLS check found {{ $value }} days left on the certificate ${e.endpoint} serves, fewer than its tlsMinDays (${e.minDays}). Renew it or find why renewal did not happen.`,
      runbook_url: ctx.runbook(RECORD_ALERT_NAMES.certificate),
    },
  };
}

/** The names of the alerts figureRules writes for a task, for its calendar entry and runbook. */
export function figureAlertNames(task: MaintenanceTask): string[] {
  if (task.kind === "cleanup") return [RECORD_ALERT_NAMES.backlog];
  if (task.kind === "tls-check" && task.endpoints.length > 0) return [RECORD_ALERT_NAMES.certificate];
  return [];
}

/** The per-task alerts from pushed figures: cleanup backlogs and endpoint certificates. */
export function figureRules(task: MaintenanceTask, ctx: RuleContext, tlsEndpoints: readonly TlsEndpoint[]): AlertRule[] {
  if (task.kind === "cleanup") return [backlogRule(task, ctx)];
  if (task.kind === "tls-check") return tlsEndpoints.map((e) => certificateRule(task, e, ctx));
  return [];
}

export interface AbsentInputs {
  readonly environment: string;
  readonly namespace: string;
  readonly severity: string;
  readonly tasks: readonly MaintenanceTask[];
  readonly pushgateway: boolean;
  readonly runbook: (alert: string) => string;
  /** The PrometheusRule these tasks' alerts are in: one rule per shard, told apart by this label. */
  readonly prometheusRule: string;
}

const anyOf = (ids: readonly string[]) => ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");

/**
 * UpkeepMetricsAbsent for one PrometheusRule's tasks: what their other alerts
 * need is missing, so those would stay silent. Per shard, so that adding a
 * task changes only the last PrometheusRule.
 */
export function absentRules(inputs: AbsentInputs): AlertRule[] {
  if (inputs.tasks.length === 0) return [];
  const ns = inputs.namespace;
  const env = inputs.environment;
  const url = inputs.runbook(RECORD_ALERT_NAMES.absent);
  const all = inputs.tasks.map((t) => t.id);
  const rules: AlertRule[] = [
    {
      alert: RECORD_ALERT_NAMES.absent,
      expr: `(count(kube_cronjob_info{namespace="${ns}",cronjob=~"${anyOf(all)}"}) or on () vector(0)) < ${all.length}`,
      for: "15m",
      labels: { ...absentLabels(inputs, "cronjobs"), prometheusrule: inputs.prometheusRule },
      annotations: {
        summary: `kube-state-metrics reports {{ $value }} of ${all.length} upkeep CronJobs in ${ns}`,
        description:
          `Prometheus has kube-state-metrics series for only {{ $value }} of these ${all.length} CronJobs upkeep deployed in ${ns} (${all[0]} … ${all[all.length - 1]}): ` +
          `the missed, failed and too-long alerts of the others cannot fire. kube-state-metrics is down, not scraped, or older than 2.5.0.`,
        runbook_url: url,
      },
    },
  ];
  const pushing = anyOf(inputs.tasks.filter(pushesOutcome).map((t) => t.id));
  if (!inputs.pushgateway || pushing === "") return rules;
  const ksmSuccess = `max by (cronjob) (kube_cronjob_status_last_successful_time{namespace="${ns}",cronjob=~"${pushing}"})`;
  const pushedRun = `label_replace(max by (task) (upkeep_task_last_run_timestamp_seconds${pushedSelector(env)}), "cronjob", "$1", "task", "(.*)")`;
  rules.push({
    alert: RECORD_ALERT_NAMES.absent,
    expr:
      `label_replace(\n  (${ksmSuccess} > on (cronjob) (${pushedRun} + ${PUSH_LAG_SECONDS}))\n  or\n  (${ksmSuccess} unless on (cronjob) ${pushedRun}),\n` +
      `  "task", "$1", "cronjob", "(.*)"\n)`,
    for: "15m",
    labels: { ...absentLabels(inputs, "push"), prometheusrule: inputs.prometheusRule },
    annotations: {
      summary: `The outcome of {{ $labels.task }}'s last run never reached the Pushgateway`,
      description:
        `A Job of {{ $labels.task }} in ${ns} completed, but its outcome was not pushed within ${PUSH_LAG_SECONDS / 60} minutes: the push failed ` +
        `(its pod log has one line saying why). The window report and the monthly guard still see the run before.`,
      runbook_url: url,
    },
  });
  return rules;
}

function absentLabels(inputs: Pick<AbsentInputs, "severity" | "environment" | "namespace">, missing: string): Record<string, string> {
  return { severity: inputs.severity, environment: inputs.environment, namespace: inputs.namespace, missing };
}

/** UpkeepMetricsAbsent once per environment: no pushed outcome at all reaches Prometheus, though CronJobs succeed. */
export function pushgatewayAbsentRule(inputs: Omit<AbsentInputs, "tasks" | "pushgateway" | "prometheusRule">): AlertRule {
  const ns = inputs.namespace;
  return {
    alert: RECORD_ALERT_NAMES.absent,
    expr: `absent(upkeep_task_last_run_timestamp_seconds${pushedSelector(inputs.environment)})\nand on () (count(kube_cronjob_status_last_successful_time{namespace="${ns}"}) > 0)`,
    for: "15m",
    labels: absentLabels(inputs, "pushgateway"),
    annotations: {
      summary: `No pushed outcome of any upkeep task in ${inputs.environment} reaches Prometheus`,
      description:
        `CronJobs in ${ns} have succeeded, yet Prometheus has none of the outcomes upkeep's tasks push: the Pushgateway is down, ` +
        `not scraped (its ServiceMonitor is not selected), or lost its data. Monthly and quarterly alerts cannot see real runs.`,
      runbook_url: inputs.runbook(RECORD_ALERT_NAMES.absent),
    },
  };
}
