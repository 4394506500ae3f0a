/**
 * The Kubernetes features upkeep's objects use that an older cluster refuses,
 * with the release that turned each on by default. `upkeep:kubernetes.version`
 * is checked against the features a config needs before anything is
 * registered; `featuresOfObject` reads them back from the built objects, so a
 * test can prove the check knows every feature the objects really use.
 */

export interface KubernetesFeature {
  /** What the API server sees. */
  readonly name: string;
  /** `major.minor` from which the feature is on by default. */
  readonly since: string;
}

export const KUBERNETES_FEATURES = Object.freeze({
  // GA in 1.27; before it the field was beta behind CronJobTimeZone (1.25–1.26) and dropped on older servers.
  cronJobTimeZone: { name: "CronJob spec.timeZone", since: "1.27" },
  // SidecarContainers: alpha in 1.28 (off), beta and on by default in 1.29. Without it the API server
  // refuses restartPolicy on an init container, and with it a readiness probe there.
  nativeSidecar: { name: "a native sidecar (an init container with restartPolicy: Always and a readiness probe)", since: "1.29" },
} satisfies Record<string, KubernetesFeature>);

export type KubernetesFeatureName = keyof typeof KUBERNETES_FEATURES;

/** A feature one part of the config needs, and the key path to name when the cluster is too old. */
export interface FeatureUse {
  readonly feature: KubernetesFeatureName;
  /** Full key path, e.g. `upkeep:backups.dumps[0]`. */
  readonly path: string;
  /** What upkeep does with it, in the user's terms. */
  readonly usedFor: string;
}

function minor(version: string): number {
  const m = /^1\.(\d+)$/.exec(version);
  if (!m) throw new Error(`not a Kubernetes 1.x version: ${JSON.stringify(version)}`);
  return Number(m[1]);
}

/** Whether a cluster of `declared` has the feature on by default. */
export function supports(declared: string, feature: KubernetesFeatureName): boolean {
  return minor(declared) >= minor(KUBERNETES_FEATURES[feature].since);
}

/** One problem per use the declared version cannot serve, each naming the feature and the version it needs. */
export function versionProblems(declared: string, uses: readonly FeatureUse[]): { path: string; reason: string }[] {
  return uses
    .filter((use) => !supports(declared, use.feature))
    .map((use) => {
      const f = KUBERNETES_FEATURES[use.feature];
      return { path: use.path, reason: `${f.name} needs Kubernetes ${f.since}, and upkeep:kubernetes.version is "${declared}": ${use.usedFor}` };
    });
}

type Obj = { readonly kind?: string; readonly spec?: unknown };
type PodSpec = { initContainers?: { restartPolicy?: string; readinessProbe?: unknown }[] };

/** The features a built Kubernetes object needs from the API server. */
export function featuresOfObject(object: Obj): KubernetesFeatureName[] {
  if (object.kind !== "CronJob") return [];
  const spec = (object.spec ?? {}) as { timeZone?: string; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } };
  const pod = spec.jobTemplate?.spec?.template?.spec ?? {};
  const out: KubernetesFeatureName[] = [];
  if (spec.timeZone !== undefined) out.push("cronJobTimeZone");
  if ((pod.initContainers ?? []).some((c) => c.restartPolicy === "Always")) out.push("nativeSidecar");
  return out;
}
