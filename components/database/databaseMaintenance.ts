/**
 * DatabaseMaintenance: the vacuum, reindex and cleanup CronJobs of one
 * PostgreSQL database, each running a pinned client image. The CronJobs and
 * their ServiceAccounts are its direct children, named after it
 * (`<database>-<kind>-cronjob`), so a reviewer reads a database's changes
 * together.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseConfig } from "../config";
import { databaseContainer, declareTaskCronJob, type CronJobInputs } from "../kubernetes";
import type { DatabaseTask } from "../tasks";

export interface DatabaseMaintenanceArgs {
  readonly database: DatabaseConfig;
  readonly tasks: readonly DatabaseTask[];
  readonly postgresImage: string;
  /** Everything a CronJob needs besides its task and container. */
  readonly common: Omit<CronJobInputs, "task" | "container" | "runbookUrl">;
  readonly runbookUrl: (task: DatabaseTask) => string;
}

const DATABASE_MAINTENANCE = "upkeep:postgres:DatabaseMaintenance";

/** Type token: upkeep:postgres:DatabaseMaintenance. */
export class DatabaseMaintenance extends pulumi.ComponentResource {
  /** Fixed names, known before any deployment. */
  public readonly cronJobNames: readonly string[];

  constructor(name: string, args: DatabaseMaintenanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DATABASE_MAINTENANCE, name, {}, opts);
    const jobs = args.tasks.map((task) =>
      declareTaskCronJob(this, { ...args.common, task, container: databaseContainer(task, args.postgresImage, args.common.environment), runbookUrl: args.runbookUrl(task) }, DATABASE_MAINTENANCE),
    );
    this.cronJobNames = jobs.map((j) => j.objectName);
    this.registerOutputs({ cronJobNames: this.cronJobNames });
  }
}
