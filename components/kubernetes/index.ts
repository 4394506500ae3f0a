/**
 * The Kubernetes building blocks every task shares: the hardened namespace, the CronJob and
 * its containers, the scripts ConfigMap, labels, and the thin object registration.
 */
export {
  type ContainerPlan,
  customContainer,
  databaseContainer,
  databasePodExtras,
  defaultResources,
  type EnvVar,
  guardedCommand,
  hardenedSecurityContext,
  plainEnv,
  secretEnv,
  standardTaskEnv,
} from "./containers";
export { type CronJobInputs, declareTaskCronJob, type PodExtras, PUSHGATEWAY_ENV, taskVolumeMounts } from "./cronjob";
export { KubernetesObject } from "./kubernetesObject";
export { componentLabels, environmentLabels, windowAnnotation } from "./labels";
export { MaintenanceNamespace, SCRIPTS_CONFIGMAP, WEBHOOK_SECRET } from "./namespace";
export { loadScripts, scriptPath } from "./scriptsBundle";
export { featuresOfObject, versionProblems, type FeatureUse, type KubernetesFeatureName } from "./versions";
