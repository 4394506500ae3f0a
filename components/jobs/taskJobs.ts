/**
 * Every scheduled task as the Kubernetes objects that run it. One place maps
 * a task's kind to its container, so index.ts stays a list of concerns.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseConfig, UpkeepConfig } from "../config";
import { customContainer, type CronJobInputs, WEBHOOK_SECRET } from "../kubernetes";
import { DatabaseMaintenance } from "../database";
import { customJobPod } from "./customJob";
import { taskRole } from "./awsAccess";
import { DumpReaderRole, dumpVerificationPod } from "./dumpVerification";
import { publishesReport, ReportPublisherRole, windowReportPod } from "./reportPublisher";
import { ScheduledJobs } from "./scheduledJobs";
import { isCustomTask, isDatabaseTask, isDumpVerifyTask, isRoutineTask, isTlsCheckTask, isVerifyTask, type DatabaseTask, type DumpVerifyTask, type MaintenanceTask, type RoutineTask, type VerifyTask } from "../tasks";
import { digestContainer, type DigestMessages, noticeContainer, type RoutineDelivery, versionCheckContainer, versionCheckPod } from "./routineJobs";
import { tlsCheckContainer } from "./tlsCheck";
import { verificationContainer } from "./verification";
import { reportTasksEnv, windowEnv } from "./windowReport";

export interface TaskJobsContext {
  readonly config: UpkeepConfig;
  /** What every CronJob shares: environment, tier, namespace, scripts, window. */
  readonly common: Omit<CronJobInputs, "task" | "container" | "runbookUrl" | "pod">;
  readonly runbookUrl: (task: { readonly id: string }) => string;
  /** For Kubernetes objects: providers and the namespace dependency. */
  readonly inNamespace: pulumi.ComponentResourceOptions;
  /** For AWS resources (IRSA roles). */
  readonly aws: pulumi.ComponentResourceOptions;
  /** Kubernetes only: the messages the routine CronJobs send (built by routine/ from the same config). */
  readonly routine?: RoutineMessages;
  /** With AWS: the info topic the window report is published to, and the topics' key if they are encrypted. */
  readonly topics?: { readonly info: pulumi.Input<string>; readonly keyArn?: pulumi.Input<string> };
}

export interface RoutineMessages {
  readonly digests: DigestMessages;
  /** Notice texts by the window days they announce, joined with "-" (StakeholderNotice.key). */
  readonly notices: Readonly<Record<string, string>>;
  /** The zone's UTC offset, from which the digest script tells the local date (its image has no tzdata). */
  readonly utcOffsetMinutes: number;
}

export function deployTaskJobs(tasks: readonly MaintenanceTask[], ctx: TaskJobsContext): void {
  const { config, common, runbookUrl, inNamespace } = ctx;
  const byDatabase = new Map<DatabaseConfig, DatabaseTask[]>(config.databases.map((db) => [db, []]));
  for (const task of tasks.filter(isDatabaseTask)) byDatabase.get(task.database)?.push(task);
  for (const [database, own] of byDatabase) {
    new DatabaseMaintenance(database.name, { database, tasks: own, postgresImage: config.kubernetes.postgresImage, common, runbookUrl }, inNamespace);
  }
  const job = (task: MaintenanceTask, container: CronJobInputs["container"], pod?: CronJobInputs["pod"]): CronJobInputs => ({
    ...common,
    task,
    container,
    ...(pod ? { pod } : {}),
    runbookUrl: runbookUrl(task),
  });
  const jobs = [
    ...tasks.filter(isCustomTask).map((task) => job(task, customContainer(task, common.environment), customJobPod(task.job))),
    ...tasks.filter(isTlsCheckTask).map((task) => job(task, tlsCheckContainer(task, task.endpoints, common.environment))),
    ...tasks.filter(isDumpVerifyTask).map((task) => dumpVerificationJob(task, ctx)),
    ...tasks.filter(isVerifyTask).map((task) => verificationJob(task, tasks, ctx)),
    ...tasks.filter(isRoutineTask).map((task) => routineJob(task, ctx)),
  ];
  if (jobs.length > 0) new ScheduledJobs("upkeep", { jobs }, inNamespace);
}

/**
 * post-maintenance-verify: the endpoint check alone; with a Pushgateway, the
 * window report built from what the tasks pushed and sent as the completion
 * notice; with AWS and an IRSA role, also published to the info topic and the
 * maintenance log (reportPublisher.ts).
 */
function verificationJob(task: VerifyTask, tasks: readonly MaintenanceTask[], ctx: TaskJobsContext): CronJobInputs {
  const { config, common } = ctx;
  const alertmanagerUrl = config.notify.alertmanagerUrl;
  const options = {
    environment: common.environment,
    endpoints: task.endpoints,
    ...(config.notify.webhookUrl !== undefined ? { webhookSecret: WEBHOOK_SECRET } : {}),
    ...(!config.aws.enabled && alertmanagerUrl !== undefined ? { alertmanager: { url: alertmanagerUrl, namespace: common.namespace } } : {}),
  };
  const base = { ...common, task, runbookUrl: ctx.runbookUrl(task) };
  const pushgatewayUrl = common.pushgatewayUrl;
  if (pushgatewayUrl === undefined) return { ...base, container: verificationContainer(task, options) };
  const reported = { ...options, report: { window: windowEnv(config.environment.window), tasks: reportTasksEnv(tasks) } };
  const roleArn = ctx.topics !== undefined && publishesReport(config) ? publisherRoleArn(task, ctx) : undefined;
  if (ctx.topics === undefined || roleArn === undefined) return { ...base, container: verificationContainer(task, reported) };
  const location = config.maintenanceLog?.location;
  const { container, pod } = windowReportPod(task, reported, pushgatewayUrl, { roleArn, infoTopicArn: ctx.topics.info, ...(location !== undefined ? { location } : {}) });
  return { ...base, container, pod };
}

/** `maintenanceLog.roleArn`, or the role created from the OIDC provider; undefined when there is neither (planWarnings says so). */
function publisherRoleArn(task: VerifyTask, ctx: TaskJobsContext): string | undefined {
  const { config, common, topics } = ctx;
  const own = config.maintenanceLog?.roleArn;
  if (own !== undefined) return own;
  const oidcProviderArn = config.kubernetes.oidcProviderArn;
  if (oidcProviderArn === undefined || topics === undefined) return undefined;
  const role = taskRole(oidcProviderArn, common.environment, common.namespace, task.id);
  const location = config.maintenanceLog?.location;
  new ReportPublisherRole(
    task.id,
    {
      ...role.args,
      infoTopicArn: topics.info,
      ...(topics.keyArn !== undefined ? { topicKeyArn: topics.keyArn } : {}),
      ...(location !== undefined ? { location } : {}),
    },
    ctx.aws,
  );
  return role.arn;
}

function routineJob(task: RoutineTask, ctx: TaskJobsContext): CronJobInputs {
  const { config, common } = ctx;
  const job = (container: CronJobInputs["container"], pod?: CronJobInputs["pod"]): CronJobInputs => ({ ...common, task, container, runbookUrl: ctx.runbookUrl(task), ...(pod ? { pod } : {}) });
  if (task.kind === "version-check") return job(versionCheckContainer(task, common.environment), versionCheckPod());
  const routine = ctx.routine;
  if (routine === undefined) throw new Error(`${task.id}: the routine messages were not passed to deployTaskJobs`);
  const delivery: RoutineDelivery = {
    environment: common.environment,
    namespace: common.namespace,
    ...(config.notify.webhookUrl !== undefined ? { webhookSecret: WEBHOOK_SECRET } : {}),
    ...(config.notify.alertmanagerUrl !== undefined ? { alertmanagerUrl: config.notify.alertmanagerUrl } : {}),
  };
  if (task.kind === "digest") return job(digestContainer(task, routine.digests, routine.utcOffsetMinutes, delivery));
  const message = routine.notices[task.windows.join("-")];
  if (message === undefined) throw new Error(`${task.id}: no notice text for the ${task.windows.join(" and ")} window`);
  return job(noticeContainer(task, message, delivery));
}

function dumpVerificationJob(task: DumpVerifyTask, ctx: TaskJobsContext): CronJobInputs {
  const { config, common } = ctx;
  let roleArn = task.dump.roleArn;
  if (roleArn === undefined) {
    // Validation requires the OIDC provider when a dump names no role of its own.
    const role = taskRole(config.kubernetes.oidcProviderArn!, common.environment, common.namespace, task.id);
    new DumpReaderRole(
      task.id,
      {
        ...role.args,
        location: task.dump.location,
        ...(task.dump.kmsKeyArn !== undefined ? { kmsKeyArn: task.dump.kmsKeyArn } : {}),
      },
      ctx.aws,
    );
    roleArn = role.arn;
  }
  const { container, ...pod } = dumpVerificationPod({ ...task.schedule, id: task.id }, task.dump, {
    postgresImage: config.kubernetes.postgresImage,
    environment: common.environment,
    namespace: common.namespace,
    roleArn,
    ...(common.pushgatewayUrl !== undefined ? { pushgatewayUrl: common.pushgatewayUrl } : {}),
  });
  return { ...common, task, container, pod, runbookUrl: ctx.runbookUrl(task) };
}
