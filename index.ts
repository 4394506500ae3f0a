/**
 * upkeep: one environment's routine maintenance, from its stack file.
 * Config → tasks scheduled in the window → Kubernetes objects and alerts.
 */
import { MaintenanceAlerts, runbookUrl } from "./components/alerts";
import { AcmCertificates } from "./components/acm";
import { UpkeepAlertRouting } from "./components/alertmanager";
import { AwsBackups, backupCalendar, backupSchedules } from "./components/backups";
import { buildCalendar, buildExternalCalendar, buildRoutineCalendar } from "./components/calendar";
import { buildCertificateRules, ManagedCertificates, renewalCalendar } from "./components/certificates";
import { customContainer } from "./components/containers";
import { MaintenanceCronJob } from "./components/cronjob";
import { CredentialRotation, rotationCalendar } from "./components/credentials";
import { DatabaseMaintenance } from "./components/database";
import { DumpReaderRole, dumpVerificationPod, readerRole } from "./components/dumpVerification";
import { windowAnnotation } from "./components/labels";
import { loadEnvironment } from "./components/loadEnvironment";
import { MaintenanceNamespace, SCRIPTS_CONFIGMAP, WEBHOOK_SECRET } from "./components/namespace";
import { NotificationTopics } from "./components/notifications";
import { createProviders } from "./components/providers";
import { routinePlan, routineReminders, stakeholderNotices } from "./components/routine/reminders";
import { RoutineSchedules } from "./components/routine/schedules";
import { runbookPage } from "./components/runbooks";
import { loadScripts } from "./components/scriptsBundle";
import { isCustomTask, isDatabaseTask, isDumpVerifyTask, isTlsCheckTask, isVerifyTask } from "./components/tasks";
import { TIER_DEFAULTS } from "./components/tiers";
import { tlsCheckContainer } from "./components/tls";
import { verificationContainer } from "./components/verification";

const { config, tasks, windowFill, now } = loadEnvironment();
const env = config.environment;
const tier = TIER_DEFAULTS[env.tier];
const providers = createProviders("upkeep", config);
const opts = { providers: { kubernetes: providers.kubernetes, aws: providers.aws } };
const scripts = loadScripts();
const namespace = config.kubernetes.namespace;

const webhookUrl = config.notify.webhookUrl;
const ns = new MaintenanceNamespace("upkeep", { name: namespace, environment: env.name, scripts, protect: tier.protect, webhookUrl }, opts);
const inNamespace = { ...opts, dependsOn: [ns] };
const common = {
  environment: env.name,
  paused: env.paused,
  namespace,
  tier,
  scriptsConfigMap: SCRIPTS_CONFIGMAP,
  scriptsChecksum: scripts.checksum,
  window: windowAnnotation(env.window, env.timezone),
};
const taskRunbook = (task: { id: string }) => runbookUrl(config.alerting.runbookBaseUrl, runbookPage(env.name, task.id));

for (const database of config.databases) {
  const own = tasks.filter(isDatabaseTask).filter((t) => t.database === database);
  new DatabaseMaintenance(
    database.name,
    { database, tasks: own, postgresImage: config.kubernetes.postgresImage, common, runbookUrl: taskRunbook },
    inNamespace,
  );
}
for (const task of tasks.filter(isCustomTask)) {
  new MaintenanceCronJob(task.id, { ...common, task, container: customContainer(task), runbookUrl: taskRunbook(task) }, inNamespace);
}
for (const task of tasks.filter(isTlsCheckTask)) {
  new MaintenanceCronJob(task.id, { ...common, task, container: tlsCheckContainer(task, task.endpoints), runbookUrl: taskRunbook(task) }, inNamespace);
}
new ManagedCertificates(
  "upkeep",
  { certificates: config.certificates.kubernetes, namespace, environment: env.name, window: env.window, timeZone: env.timezone },
  inNamespace,
);
for (const task of tasks.filter(isDumpVerifyTask)) {
  let roleArn = task.dump.roleArn;
  if (roleArn === undefined) {
    // Validation guarantees the OIDC provider when a dump names no role.
    const role = readerRole(config.kubernetes.oidcProviderArn!, env.name, task.id);
    new DumpReaderRole(
      task.id,
      { location: task.dump.location, namespace, serviceAccount: task.id, oidcProviderArn: config.kubernetes.oidcProviderArn!, oidcIssuer: role.issuer, roleName: role.name },
      opts,
    );
    roleArn = role.arn;
  }
  const pod = dumpVerificationPod(
    { ...task.schedule, id: task.id },
    task.dump,
    { postgresImage: config.kubernetes.postgresImage, environment: env.name, namespace, roleArn },
  );
  new MaintenanceCronJob(
    task.id,
    {
      ...common,
      task,
      container: pod.container,
      pod: { initContainers: pod.initContainers, volumes: pod.volumes, volumeMounts: pod.volumeMounts, serviceAccountAnnotations: pod.serviceAccountAnnotations },
      runbookUrl: taskRunbook(task),
    },
    inNamespace,
  );
}
for (const task of tasks.filter(isVerifyTask)) {
  const container = verificationContainer(task, { environment: env.name, endpoints: task.endpoints, ...(webhookUrl ? { webhookSecret: WEBHOOK_SECRET } : {}) });
  new MaintenanceCronJob(task.id, { ...common, task, container, runbookUrl: taskRunbook(task) }, inNamespace);
}

const notifications = new NotificationTopics("upkeep", { environment: env.name, notify: config.notify, protect: tier.protect }, opts);
if (config.alerting.alertmanager) {
  new UpkeepAlertRouting("upkeep", { environment: env.name, namespace, emails: config.notify.emails, hasWebhook: webhookUrl !== undefined }, inNamespace);
}
const reminders = routineReminders(config);
const notices = stakeholderNotices(config, tasks);
new RoutineSchedules(
  "upkeep",
  {
    environment: env.name,
    paused: env.paused,
    timeZone: env.timezone,
    reminders,
    notices,
    topicArns: notifications.topicArns,
    schedulerRoleArn: notifications.schedulerRoleArn,
  },
  opts,
);

new AcmCertificates(
  "upkeep",
  { environment: env.name, certificates: config.certificates.acm, expiryWarningDays: config.certificates.expiryWarningDays, topicArns: notifications.topicArns },
  opts,
);
new CredentialRotation(
  "upkeep",
  {
    environment: env.name,
    credentials: config.credentials,
    accessKeysMaxAgeDays: config.accessKeys.maxAgeDays,
    window: env.window,
    timeZone: env.timezone,
    fromYear: now.getUTCFullYear(),
    topicArns: notifications.topicArns,
  },
  opts,
);

const backupSchedule = config.backups.aws
  ? { timeZone: env.timezone, window: env.window, backup: config.backups.aws, fromYear: now.getUTCFullYear() }
  : undefined;
if (backupSchedule) {
  new AwsBackups("upkeep", { ...backupSchedule, environment: env.name, tier: env.tier, topicArns: notifications.topicArns }, opts);
}

new MaintenanceAlerts(
  "upkeep",
  {
    environment: env.name,
    namespace,
    severity: tier.alertSeverity,
    runbookBaseUrl: config.alerting.runbookBaseUrl,
    tasks,
    now,
    extraGroups: [
      buildCertificateRules({
        environment: env.name,
        namespace,
        severity: tier.alertSeverity,
        runbookBaseUrl: config.alerting.runbookBaseUrl,
        certificates: config.certificates.kubernetes,
        expiryWarningDays: config.certificates.expiryWarningDays,
      }),
    ],
  },
  inNamespace,
);

export const environment = env.name;
export const maintenanceNamespace = ns.namespace;
export const paused = env.paused;
export const calendar = [
  ...buildCalendar(tasks, namespace),
  ...buildExternalCalendar([
    ...renewalCalendar(config.certificates.kubernetes, env.window, env.timezone),
    ...rotationCalendar(config.credentials, { window: env.window, timeZone: env.timezone, fromYear: now.getUTCFullYear() }),
    ...(backupSchedule ? backupCalendar(backupSchedules(backupSchedule), config.backups.aws!.vaultName) : []),
  ]),
  ...buildRoutineCalendar(env.name, env.timezone, config.reviews.at, reminders, notices),
];
export const routine = routinePlan(config);
export const topicArns = notifications.topicArns;
export const windows = windowFill;
