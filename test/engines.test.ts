/**
 * upkeep supports Node 20, 22 and 24 (CI runs all three). A dependency whose
 * `engines` leaves one of them out may use an API that runtime lacks in any
 * release, and npm warns on every install; so every package the lock files
 * install, the program's and the policy pack's, must accept all three.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import semver from "semver";
import { ROOT } from "./support/configs";

/** The oldest Node 20 upkeep claims, and the releases test/other-nodes.sh runs. */
const OTHER_NODES = [...readFileSync(join(ROOT, "test/other-nodes.sh"), "utf8").matchAll(/^for version in ([\d. ]+); do$/gm)].flatMap((m) => m[1]!.split(" "));
const SUPPORTED = ["20.19.0", ...OTHER_NODES];

interface Lock {
  readonly packages: Record<string, { readonly version?: string; readonly engines?: { readonly node?: string } | readonly string[] }>;
}

function refusals(lockFile: string): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, lockFile), "utf8")) as Lock;
  const out: string[] = [];
  for (const [path, pkg] of Object.entries(lock.packages)) {
    const range = Array.isArray(pkg.engines) ? undefined : (pkg.engines as { node?: string } | undefined)?.node;
    if (range === undefined) continue;
    for (const node of SUPPORTED) if (!semver.satisfies(node, range)) out.push(`${lockFile}: ${path || "(the project)"}@${pkg.version} wants node ${range}, not ${node}`);
  }
  return out;
}

test("CI's other Node versions are 22 and 24", () => {
  assert.deepEqual(SUPPORTED.map((v) => semver.major(v)), [20, 22, 24]);
});

test("every package the program installs accepts Node 20, 22 and 24", () => {
  assert.deepEqual(refusals("package-lock.json"), []);
});

test("every package the policy pack installs accepts Node 20, 22 and 24", () => {
  assert.deepEqual(refusals("policy/package-lock.json"), []);
});
