/**
 * Every Kubernetes object the plan writes is checked against the published
 * schemas, so a typo in a builder fails here rather than at `pulumi up`.
 */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

interface Validatable {
  validate(): void;
}
/** Each model types its own constructor argument; ours are untyped JSON, checked by validate(). */
type ModelClass = new (data: never) => Validatable;

/** apiVersion/kind → loader of its model class. Kinds without a schema are refused. */
const MODELS: Record<string, () => Promise<ModelClass>> = {
  "v1/Namespace": async () => (await import("kubernetes-models/v1/Namespace")).Namespace,
  "v1/ConfigMap": async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap,
  "v1/ServiceAccount": async () => (await import("kubernetes-models/v1/ServiceAccount")).ServiceAccount,
  "v1/Secret": async () => (await import("kubernetes-models/v1/Secret")).Secret,
  "batch/v1/CronJob": async () => (await import("kubernetes-models/batch/v1/CronJob")).CronJob,
  "v1/PersistentVolumeClaim": async () => (await import("kubernetes-models/v1/PersistentVolumeClaim")).PersistentVolumeClaim,
  "v1/Service": async () => (await import("kubernetes-models/v1/Service")).Service,
  "apps/v1/Deployment": async () => (await import("kubernetes-models/apps/v1/Deployment")).Deployment,
  "monitoring.coreos.com/v1/ServiceMonitor": async () =>
    (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor")).ServiceMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": async () =>
    (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule")).PrometheusRule,
  "monitoring.coreos.com/v1alpha1/AlertmanagerConfig": async () =>
    (await import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig")).AlertmanagerConfig,
  // The published model plus a check of spec.renewal, which it predates (see components/certificates/certManager.ts).
  "cert-manager.io/v1/Certificate": async () => (await import("../components/certificates/index.js")).certificateModel(),
};

export function objectLabel(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
  return `${obj.kind} ${ns}${obj.metadata?.name ?? "(unnamed)"}`;
}

/** Returns one line per invalid object; empty when all are valid. */
export async function validateObjects(objects: readonly KubernetesObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const obj of objects) {
    const load = MODELS[`${obj.apiVersion}/${obj.kind}`];
    if (!load) {
      problems.push(`${objectLabel(obj)}: no schema for ${obj.apiVersion} ${obj.kind}; add one to cli/validateObjects.ts`);
      continue;
    }
    const Model = await load();
    try {
      new Model(obj as never).validate();
    } catch (e) {
      const message = e instanceof Error ? e.message.split("\n").join("; ") : String(e);
      problems.push(`${objectLabel(obj)}: ${message}`);
    }
  }
  return problems;
}
