// The project's own import graph, read with TypeScript's pre-processor (so
// comments and strings never count as imports), and the three rules the
// layout keeps: no cycles, folders entered only through their index.ts, and
// no source file over the size that says two concerns share it.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import ts from "typescript";

/** Repository-relative file → the repository-relative files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

function tsFilesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(posix.join(root, dir)).sort()) {
    // policy/ has its own npm install (`cd policy && npm ci`): packages are not the project's code.
    if (name === "node_modules") continue;
    const rel = posix.join(dir, name);
    if (statSync(posix.join(root, rel)).isDirectory()) out.push(...tsFilesUnder(root, rel));
    else if (name.endsWith(".ts")) out.push(rel);
  }
  return out;
}

/** Every .ts file under `roots` (files or folders) with its relative imports resolved to files. */
export function readImportGraph(root: string, roots: readonly string[]): ImportGraph {
  const files = roots.flatMap((r) => (r.endsWith(".ts") ? [r] : tsFilesUnder(root, r)));
  // A file outside the roots (bench/ uses test/support/) is a leaf of the graph.
  const known = { has: (f: string) => existsSync(posix.join(root, f)) };
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(posix.join(root, file), "utf8"), true, true);
    const targets: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const base = posix.normalize(posix.join(posix.dirname(file), fileName.replace(/\.js$/, "")));
      const target = [`${base}.ts`, `${base}/index.ts`].find((c) => known.has(c));
      if (target === undefined) throw new Error(`${file}: cannot resolve import "${fileName}"`);
      targets.push(target);
    }
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Each cycle once, as the files around it, starting from its smallest name and ending where it began. */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        cycles.set(rotated.join(" "), [...rotated, rotated[0]!]);
      } else if (state.get(next) === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...cycles.values()];
}

const folderOf = (file: string): string | undefined => /^components\/([^/]+)\//.exec(file)?.[1];

/**
 * Imports that reach past another folder's front door: a file outside
 * components/<x>/ may import only components/<x>/index.ts.
 */
export function frontDoorViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const folder = folderOf(target);
      if (folder === undefined || folder === folderOf(file)) continue;
      if (target !== `components/${folder}/index.ts`) out.push(`${file} imports ${target}; import components/${folder}/index.ts instead`);
    }
  }
  return out.sort();
}

/** Files longer than `maxLines` lines. */
export function oversizedFiles(root: string, files: Iterable<string>, maxLines: number): string[] {
  const out: string[] = [];
  for (const file of files) {
    const lines = readFileSync(posix.join(root, file), "utf8").replace(/\n$/, "").split("\n").length;
    if (lines > maxLines) out.push(`${file}: ${lines} lines`);
  }
  return out.sort();
}
