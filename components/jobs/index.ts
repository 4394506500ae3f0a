/**
 * Scheduled jobs that are not database tasks: custom jobs, the daily TLS check, the
 * post-window endpoint verification and dump verification; and the one place that deploys every task.
 */
export { deployTaskJobs, type RoutineMessages } from "./taskJobs";
export { reportTasksEnv, windowEnv, windowReportSchema, type WindowReport } from "./windowReport";
export { reportDelivery, type ReportDelivery } from "./reportPublisher";
export { kubernetesFeatureUses, taskFeatures } from "./features";
