/**
 * The Pushgateway the built-in tasks report their outcome to: the Prometheus
 * project's own answer for the outcome of service-level batch jobs. With
 * `upkeep:alerting.pushgateway: deploy` upkeep runs one in its namespace:
 * - pinned, one replica (a Pushgateway is not clustered) replaced with
 *   `Recreate`, since its volume attaches to one node at a time;
 * - `--persistence.file` on a small PVC, written every minute and on
 *   shutdown, so a restart or a reschedule loses nothing: the last real
 *   success of a monthly task must outlive the month;
 * - Pod Security "restricted": the image's own `nobody`, read-only root, no
 *   capabilities, no service-account token;
 * - a ServiceMonitor with `honorLabels: true`, so the pushed `job`,
 *   `environment` and `task` labels survive the scrape.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { environmentLabels, hardenedSecurityContext, KubernetesObject } from "../kubernetes";
import { monitoringObjectLabels } from "./selectorLabels";

export const PUSHGATEWAY_IMAGE = "quay.io/prometheus/pushgateway:v1.11.2";
export const PUSHGATEWAY_NAME = "upkeep-pushgateway";
export const PUSHGATEWAY_PORT = 9091;
/** `nobody` in the image; its volume is made writable for this group. */
const PUSHGATEWAY_UID = 65534;
const DATA_DIR = "/data";
/** A few thousand series take well under a megabyte; 1Gi is the smallest volume many storage classes provision. */
export const PUSHGATEWAY_STORAGE = "1Gi";

/** Where the tasks push: the in-cluster Service, or the URL of an existing Pushgateway; undefined when off. */
export function pushgatewayUrl(mode: string, namespace: string): string | undefined {
  if (mode === "off") return undefined;
  if (mode === "deploy") return `http://${PUSHGATEWAY_NAME}.${namespace}.svc:${PUSHGATEWAY_PORT}`;
  return mode.replace(/\/+$/, "");
}

export interface PushgatewayArgs {
  readonly environment: string;
  readonly namespace: string;
  /** `upkeep:alerting.ruleLabels`: the ServiceMonitor carries them, so the Prometheus it is meant for selects it. */
  readonly ruleLabels: Readonly<Record<string, string>>;
  /** Production keeps its record: the PVC is `protect`ed like the namespace. */
  readonly protect: boolean;
  /** The PVC's storage class; the cluster's default when unset. */
  readonly storageClassName?: string;
}

type Named<T> = T & { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> } };

export interface PushgatewayObjects {
  readonly persistentVolumeClaim: Named<k8s.types.input.core.v1.PersistentVolumeClaim>;
  readonly deployment: Named<k8s.types.input.apps.v1.Deployment>;
  readonly service: Named<k8s.types.input.core.v1.Service>;
  readonly serviceMonitor: Named<{ spec: Record<string, unknown> }>;
}

export function pushgatewayLabels(environment: string): Record<string, string> {
  return { ...environmentLabels(environment), "app.kubernetes.io/name": PUSHGATEWAY_NAME, "app.kubernetes.io/component": "pushgateway" };
}

export function buildPushgateway(args: PushgatewayArgs): PushgatewayObjects {
  const labels = pushgatewayLabels(args.environment);
  const selector = { "app.kubernetes.io/name": PUSHGATEWAY_NAME, "upkeep.dev/environment": args.environment };
  const metadata = { name: PUSHGATEWAY_NAME, namespace: args.namespace, labels };
  const probe = (path: string) => ({ httpGet: { path, port: "http" }, periodSeconds: 10, timeoutSeconds: 3 });
  return {
    persistentVolumeClaim: {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { ...metadata, labels: { ...labels } },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: PUSHGATEWAY_STORAGE } },
        ...(args.storageClassName ? { storageClassName: args.storageClassName } : {}),
      },
    },
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { ...metadata, labels: { ...labels } },
      spec: {
        replicas: 1,
        // Two pods cannot share the ReadWriteOnce volume; the old one writes its file on the way out.
        strategy: { type: "Recreate" },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: PUSHGATEWAY_UID,
              runAsGroup: PUSHGATEWAY_UID,
              fsGroup: PUSHGATEWAY_UID,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "pushgateway",
                image: PUSHGATEWAY_IMAGE,
                imagePullPolicy: "IfNotPresent",
                args: [
                  `--web.listen-address=:${PUSHGATEWAY_PORT}`,
                  `--persistence.file=${DATA_DIR}/pushgateway.data`,
                  "--persistence.interval=1m",
                ],
                ports: [{ name: "http", containerPort: PUSHGATEWAY_PORT, protocol: "TCP" }],
                readinessProbe: probe("/-/ready"),
                livenessProbe: { ...probe("/-/healthy"), failureThreshold: 6 },
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                securityContext: hardenedSecurityContext(),
                volumeMounts: [{ name: "data", mountPath: DATA_DIR }],
              },
            ],
            volumes: [{ name: "data", persistentVolumeClaim: { claimName: PUSHGATEWAY_NAME } }],
          },
        },
      },
    },
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { ...metadata, labels: { ...labels } },
      spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: PUSHGATEWAY_PORT, targetPort: "http", protocol: "TCP" }] },
    },
    serviceMonitor: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { ...metadata, labels: monitoringObjectLabels({ environment: args.environment, component: "pushgateway", ruleLabels: args.ruleLabels }) },
      spec: {
        selector: { matchLabels: selector },
        namespaceSelector: { matchNames: [args.namespace] },
        // The pushed job, environment and task labels are the point; the scrape's own would replace them.
        endpoints: [{ port: "http", path: "/metrics", interval: "30s", honorLabels: true }],
      },
    },
  };
}

/** Type token: upkeep:monitoring:Pushgateway. */
export class Pushgateway extends pulumi.ComponentResource {
  /** The in-cluster URL the tasks push to. */
  public readonly url: string;

  constructor(name: string, args: PushgatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:monitoring:Pushgateway", name, {}, opts);
    const objects = buildPushgateway(args);
    // Fixed names that the tasks' URL and the alerts refer to: a replacement must delete first.
    const child = { parent: this, deleteBeforeReplace: true };
    const pvc = new KubernetesObject(`${name}-pushgateway-pvc`, objects.persistentVolumeClaim, { ...child, protect: args.protect });
    const deployment = new KubernetesObject(`${name}-pushgateway`, objects.deployment, { ...child, dependsOn: [pvc] });
    const service = new KubernetesObject(`${name}-pushgateway-service`, objects.service, child);
    new KubernetesObject(`${name}-pushgateway-servicemonitor`, objects.serviceMonitor, { ...child, dependsOn: [service, deployment] });
    this.url = pushgatewayUrl("deploy", args.namespace)!;
    this.registerOutputs({ url: this.url });
  }
}
