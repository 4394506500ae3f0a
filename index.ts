/**
 * upkeep: one environment's routine maintenance, from its stack file.
 * Config → tasks scheduled in the window → Kubernetes objects and alerts.
 */
import { MaintenanceAlerts, runbookUrl } from "./components/alerts";
import { buildCalendar } from "./components/calendar";
import { customContainer } from "./components/containers";
import { MaintenanceCronJob } from "./components/cronjob";
import { DatabaseMaintenance } from "./components/database";
import { loadEnvironment } from "./components/loadEnvironment";
import { MaintenanceNamespace, SCRIPTS_CONFIGMAP } from "./components/namespace";
import { createProviders } from "./components/providers";
import { loadScripts } from "./components/scriptsBundle";
import { isCustomTask, isDatabaseTask } from "./components/tasks";
import { TIER_DEFAULTS } from "./components/tiers";

const { config, tasks, windowFill } = loadEnvironment();
const env = config.environment;
const tier = TIER_DEFAULTS[env.tier];
const providers = createProviders("upkeep", config);
const opts = { providers: { kubernetes: providers.kubernetes, aws: providers.aws } };
const scripts = loadScripts();
const namespace = config.kubernetes.namespace;

const ns = new MaintenanceNamespace("upkeep", { name: namespace, environment: env.name, scripts, protect: tier.protect }, opts);
const inNamespace = { ...opts, dependsOn: [ns] };
const common = {
  environment: env.name,
  paused: env.paused,
  namespace,
  tier,
  scriptsConfigMap: SCRIPTS_CONFIGMAP,
  scriptsChecksum: scripts.checksum,
};
const taskRunbook = (kind: string) => runbookUrl(config.alerting.runbookBaseUrl, `task-${kind}`);

for (const database of config.databases) {
  const own = tasks.filter(isDatabaseTask).filter((t) => t.database === database);
  new DatabaseMaintenance(
    database.name,
    { database, tasks: own, postgresImage: config.kubernetes.postgresImage, common, runbookUrl: (t) => taskRunbook(t.kind) },
    inNamespace,
  );
}
for (const task of tasks.filter(isCustomTask)) {
  new MaintenanceCronJob(task.id, { ...common, task, container: customContainer(task), runbookUrl: taskRunbook(task.kind) }, inNamespace);
}

new MaintenanceAlerts(
  "upkeep",
  { environment: env.name, namespace, severity: tier.alertSeverity, runbookBaseUrl: config.alerting.runbookBaseUrl, tasks, now: new Date() },
  inNamespace,
);

export const environment = env.name;
export const maintenanceNamespace = ns.namespace;
export const paused = env.paused;
export const calendar = buildCalendar(tasks, namespace);
export const windows = windowFill;
