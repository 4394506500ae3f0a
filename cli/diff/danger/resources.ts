/** Names and lookups that several danger checks share. */
import type { RecordedResource } from "../../mockRuntime";
import { at } from "../paths";

export const CRONJOB_TYPE = "kubernetes:batch/v1:CronJob";
export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
export const SCHEDULE_TYPE = "aws:scheduler/schedule:Schedule";
export const VAULT_LOCK_TYPE = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";

export const resourceIndex = (resources: readonly RecordedResource[]) => new Map(resources.map((r) => [r.urn, r]));

/** How a finding names a resource: its type and Pulumi name, never a value. */
export const label = (r: RecordedResource) => `\`${r.type}\` ${r.name}`;

/** The environment a plan belongs to: the label upkeep puts on its objects, else the stack in the URNs. */
export function environmentOf(resources: readonly RecordedResource[]): string | undefined {
  for (const r of resources) {
    const env = at(r.inputs, "metadata", "labels", "upkeep.dev/environment");
    if (typeof env === "string") return env;
  }
  return /^urn:pulumi:([^:]+)::/.exec(resources[0]?.urn ?? "")?.[1];
}
