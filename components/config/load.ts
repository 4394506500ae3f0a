/**
 * The boundary between Pulumi's config and ours: the only place that reads
 * `upkeep:` keys. Everything downstream takes the validated, frozen result.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "./parse";
import type { UpkeepConfig } from "./schema";

const PREFIX = "upkeep:";

/** Keys Pulumi passes as plain strings rather than JSON documents. */
const STRING_KEYS = new Set(["kubeconfig"]);

function decode(key: string, text: string): unknown {
  if (STRING_KEYS.has(key)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Validates Pulumi's flat config map (`"upkeep:databases"` → JSON text), as the
 * program receives it and as the CLI reads it from a stack file, for `stack`.
 */
export function parsePulumiConfig(all: Readonly<Record<string, string>>, secretKeys: ReadonlySet<string>, stack?: string): UpkeepConfig {
  const raw: Record<string, unknown> = {};
  const secret = new Set<string>();
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(PREFIX)) continue;
    const key = fullKey.slice(PREFIX.length);
    raw[key] = decode(key, text);
    if (secretKeys.has(fullKey)) secret.add(key);
  }
  return parseConfig(raw, secret, all["aws:region"], stack);
}

/**
 * Pulumi marks secret keys in PULUMI_CONFIG_SECRET_KEYS; the SDK reads it
 * through an internal helper that its typings do not export.
 */
function configSecretKeys(all: Readonly<Record<string, string>>): Set<string> {
  const runtimeConfig: { isConfigSecret?: (key: string) => boolean } = require("@pulumi/pulumi/runtime/config");
  const isSecret = runtimeConfig.isConfigSecret;
  if (typeof isSecret !== "function") throw new Error("@pulumi/pulumi no longer exposes isConfigSecret; upkeep cannot tell secret config apart");
  return new Set(Object.keys(all).filter((key) => isSecret(key)));
}

export function loadConfig(): UpkeepConfig {
  const all = pulumi.runtime.allConfig();
  // The stack as Pulumi knows it: `pulumi up --stack`, or the offline plan's --stack.
  return parsePulumiConfig(all, configSecretKeys(all), pulumi.getStack());
}
