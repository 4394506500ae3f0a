/**
 * What every rule sees: a resource as both the policy engine and the offline
 * plan can describe it. The checks are pure functions over this shape, so the
 * plan runs exactly the rules that `pulumi preview --policy-pack policy` runs.
 */

export interface CheckedResource {
  readonly type: string;
  /** The Pulumi resource name (not the cloud or Kubernetes name). */
  readonly name: string;
  readonly urn?: string;
  /** Inputs. In the plan, secrets are REDACTED_SECRET; in the engine they arrive decrypted. */
  readonly props: Record<string, unknown>;
  readonly opts?: {
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    /** The only secretness the policy engine reveals (pulumi/pulumi-policy#241). */
    readonly additionalSecretOutputs?: readonly string[];
  };
}

export interface RuleContext {
  /** The stack being checked, e.g. "prod". */
  readonly stack: string;
  /** Stacks whose backup vaults must be protected and locked. */
  readonly productionStacks: readonly string[];
}

export const DEFAULT_PRODUCTION_STACKS: readonly string[] = ["prod"];

/** How the offline plan writes a secret (cli/stackFile.ts SECRET_PLACEHOLDER). */
export const REDACTED_SECRET = "[secret]";

export const TYPES = Object.freeze({
  cronJob: "kubernetes:batch/v1:CronJob",
  prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  kubernetesSecret: "kubernetes:core/v1:Secret",
  vault: "aws:backup/vault:Vault",
  vaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
});

/**
 * Reads a nested value; undefined where the path ends. In `pulumi preview`
 * the engine's props throw on values not known yet: here that aborts the
 * rule, and the engine reports it as not runnable during preview (advisory),
 * which is the honest answer. Only the secrets walk skips them (`readKnown`).
 */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export const UNKNOWN: unique symbol = Symbol("unknown during preview");

/** One property, or UNKNOWN when the engine cannot know it yet (its proxy throws). */
export function readKnown(record: object, key: string | number): unknown {
  try {
    return (record as Record<string | number, unknown>)[key];
  } catch {
    return UNKNOWN;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** "Allow", 5, ["NET_RAW"] as a message shows them; undefined is "not set". */
export function got(value: unknown): string {
  if (value === undefined || value === null) return "not set";
  return `got ${typeof value === "string" ? value : JSON.stringify(value)}`;
}

/** `CronJob upkeep-maintenance/orders-vacuum`: how Kubernetes users name it. */
export function cronJobLabel(resource: CheckedResource): string {
  const name = at(resource.props, "metadata", "name");
  const namespace = at(resource.props, "metadata", "namespace");
  const shown = typeof name === "string" ? name : resource.name;
  return `CronJob ${typeof namespace === "string" ? `${namespace}/` : ""}${shown}`;
}

/** `RolePolicy upkeep-scheduler-publish`: the type's last segment and the Pulumi name. */
export function resourceLabel(resource: CheckedResource): string {
  const kind = resource.type.split(":").pop() ?? resource.type;
  return `${kind} ${resource.name}`;
}

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::…`. */
export function stackOfUrn(urn: string | undefined): string | undefined {
  return urn === undefined ? undefined : /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}
