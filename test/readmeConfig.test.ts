/**
 * The README's config reference is the user's map of the schema: every key
 * the schema accepts has a row (its own, or its parent's when the row lists
 * the fields), and every row names a key the schema accepts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { upkeepSchema } from "../components/config/schema";
import { ROOT } from "./support/configs";
import { schemaKeyPaths } from "./support/schemaKeys";

const bare = (path: string) => path.replace(/\[\]/g, "");

/** The keys the reference's rows name: `jobs[].nodeSelector`, `.tolerations` is jobs[].nodeSelector and jobs[].tolerations. */
function documentedKeys(): Set<string> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Config reference\n"), readme.indexOf("\n### Tier defaults\n"));
  const keys = new Set<string>();
  for (const row of section.split("\n").filter((l) => l.startsWith("| `"))) {
    let parent = "";
    for (const [, key] of row.split(" | ")[0]!.matchAll(/`([^`]+)`/g)) {
      const full = key!.startsWith(".") ? `${parent}${key}` : key!;
      if (!key!.startsWith(".")) parent = key!.includes(".") ? key!.slice(0, key!.lastIndexOf(".")) : key!;
      keys.add(bare(full));
    }
  }
  return keys;
}

test("every key the schema accepts has a row in the README's config reference", () => {
  const documented = documentedKeys();
  const covered = (path: string) => {
    const parts = bare(path).split(".");
    return parts.some((_, i) => documented.has(parts.slice(0, parts.length - i).join(".")));
  };
  assert.deepEqual(schemaKeyPaths(upkeepSchema).filter((p) => !covered(p)), []);
});

test("every row of the config reference names a key the schema accepts", () => {
  const accepted = new Set(schemaKeyPaths(upkeepSchema).flatMap((p) => bare(p).split(".").map((_, i, parts) => parts.slice(0, i + 1).join("."))));
  // `aws:region` is the AWS provider's own key, which the reference lists beside upkeep's.
  const upkeeps = [...documentedKeys()].filter((k) => !k.includes(":"));
  assert.deepEqual(upkeeps.filter((k) => !accepted.has(k)), []);
});

test("the key walk sees nested arrays and wrapped objects, as the README writes them", () => {
  const paths = schemaKeyPaths(upkeepSchema);
  for (const p of ["databases[].cleanup.tables[].retentionDays", "environment.window.days", "jobs[].tolerations[].effect", "maintenanceLog.location"]) assert.ok(paths.includes(p), p);
});
