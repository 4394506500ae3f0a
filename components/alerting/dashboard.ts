/**
 * A Grafana dashboard of one environment's maintenance, as a ConfigMap that
 * the Grafana sidecar of kube-prometheus-stack loads: it watches ConfigMaps
 * labelled `grafana_dashboard: "1"` (its `sidecar.dashboards.label` and
 * `labelValue`) in `searchNamespace`, which the stack sets to ALL and the
 * Grafana chart alone to Grafana's own namespace. Every query reads only what
 * upkeep's rules, kube-state-metrics or the maintenance record produce
 * (metricSources.ts).
 */
import { k8s } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { componentLabels } from "../kubernetes";
import { UPKEEP_ALERTNAME_REGEX } from "./alertmanager";

/** The sidecar's default label and value in kube-prometheus-stack. */
export const GRAFANA_DASHBOARD_LABEL = Object.freeze({ key: "grafana_dashboard", value: "1" });

export interface DashboardInputs {
  readonly environment: string;
  readonly namespace: string;
  readonly timeZone: string;
  readonly window: { readonly days: readonly string[]; readonly start: string; readonly durationMinutes: number };
  /** Endpoint certificate days below this are red: the smallest `endpoints[].tlsMinDays`. */
  readonly certificateWarningDays: number;
}

export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly instant: boolean;
  readonly range: boolean;
  readonly format: "table" | "time_series";
  readonly legendFormat?: string;
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource?: { readonly type: "prometheus"; readonly uid: string };
  readonly targets?: readonly DashboardTarget[];
  readonly fieldConfig?: unknown;
  readonly options?: unknown;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly timezone: string;
  readonly schemaVersion: number;
  readonly editable: boolean;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly templating: { readonly list: readonly unknown[] };
  readonly panels: readonly DashboardPanel[];
}

const DATASOURCE = { type: "prometheus" as const, uid: "${datasource}" };

type Grid = DashboardPanel["gridPos"];

function queryPanel(
  type: string,
  title: string,
  gridPos: Grid,
  expr: string,
  options: { instant?: boolean; legend?: string; unit?: string; description?: string; thresholds?: unknown; panelOptions?: unknown } = {},
): Omit<DashboardPanel, "id"> {
  const instant = options.instant ?? true;
  return {
    type,
    title,
    ...(options.description ? { description: options.description } : {}),
    gridPos,
    datasource: DATASOURCE,
    targets: [
      {
        refId: "A",
        expr,
        instant,
        range: !instant,
        format: instant ? "table" : "time_series",
        ...(options.legend ? { legendFormat: options.legend } : {}),
      },
    ],
    fieldConfig: { defaults: { ...(options.unit ? { unit: options.unit } : {}), ...(options.thresholds ? { thresholds: options.thresholds } : {}) }, overrides: [] },
    ...(options.panelOptions ? { options: options.panelOptions } : {}),
  };
}

/**
 * The window in words. The tasks' slots come from kube-state-metrics, not
 * from the plan, so a schedule change does not also change this ConfigMap
 * (and every plan diff stays about the schedule itself).
 */
export function windowMarkdown(inputs: DashboardInputs): string {
  const w = inputs.window;
  return (
    `**Window:** ${w.start} for ${w.durationMinutes} min, ${inputs.timeZone}. Daily tasks run in it every day; ` +
    `weekly, monthly and quarterly tasks on ${w.days.join(", ")}. Each task's slot and next runs are beside this panel; ` +
    "the plan's calendar.md has them in words."
  );
}

export function buildDashboard(inputs: DashboardInputs): Dashboard {
  const env = `environment="${inputs.environment}"`;
  const ns = `namespace="${inputs.namespace}"`;
  const red = (below: number) => ({ mode: "absolute", steps: [{ color: "red", value: null }, { color: "green", value: below }] });
  const panels: Omit<DashboardPanel, "id">[] = [
    queryPanel("table", "Last outcome per task", { x: 0, y: 0, w: 8, h: 8 }, `max by (task, kind, outcome) (upkeep_task_outcome{${env}} == 1)`, {
      description: "From the maintenance record: success, failed, skipped or partial. A skip is reported as such, never as a success.",
    }),
    queryPanel("bargauge", "Last run duration", { x: 8, y: 0, w: 8, h: 8 }, `max by (task) (upkeep_task_duration_seconds{${env}})`, { unit: "s", legend: "{{task}}" }),
    queryPanel("table", "Since the last real success", { x: 16, y: 0, w: 8, h: 8 }, `time() - max by (task) (upkeep_task_last_success_timestamp_seconds{${env}})`, {
      unit: "s",
      description: "A guard-skipped run does not count: monthly and quarterly tasks show their real period here.",
    }),
    queryPanel("table", "CronJobs: since the last success", { x: 0, y: 8, w: 12, h: 8 }, `time() - max by (cronjob) (kube_cronjob_status_last_successful_time{${ns}})`, {
      unit: "s",
      description: "From kube-state-metrics, for every CronJob, custom jobs included.",
    }),
    queryPanel("table", "Jobs: how long each run took", { x: 12, y: 8, w: 12, h: 8 }, `max by (job_name) (kube_job_status_completion_time{${ns}} - kube_job_status_start_time{${ns}})`, {
      unit: "s",
    }),
    { type: "text", title: "Maintenance window", gridPos: { x: 0, y: 16, w: 6, h: 10 }, options: { mode: "markdown", content: windowMarkdown(inputs) } },
    queryPanel("table", "Next runs", { x: 6, y: 16, w: 8, h: 10 }, `max by (cronjob) (kube_cronjob_next_schedule_time{${ns}}) * 1000`, {
      unit: "dateTimeAsIso",
      description: "kube-state-metrics v2.15.0+ computes this in each CronJob's time zone; older releases compute it in UTC.",
    }),
    queryPanel("table", "Schedules", { x: 14, y: 16, w: 10, h: 10 }, `max by (cronjob, schedule, timezone) (kube_cronjob_info{${ns}})`, {
      description: "Each CronJob's cron and zone (the timezone label needs kube-state-metrics v2.15.0).",
    }),
    queryPanel("state-timeline", "Running", { x: 0, y: 26, w: 24, h: 8 }, `max by (cronjob) (kube_cronjob_status_active{${ns}})`, {
      instant: false,
      legend: "{{cronjob}}",
      description: "When each CronJob had a Job running, against the window above.",
    }),
    queryPanel("timeseries", "Cleanup backlog: rows older than the cutoff", { x: 0, y: 34, w: 12, h: 8 }, `max by (task, table) (upkeep_cleanup_rows_remaining{${env}})`, {
      instant: false,
      legend: "{{task}} {{table}}",
    }),
    queryPanel("stat", "Age of the dump last verified", { x: 12, y: 34, w: 6, h: 8 }, `max by (task) (upkeep_dump_age_seconds{${env}})`, { unit: "s", legend: "{{task}}" }),
    queryPanel("table", "Dump checks", { x: 18, y: 34, w: 6, h: 8 }, `min by (task, check) (upkeep_dump_check_passed{${env}})`, {
      description: "1 passed, 0 failed, for the dump last verified.",
    }),
    queryPanel("bargauge", "Endpoint certificate days left", { x: 0, y: 42, w: 12, h: 8 }, `min by (endpoint) (upkeep_endpoint_certificate_days_left{${env}})`, {
      unit: "d",
      legend: "{{endpoint}}",
      thresholds: red(inputs.certificateWarningDays),
    }),
    queryPanel("table", "Alerts firing", { x: 12, y: 42, w: 12, h: 8 }, `ALERTS{alertstate="firing",${env},alertname=~"${UPKEEP_ALERTNAME_REGEX}"}`),
  ];
  return {
    uid: `upkeep-${inputs.environment}`.slice(0, 40),
    title: `upkeep · ${inputs.environment}`,
    tags: ["upkeep", "maintenance", inputs.environment],
    // The window is local: show every time in its zone.
    timezone: inputs.timeZone,
    schemaVersion: 39,
    editable: true,
    refresh: "1m",
    time: { from: "now-7d", to: "now" },
    templating: { list: [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", hide: 0, refresh: 1 }] },
    panels: panels.map((p, i) => ({ id: i + 1, ...p })),
  };
}

/** Every query of a dashboard, in panel order. */
export function dashboardQueries(dashboard: Dashboard): { readonly panel: string; readonly expr: string }[] {
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

export type ConfigMapObject = k8s.types.input.core.v1.ConfigMap & {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
};

/** The dashboard as the ConfigMap the Grafana sidecar loads, in upkeep's namespace. */
export function buildDashboardConfigMap(inputs: DashboardInputs): ConfigMapObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: `upkeep-${inputs.environment}-dashboard`,
      namespace: inputs.namespace,
      labels: {
        ...componentLabels(inputs.environment, "dashboard"),
        [GRAFANA_DASHBOARD_LABEL.key]: GRAFANA_DASHBOARD_LABEL.value,
      },
    },
    data: { [`upkeep-${inputs.environment}.json`]: JSON.stringify(buildDashboard(inputs), null, 2) },
  };
}

/** The dashboard ConfigMap. Type token: upkeep:monitoring:MaintenanceDashboard. */
export class MaintenanceDashboard extends pulumi.ComponentResource {
  public readonly configMapName: string;

  constructor(name: string, inputs: DashboardInputs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:monitoring:MaintenanceDashboard", name, {}, opts);
    const configMap = buildDashboardConfigMap(inputs);
    new k8s.core.v1.ConfigMap(`${name}-dashboard`, configMap, { parent: this });
    this.configMapName = configMap.metadata.name;
    this.registerOutputs({ configMapName: this.configMapName });
  }
}
