/**
 * The boundary between Pulumi's config and ours: the only place that reads
 * `upkeep:` keys. Everything downstream takes the validated, frozen result.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, type UpkeepConfig } from "./config";

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
 * Pulumi marks secret keys in PULUMI_CONFIG_SECRET_KEYS; the SDK reads it
 * through an internal helper that its typings do not export.
 */
function configSecretKeys(): Set<string> {
  const runtimeConfig: { isConfigSecret?: (key: string) => boolean } = require("@pulumi/pulumi/runtime/config");
  const isSecret = runtimeConfig.isConfigSecret;
  if (typeof isSecret !== "function") throw new Error("@pulumi/pulumi no longer exposes isConfigSecret; upkeep cannot tell secret config apart");
  const out = new Set<string>();
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    if (fullKey.startsWith(PREFIX) && isSecret(fullKey)) out.add(fullKey.slice(PREFIX.length));
  }
  return out;
}

export function loadConfig(): UpkeepConfig {
  const raw: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(PREFIX)) continue;
    const key = fullKey.slice(PREFIX.length);
    raw[key] = decode(key, text);
  }
  return parseConfig(raw, configSecretKeys(), pulumi.runtime.allConfig()["aws:region"]);
}
