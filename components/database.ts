/**
 * DatabaseMaintenance: the vacuum, reindex and cleanup CronJobs of one
 * PostgreSQL database, each a MaintenanceCronJob running a pinned client image.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseConfig } from "./config";
import { databaseContainer } from "./containers";
import { MaintenanceCronJob, type CronJobInputs } from "./cronjob";
import type { DatabaseTask } from "./tasks";

export interface DatabaseMaintenanceArgs {
  readonly database: DatabaseConfig;
  readonly tasks: readonly DatabaseTask[];
  readonly postgresImage: string;
  /** Everything a CronJob needs besides its task and container. */
  readonly common: Omit<CronJobInputs, "task" | "container" | "runbookUrl">;
  readonly runbookUrl: (task: DatabaseTask) => string;
}

/** Type token: upkeep:postgres:DatabaseMaintenance. */
export class DatabaseMaintenance extends pulumi.ComponentResource {
  public readonly cronJobNames: pulumi.Output<string[]>;

  constructor(name: string, args: DatabaseMaintenanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:postgres:DatabaseMaintenance", name, {}, opts);
    const jobs = args.tasks.map(
      (task) =>
        new MaintenanceCronJob(
          `${name}-${task.kind}`,
          { ...args.common, task, container: databaseContainer(task, args.postgresImage), runbookUrl: args.runbookUrl(task) },
          { parent: this },
        ),
    );
    this.cronJobNames = pulumi.all(jobs.map((j) => j.cronJobName));
    this.registerOutputs({ cronJobNames: this.cronJobNames });
  }
}
