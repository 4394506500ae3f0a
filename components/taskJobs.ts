/**
 * Every scheduled task as the Kubernetes objects that run it. One place maps
 * a task's kind to its container, so index.ts stays a list of concerns.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { UpkeepConfig } from "./config";
import { customContainer } from "./containers";
import { MaintenanceCronJob, type CronJobInputs } from "./cronjob";
import { DatabaseMaintenance } from "./database";
import { DumpReaderRole, dumpVerificationPod, readerRole } from "./dumpVerification";
import { WEBHOOK_SECRET } from "./namespace";
import { isCustomTask, isDatabaseTask, isDumpVerifyTask, isTlsCheckTask, isVerifyTask, type DumpVerifyTask, type MaintenanceTask } from "./tasks";
import { tlsCheckContainer } from "./tls";
import { verificationContainer } from "./verification";

export interface TaskJobsContext {
  readonly config: UpkeepConfig;
  /** What every CronJob shares: environment, tier, namespace, scripts, window. */
  readonly common: Omit<CronJobInputs, "task" | "container" | "runbookUrl" | "pod">;
  readonly runbookUrl: (task: { readonly id: string }) => string;
  /** For Kubernetes objects: providers and the namespace dependency. */
  readonly inNamespace: pulumi.ComponentResourceOptions;
  /** For AWS resources (IRSA roles). */
  readonly aws: pulumi.ComponentResourceOptions;
}

export function deployTaskJobs(tasks: readonly MaintenanceTask[], ctx: TaskJobsContext): void {
  const { config, common, runbookUrl, inNamespace } = ctx;
  for (const database of config.databases) {
    const own = tasks.filter(isDatabaseTask).filter((t) => t.database === database);
    new DatabaseMaintenance(database.name, { database, tasks: own, postgresImage: config.kubernetes.postgresImage, common, runbookUrl }, inNamespace);
  }
  const job = (task: MaintenanceTask, container: CronJobInputs["container"]) =>
    new MaintenanceCronJob(task.id, { ...common, task, container, runbookUrl: runbookUrl(task) }, inNamespace);
  for (const task of tasks.filter(isCustomTask)) job(task, customContainer(task));
  for (const task of tasks.filter(isTlsCheckTask)) job(task, tlsCheckContainer(task, task.endpoints));
  for (const task of tasks.filter(isDumpVerifyTask)) dumpVerificationJob(task, ctx);
  const webhook = config.notify.webhookUrl !== undefined ? { webhookSecret: WEBHOOK_SECRET } : {};
  for (const task of tasks.filter(isVerifyTask)) {
    job(task, verificationContainer(task, { environment: common.environment, endpoints: task.endpoints, ...webhook }));
  }
}

function dumpVerificationJob(task: DumpVerifyTask, ctx: TaskJobsContext): void {
  const { config, common } = ctx;
  let roleArn = task.dump.roleArn;
  if (roleArn === undefined) {
    // Validation requires the OIDC provider when a dump names no role of its own.
    const oidcProviderArn = config.kubernetes.oidcProviderArn!;
    const role = readerRole(oidcProviderArn, common.environment, task.id);
    new DumpReaderRole(
      task.id,
      { location: task.dump.location, namespace: common.namespace, serviceAccount: task.id, oidcProviderArn, oidcIssuer: role.issuer, roleName: role.name },
      ctx.aws,
    );
    roleArn = role.arn;
  }
  const pod = dumpVerificationPod({ ...task.schedule, id: task.id }, task.dump, {
    postgresImage: config.kubernetes.postgresImage,
    environment: common.environment,
    namespace: common.namespace,
    roleArn,
  });
  const { container, ...extras } = pod;
  new MaintenanceCronJob(task.id, { ...common, task, container, pod: extras, runbookUrl: ctx.runbookUrl(task) }, ctx.inNamespace);
}
