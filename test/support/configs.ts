/** Raw configs for tests, built from the reference stack file. */
import { join } from "node:path";
import { readStackFile } from "../../cli/stackFile";

export const ROOT = join(__dirname, "..", "..");
export const REFERENCE_STACK = join(ROOT, "test", "fixtures", "Pulumi.reference.yaml");

/** The `upkeep:` keys of a stack file, decoded as the program decodes them. */
export function rawUpkeepConfig(stackFile: string = REFERENCE_STACK): Record<string, unknown> {
  const { all } = readStackFile(stackFile);
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (!key.startsWith("upkeep:")) continue;
    try {
      raw[key.slice("upkeep:".length)] = JSON.parse(value);
    } catch {
      raw[key.slice("upkeep:".length)] = value;
    }
  }
  return raw;
}

/** A deep copy that a test may mutate freely. */
export function referenceConfig(): Record<string, any> {
  return structuredClone(rawUpkeepConfig());
}
