/**
 * Scheduled jobs that are not database tasks: custom jobs, the daily TLS check, the
 * post-window endpoint verification and dump verification; and the one place that deploys every task.
 */
export { deployTaskJobs } from "./taskJobs";
export { publishesReport, reportDelivery, type ReportDelivery } from "./reportPublisher";
export { kubernetesFeatureUses, taskFeatures } from "./features";
export { tlsEndpointName } from "./tlsCheck";
