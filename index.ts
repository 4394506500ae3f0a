/**
 * upkeep: one environment's routine maintenance, from its stack file.
 * Config → tasks scheduled in the window → the objects that run, watch,
 * remind and announce them → stack outputs, the calendar among them.
 * With `upkeep:aws.enabled: false` the stack is Kubernetes only: no AWS
 * provider and no AWS resource; reminders and notices are CronJobs.
 */
import { AcmCertificates, buildCertificateRules, ManagedCertificates, CredentialRotation } from "./components/certificates";
import { UpkeepAlertRouting, MaintenanceAlerts, MaintenanceDashboard, runbookUrl, NotificationTopics, Pushgateway, pushgatewayUrl } from "./components/alerting";
import { AwsBackups } from "./components/backups";
import { AccountWideRules } from "./components/compliance";
import { environmentCalendar, loadEnvironment, createProviders, planWarnings } from "./components/environment";
import { windowAnnotation, MaintenanceNamespace, SCRIPTS_CONFIGMAP, loadScripts } from "./components/kubernetes";
import { routineDigests, routinePlan, routineReminders, stakeholderNotices, RoutineSchedules } from "./components/routine";
import { runbookPage } from "./components/calendar";
import { deployTaskJobs } from "./components/jobs";
import { ACCESS_KEYS_DEFAULT_MAX_AGE_DAYS, ENDPOINT_DEFAULTS, TIER_DEFAULTS } from "./components/config";
import { dstHorizon, offsetMinutes } from "./components/schedule";
import { taskRecords } from "./components/tasks";

const { config, tasks, week, now } = loadEnvironment();
const env = config.environment;
const tier = TIER_DEFAULTS[env.tier];
const fromYear = now.getUTCFullYear();
const namespace = config.kubernetes.namespace;
const providers = createProviders("upkeep", config);
const opts = { providers: { kubernetes: providers.kubernetes, ...(providers.aws ? { aws: providers.aws } : {}) } };
const runbookBase = config.alerting.runbookBaseUrl;
const reminders = routineReminders(config);
const digests = routineDigests(config);
const notices = stakeholderNotices(config, tasks, dstHorizon({ fromYear }));

// Kubernetes: the namespace, a hardened CronJob per task, certificates, alerts.
const scripts = loadScripts();
const ns = new MaintenanceNamespace(
  "upkeep",
  { name: namespace, environment: env.name, scripts, protect: tier.protect, webhookUrl: config.notify.webhookUrl },
  opts,
);
const inNamespace = { ...opts, dependsOn: [ns] };
// Where the built-in tasks push their outcome; undefined with `alerting.pushgateway: off`.
const pushUrl = pushgatewayUrl(config.alerting.pushgateway, namespace);
if (config.alerting.pushgateway === "deploy") {
  new Pushgateway("upkeep", { environment: env.name, namespace, protect: tier.protect, ruleLabels: config.alerting.ruleLabels }, inNamespace);
}
// With AWS: the topics alerts, reminders and notices go to; the window report is published to `info`.
const notifications = config.aws.enabled ? new NotificationTopics("upkeep", { environment: env.name, notify: config.notify, protect: tier.protect }, opts) : undefined;
deployTaskJobs(tasks, {
  config,
  common: {
    environment: env.name,
    paused: env.paused,
    namespace,
    tier,
    scriptsConfigMap: SCRIPTS_CONFIGMAP,
    scriptsChecksum: scripts.checksum,
    window: windowAnnotation(env.window, env.timezone),
    ...(pushUrl !== undefined ? { pushgatewayUrl: pushUrl } : {}),
  },
  runbookUrl: (task) => runbookUrl(runbookBase, runbookPage(env.name, task.id)),
  inNamespace,
  aws: opts,
  routine: {
    digests: Object.fromEntries(digests.map((d) => [d.kind, d.message])),
    notices: Object.fromEntries(notices.map((n) => [n.key, n.message])),
    // The zone's standard offset, the same all year, so the CronJob does not change with the seasons.
    utcOffsetMinutes: Math.min(offsetMinutes(env.timezone, Date.UTC(fromYear, 0, 1)), offsetMinutes(env.timezone, Date.UTC(fromYear, 6, 1))),
  },
  ...(notifications ? { topics: { info: notifications.topicArns.info, ...(notifications.kmsKeyArn ? { keyArn: notifications.kmsKeyArn } : {}) } } : {}),
});
const certificates = config.certificates;
new ManagedCertificates("upkeep", { certificates: certificates.kubernetes, namespace, environment: env.name, window: env.window, timeZone: env.timezone }, inNamespace);
const certificateRules = buildCertificateRules({
  environment: env.name,
  namespace,
  severity: tier.alertSeverity,
  runbookBaseUrl: runbookBase,
  certificates: certificates.kubernetes,
  expiryWarningDays: certificates.expiryWarningDays,
});
new MaintenanceAlerts(
  "upkeep",
  { environment: env.name, namespace, severity: tier.alertSeverity, runbookBaseUrl: runbookBase, ruleLabels: config.alerting.ruleLabels, tasks, now, pushgateway: pushUrl !== undefined, extraGroups: [certificateRules] },
  inNamespace,
);
new MaintenanceDashboard(
  "upkeep",
  {
    environment: env.name,
    namespace,
    timeZone: env.timezone,
    window: env.window,
    // The TLS check's own line; its default without endpoints.
    certificateWarningDays: config.endpoints.length > 0 ? Math.min(...config.endpoints.map((e) => e.tlsMinDays)) : ENDPOINT_DEFAULTS.tlsMinDays,
  },
  inNamespace,
);
if (config.alerting.alertmanager) {
  const alerting = config.alerting;
  const quiet = alerting.muteDuringWindow.length > 0;
  new UpkeepAlertRouting(
    "upkeep",
    {
      environment: env.name,
      namespace,
      emails: config.notify.emails,
      hasWebhook: config.notify.webhookUrl !== undefined,
      digestToEmails: !config.aws.enabled,
      ...(alerting.smtp ? { smtp: alerting.smtp } : {}),
      ...(quiet ? { quietWindow: { matcherSets: alerting.muteDuringWindow, start: env.window.start, durationMinutes: env.window.durationMinutes, timeZone: env.timezone, fromYear } } : {}),
    },
    inNamespace,
  );
}

// AWS: reminders, certificates, credentials, backups, Config rules, all reporting to the topics.
function deployAws(notifications: NotificationTopics) {
  const aws = config.aws;
  const topicArns = notifications.topicArns;
  new RoutineSchedules(
    "upkeep",
    { environment: env.name, paused: env.paused, timeZone: env.timezone, digests, notices, topicArns, schedulerRoleArn: notifications.schedulerRoleArn },
    opts,
  );
  new AcmCertificates(
    "upkeep",
    { environment: env.name, certificates: certificates.acm, expiryWarningDays: certificates.expiryWarningDays, topicArns, configRules: aws.configRules },
    opts,
  );
  new CredentialRotation(
    "upkeep",
    { environment: env.name, credentials: config.credentials, window: env.window, timeZone: env.timezone, fromYear, topicArns, configRules: aws.configRules },
    opts,
  );
  if (config.backups.aws) {
    new AwsBackups(
      "upkeep",
      { environment: env.name, tier: env.tier, timeZone: env.timezone, window: env.window, backup: config.backups.aws, fromYear, topicArns },
      opts,
    );
  }
  if (aws.accountWideRules) {
    new AccountWideRules(
      "upkeep",
      {
        environment: env.name,
        warningTopicArn: topicArns.warning,
        accessKeysMaxAgeDays: config.accessKeys?.maxAgeDays ?? ACCESS_KEYS_DEFAULT_MAX_AGE_DAYS,
        authorizedPorts: aws.authorizedPorts,
        ...(config.kubernetes.oldestSupportedVersion !== undefined ? { oldestSupportedVersion: config.kubernetes.oldestSupportedVersion } : {}),
      },
      opts,
    );
  }
}
if (notifications) deployAws(notifications);

export const environment = env.name;
export const maintenanceNamespace = ns.namespace;
export const paused = env.paused;
export const calendar = environmentCalendar({ config, tasks, reminders, notices, fromYear });
export const routine = routinePlan(config);
/** null on Kubernetes only, which has no topics. */
export const topicArns = notifications?.topicArns ?? null;
/** With encrypted topics: the statements the KMS key's policy must hold (README, "Encrypted topics"); else empty. */
export const topicKeyPolicyStatements = notifications?.keyPolicyStatements ?? [];
export const schedule = week;
export const taskConfig = taskRecords(tasks);
export const warnings = planWarnings(config);
