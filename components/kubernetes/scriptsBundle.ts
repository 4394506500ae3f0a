/**
 * The job scripts as they ship in the scripts ConfigMap. The checksum goes on
 * every CronJob, so a changed script shows up in a preview's diff.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const SCRIPTS_DIR = join(__dirname, "..", "scripts");
export const SCRIPTS_MOUNT_PATH = "/upkeep/scripts";

export interface ScriptsBundle {
  /** File name → content, in name order. */
  readonly files: Readonly<Record<string, string>>;
  /** sha256 over names and contents. */
  readonly checksum: string;
}

export function bundleScripts(files: Readonly<Record<string, string>>): ScriptsBundle {
  const names = Object.keys(files).sort();
  const hash = createHash("sha256");
  const sorted: Record<string, string> = {};
  for (const name of names) {
    hash.update(`${name}\0${files[name]}\0`);
    sorted[name] = files[name]!;
  }
  return { files: Object.freeze(sorted), checksum: `sha256:${hash.digest("hex")}` };
}

export function loadScripts(dir: string = SCRIPTS_DIR): ScriptsBundle {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".sh"))) {
    files[name] = readFileSync(join(dir, name), "utf8");
  }
  return bundleScripts(files);
}

export const scriptPath = (name: string): string => `${SCRIPTS_MOUNT_PATH}/${name}`;
