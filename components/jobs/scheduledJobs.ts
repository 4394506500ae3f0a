/**
 * ScheduledJobs: the environment's CronJobs that belong to no database:
 * custom jobs, the TLS check, post-maintenance verification and dump
 * verification. Each task's CronJob and ServiceAccount are its direct
 * children, named after the task, which is unique in the environment.
 */
import * as pulumi from "@pulumi/pulumi";
import { declareTaskCronJob, type CronJobInputs } from "../kubernetes";

export interface ScheduledJobsArgs {
  /** One fully built set of CronJob inputs per task. */
  readonly jobs: readonly CronJobInputs[];
}

/** Type token: upkeep:kubernetes:ScheduledJobs. */
export class ScheduledJobs extends pulumi.ComponentResource {
  /** Fixed names, known before any deployment. */
  public readonly cronJobNames: readonly string[];

  constructor(name: string, args: ScheduledJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:kubernetes:ScheduledJobs", name, {}, opts);
    // Before 0.2 each of these tasks was a component at the top of the stack.
    const jobs = args.jobs.map((inputs) => declareTaskCronJob(this, inputs, undefined));
    this.cronJobNames = jobs.map((j) => j.objectName);
    this.registerOutputs({ cronJobNames: this.cronJobNames });
  }
}
