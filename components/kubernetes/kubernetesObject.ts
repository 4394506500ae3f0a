/**
 * The objects that scale with the number of tasks (each task's CronJob and
 * ServiceAccount), registered under the Kubernetes provider's own type token
 * as the SDK's classes register them, but without the SDK class around them.
 *
 * Why: at a thousand tasks the SDK classes made the preview a quarter
 * slower than the same objects registered raw (bench/README.md). Each adds
 * aliases to API versions upkeep never created (batch/v1beta1 and v2alpha1
 * CronJobs), outputs for fields upkeep never sets (`status`, `secrets`,
 * `imagePullSecrets`) and a module lookup for its version, per object. The
 * provider receives exactly the same inputs, so `pulumi preview` shows
 * exactly the same objects.
 *
 * What stays: the type token, the inputs (typed by the SDK's own input
 * types), the provider version the SDK would send, and everything the
 * caller passes in the options. Objects that carry secrets (a Secret) keep
 * the SDK class, which marks their data as secret outputs.
 */
import type * as k8s from "@pulumi/kubernetes";
import { version as sdkPackageVersion } from "@pulumi/kubernetes/package.json";
import * as pulumi from "@pulumi/pulumi";

/** As the SDK's own getVersion() spells it: without a leading "v". */
const KUBERNETES_SDK_VERSION = sdkPackageVersion.replace(/^v/, "");

interface TypedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: k8s.types.input.meta.v1.ObjectMeta & { readonly name: string; readonly namespace: string };
}

/** `batch/v1` + `CronJob` → `kubernetes:batch/v1:CronJob`; the core group is spelt `core`. */
export function kubernetesTypeToken(apiVersion: string, kind: string): string {
  const groupVersion = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return `kubernetes:${groupVersion}:${kind}`;
}

/** The options the SDK's classes add to every object: the provider plugin version they were generated for. */
export function kubernetesObjectOptions(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  return { version: KUBERNETES_SDK_VERSION, ...opts };
}

/** A namespaced object with a fixed name, e.g. `new KubernetesObject("x-cronjob", buildCronJob(...), opts)`. */
export class KubernetesObject<T extends TypedObject> extends pulumi.CustomResource {
  /** The fixed name the object was given; known before any deployment. */
  public readonly objectName: string;

  constructor(name: string, object: T, opts: pulumi.CustomResourceOptions) {
    super(kubernetesTypeToken(object.apiVersion, object.kind), name, { ...object }, kubernetesObjectOptions(opts));
    this.objectName = object.metadata.name;
  }
}
