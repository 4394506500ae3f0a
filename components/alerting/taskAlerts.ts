/**
 * Three alerts per CronJob, generated from its own schedule: it missed a run,
 * its latest run failed, or a run outlived its slot. kube-state-metrics and
 * kubernetes-mixin ship no missed-run rule, so upkeep writes one per task.
 */
import { k8s } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { monitoringObjectLabels } from "./selectorLabels";
import { dstHorizon, unsafeLocalRanges, longestGapSeconds, type ScheduledTask } from "../schedule";
import { taskSeverity, type MaintenanceTask } from "../tasks";
import { SCHEDULE_DEFAULTS, type Severity } from "../config";
import { tlsEndpointName } from "../jobs";
import type { AlertRule } from "./rule";
import {
  absentRules,
  cronjobSelector,
  failedSinceLastSuccess,
  figureRules,
  frozenWithin,
  jobSelector,
  jobsStarted,
  pushedFailedRule,
  pushedMissedRule,
  pushgatewayAbsentRule,
  usesPushedSuccess,
  type RuleContext,
  type TlsEndpoint,
} from "./recordAlerts";

export const ALERT_NAMES = Object.freeze({
  missed: "UpkeepJobMissed",
  failed: "UpkeepJobFailed",
  tooLong: "UpkeepJobRunningTooLong",
});

const DAY = 86_400;

/**
 * The longest time between two real runs. Monthly tasks run on the first
 * window weekday of the month: at most five weeks apart. Quarterly ones: at
 * most fourteen weeks.
 */
const CADENCE_MAX_GAP_SECONDS: Record<string, number> = {
  daily: DAY,
  weekly: 7 * DAY,
  monthly: 35 * DAY,
  quarterly: 98 * DAY,
};

/**
 * The longest gap between two runs. For a cadence it is known, plus the hour
 * a fall-back night adds in zones that change their clocks; a custom
 * schedule's is measured over the next year, which includes that hour.
 */
export function maxGapSeconds(schedule: Pick<ScheduledTask, "cadence" | "cron" | "timeZone" | "guard">, from: Date): number {
  const known = CADENCE_MAX_GAP_SECONDS[schedule.cadence];
  if (known !== undefined) {
    const changesClocks = unsafeLocalRanges(schedule.timeZone, dstHorizon({ fromYear: from.getUTCFullYear() })).length > 0;
    return known + (changesClocks ? 3600 : 0);
  }
  return longestGapSeconds(schedule, from);
}

export interface AlertInputs {
  readonly environment: string;
  readonly namespace: string;
  /** The tier's severity; a custom job's own `severity` takes precedence for its alerts. */
  readonly severity: Severity;
  readonly runbookBaseUrl: string;
  /** `upkeep:alerting.ruleLabels`, for the Prometheus's ruleSelector. */
  readonly ruleLabels: Readonly<Record<string, string>>;
  readonly tasks: readonly MaintenanceTask[];
  /** The reference instant for measuring custom schedules' gaps. */
  readonly now: Date;
  /** Whether the built-in tasks push their outcome (`alerting.pushgateway` is not `off`). */
  readonly pushgateway?: boolean;
  /** Further rule groups of the environment (certificates), in the same PrometheusRule. */
  readonly extraGroups?: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
}

export type { AlertRule } from "./rule";

export interface PrometheusRuleObject {
  readonly apiVersion: "monitoring.coreos.com/v1";
  readonly kind: "PrometheusRule";
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  readonly spec: { readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[] };
}

/** Runbooks are named after the alert, or after the task kind (`task-vacuum`), under one base. */
export function runbookUrl(base: string, page: string): string {
  return `${base.replace(/\/+$/, "")}/${page}.md`;
}

/** An alert's runbook under the environment's base. */
const alertRunbook =
  (inputs: Pick<AlertInputs, "runbookBaseUrl">) =>
  (alert: string): string =>
    runbookUrl(inputs.runbookBaseUrl, alert);

function humanDuration(seconds: number): string {
  if (seconds % DAY === 0) return `${seconds / DAY}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${Math.round(seconds / 60)}m`;
}

export function taskRules(task: MaintenanceTask, inputs: AlertInputs): AlertRule[] {
  const ns = inputs.namespace;
  const cj = task.id;
  const cronjobSel = cronjobSelector(ns, cj);
  const slot = task.schedule.durationMinutes * 60;
  const missedAfter = maxGapSeconds(task.schedule, inputs.now) + (SCHEDULE_DEFAULTS.missedRunGraceMinutes * 60 + slot);
  const labels = {
    severity: taskSeverity(task, inputs.severity),
    environment: inputs.environment,
    namespace: ns,
    task: cj,
    cadence: task.schedule.cadence,
  };
  const lastSuccess = `max by (namespace, cronjob) (kube_cronjob_status_last_successful_time${cronjobSel})`;
  const ctx: RuleContext = {
    environment: inputs.environment,
    namespace: ns,
    labels,
    missedAfter,
    humanMissedAfter: humanDuration(missedAfter),
    runbook: alertRunbook(inputs),
  };
  const pushed = usesPushedSuccess(task, inputs.pushgateway ?? false);
  const tlsEndpoints: TlsEndpoint[] =
    task.kind === "tls-check"
      ? task.endpoints.map((e) => ({ endpoint: tlsEndpointName(new URL(e.url)), minDays: e.tlsMinDays }))
      : [];
  return [
    pushed ? pushedMissedRule(task, ctx, ALERT_NAMES.missed) : {
      alert: ALERT_NAMES.missed,
      expr:
        `(\n  (time() - ${lastSuccess}) > ${missedAfter}\n` +
        `  or\n  ((time() - max by (namespace, cronjob) (kube_cronjob_created${cronjobSel})) > ${missedAfter}` +
        ` unless on (namespace, cronjob) kube_cronjob_status_last_successful_time${cronjobSel})\n)\n` +
        `unless on (namespace, cronjob) (${frozenWithin(ns, cj, missedAfter)})`,
      for: "0m",
      labels,
      annotations: {
        summary: `${cj} has not succeeded within its period`,
        description:
          `CronJob ${ns}/${cj} (${task.title}, ${task.schedule.cadence}) has had no successful run for more than ` +
          `${humanDuration(missedAfter)}: its longest gap between runs (a clock change included) plus ${SCHEDULE_DEFAULTS.missedRunGraceMinutes}m grace and its ${task.schedule.durationMinutes}m slot.`,
        runbook_url: ctx.runbook(ALERT_NAMES.missed),
      },
    },
    pushed ? pushedFailedRule(task, ctx, ALERT_NAMES.failed) : {
      alert: ALERT_NAMES.failed,
      expr: failedSinceLastSuccess(ns, cj, `max by (namespace) (kube_cronjob_status_last_successful_time${cronjobSel})`, "namespace"),
      for: "1m",
      labels,
      annotations: {
        summary: `${cj} failed`,
        description: `Job {{ $labels.job_name }} of CronJob ${ns}/${cj} (${task.title}) failed, and no run has succeeded since. Its logs stay until a newer run replaces it.`,
        runbook_url: ctx.runbook(ALERT_NAMES.failed),
      },
    },
    {
      alert: ALERT_NAMES.tooLong,
      expr:
        `(time() - ${jobsStarted(ns, cj)}) > ${slot}\n` +
        `and on (namespace, job_name) (max by (namespace, job_name) (kube_job_status_active${jobSelector(ns, cj)}) > 0)`,
      for: "5m",
      labels,
      annotations: {
        summary: `${cj} is running past its slot`,
        description: `Job {{ $labels.job_name }} of CronJob ${ns}/${cj} is still active more than ${task.schedule.durationMinutes}m after it started; its deadline did not stop it and it now overlaps the next task.`,
        runbook_url: ctx.runbook(ALERT_NAMES.tooLong),
      },
    },
    ...(inputs.pushgateway ? figureRules(task, ctx, tlsEndpoints) : []),
  ];
}

/**
 * Tasks whose alerts share one PrometheusRule. Kubernetes refuses an object
 * over etcd's 1.5 MiB request limit, and server-side apply's managedFields
 * about double what is stored; a task's three alerts take about 3 KB, so a
 * hundred tasks stay near 300 KB. A thousand tasks in one object (3 MB)
 * would be rejected by the API server.
 */
export const TASKS_PER_PROMETHEUS_RULE = 100;

/** The first shard has none, so an environment with one rule keeps the names it always had. */
const shardSuffix = (i: number): string => (i === 0 ? "" : `-${i + 1}`);

/**
 * The alerts of every task, a hundred tasks per PrometheusRule, filled in
 * task order so that adding a task changes only the last one. The first
 * keeps the name a single rule always had (`upkeep-<env>`) and carries the
 * environment's other groups; the rest are `upkeep-<env>-2`, `-3`, …, each
 * with its own group, which Prometheus evaluates concurrently.
 */
export function buildPrometheusRules(inputs: AlertInputs): PrometheusRuleObject[] {
  const shards: MaintenanceTask[][] = [];
  for (let i = 0; i < inputs.tasks.length; i += TASKS_PER_PROMETHEUS_RULE) shards.push(inputs.tasks.slice(i, i + TASKS_PER_PROMETHEUS_RULE));
  if (shards.length === 0) shards.push([]);
  const labels = monitoringObjectLabels({ environment: inputs.environment, component: "alerts", ruleLabels: inputs.ruleLabels });
  return shards.map((tasks, i) => {
    const suffix = shardSuffix(i);
    const name = `upkeep-${inputs.environment}${suffix}`;
    return {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name, namespace: inputs.namespace, labels: { ...labels } },
      spec: {
        groups: [
          { name: `upkeep.${inputs.environment}.maintenance-jobs${suffix}`, rules: [...tasks.flatMap((t) => taskRules(t, inputs)), ...shardAbsentRules(inputs, tasks, name)] },
          ...(i === 0 ? [...(inputs.extraGroups ?? []), pushgatewayGroup(inputs)].filter((g) => g.rules.length > 0) : []),
        ],
      },
    };
  });
}

/** UpkeepMetricsAbsent for the tasks of one PrometheusRule. */
function shardAbsentRules(inputs: AlertInputs, tasks: readonly MaintenanceTask[], prometheusRule: string): AlertRule[] {
  const runbook = alertRunbook(inputs);
  return absentRules({ environment: inputs.environment, namespace: inputs.namespace, severity: inputs.severity, tasks, pushgateway: inputs.pushgateway ?? false, runbook, prometheusRule });
}

/** The environment's one rule that the Pushgateway's metrics are missing altogether. */
function pushgatewayGroup(inputs: AlertInputs): { name: string; rules: AlertRule[] } {
  const rules = inputs.pushgateway ? [pushgatewayAbsentRule({ environment: inputs.environment, namespace: inputs.namespace, severity: inputs.severity, runbook: alertRunbook(inputs) })] : [];
  return { name: `upkeep.${inputs.environment}.pushgateway`, rules };
}

/** The PrometheusRules of every task. Type token: upkeep:monitoring:MaintenanceAlerts. */
export class MaintenanceAlerts extends pulumi.ComponentResource {
  /** Fixed names, known before any deployment. */
  public readonly ruleNames: readonly string[];

  constructor(name: string, inputs: AlertInputs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:monitoring:MaintenanceAlerts", name, {}, opts);
    const rules = buildPrometheusRules(inputs);
    rules.forEach((rule, i) => {
      new k8s.apiextensions.CustomResource(
        `${name}-prometheusrule${shardSuffix(i)}`,
        { apiVersion: rule.apiVersion, kind: rule.kind, metadata: rule.metadata, spec: rule.spec },
        { parent: this, deleteBeforeReplace: true },
      );
    });
    this.ruleNames = rules.map((r) => r.metadata.name);
    this.registerOutputs({ ruleNames: this.ruleNames });
  }
}
