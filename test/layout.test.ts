/**
 * The layout as rules: the program, components/, cli/, policy/ and bench/
 * import each other without a cycle, a folder of components/ is entered only
 * through its index.ts, each has one, and no source file outgrows 400 lines.
 */
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./support/configs";
import { findCycles, frontDoorViolations, oversizedFiles, readImportGraph, type ImportGraph } from "./support/importGraph";

const PROGRAM = ["index.ts", "components", "cli", "policy", "bench"];
const graph = readImportGraph(ROOT, PROGRAM);

const show = (cycle: readonly string[]) => cycle.join(" → ");

test("no import cycle anywhere in the program, components/, cli/, policy/ or bench/", () => {
  assert.ok(graph.size > 100, `read the whole tree (${graph.size} files)`);
  assert.deepEqual(findCycles(graph).map(show), []);
});

test("the cycle finder prints each cycle once, from its smallest file, and ignores shared descendants", () => {
  const g: ImportGraph = new Map([
    ["components/kubernetes/containers.ts", ["components/tasks/index.ts"]],
    ["components/tasks/index.ts", ["components/jobs/verification.ts"]],
    ["components/jobs/verification.ts", ["components/kubernetes/containers.ts", "components/schedule/index.ts"]],
    ["components/schedule/index.ts", []],
    ["index.ts", ["components/schedule/index.ts", "components/tasks/index.ts"]],
  ]);
  assert.deepEqual(findCycles(g).map(show), [
    "components/jobs/verification.ts → components/kubernetes/containers.ts → components/tasks/index.ts → components/jobs/verification.ts",
  ]);
  assert.deepEqual(findCycles(new Map([["a.ts", ["a.ts"]]])).map(show), ["a.ts → a.ts"]);
});

test("another folder of components/ is entered only through its index.ts", () => {
  assert.deepEqual(frontDoorViolations(graph), []);
  const reaching: ImportGraph = new Map([
    ["cli/plan.ts", ["components/config/index.ts", "components/config/schema.ts"]],
    ["components/jobs/taskJobs.ts", ["components/jobs/verification.ts", "components/kubernetes/cronjob.ts"]],
  ]);
  assert.deepEqual(frontDoorViolations(reaching), [
    "cli/plan.ts imports components/config/schema.ts; import components/config/index.ts instead",
    "components/jobs/taskJobs.ts imports components/kubernetes/cronjob.ts; import components/kubernetes/index.ts instead",
  ]);
});

/** The folders lowest first, as the README's Layout lists them: each may import only folders before it. */
const LAYERS = ["sdk", "schedule", "config", "tasks", "kubernetes", "database", "jobs", "alerting", "compliance", "routine", "calendar", "certificates", "backups", "environment"];

test("a folder of components/ imports only folders below it in the README's Layout order", () => {
  const folder = (file: string) => /^components\/([^/]+)\//.exec(file)?.[1];
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    const from = folder(file);
    if (from === undefined) continue;
    assert.ok(LAYERS.includes(from), `components/${from}/ is in LAYERS and in the README's Layout`);
    for (const target of targets) {
      const to = folder(target);
      if (to !== undefined && to !== from && LAYERS.indexOf(to) > LAYERS.indexOf(from)) upward.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(upward, []);
});

test("every folder of components/ with TypeScript in it has an index.ts", () => {
  const folders = readdirSync(join(ROOT, "components")).filter((n) => statSync(join(ROOT, "components", n)).isDirectory());
  const withCode = folders.filter((f) => [...graph.keys()].some((file) => file.startsWith(`components/${f}/`)));
  assert.ok(withCode.length >= 10, `found the concern folders (${withCode.join(", ")})`);
  assert.deepEqual(withCode.filter((f) => !graph.has(`components/${f}/index.ts`)), []);
});

test("no source file outside test/ and bench/ is over 400 lines", () => {
  const sources = [...graph.keys()].filter((f) => !f.startsWith("bench/"));
  assert.deepEqual(oversizedFiles(ROOT, sources, 400), []);
});
