/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most
 * self time and the most inclusive time (each sample counts once per
 * function on its stack, so recursion does not inflate it). Project files
 * are shown relative to the repository; dependencies by package.
 *
 * usage: npx tsx bench/profileSummary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  readonly fn: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly self: HotSpot[];
  readonly inclusive: HotSpot[];
}

const ROOT = resolve(__dirname, "..");

function where(url: string): string {
  let path = url.replace(/^file:\/\//, "");
  if (path.startsWith(ROOT + "/")) path = path.slice(ROOT.length + 1);
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = path.slice(nm + "node_modules/".length).split("/");
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    const file = rest.slice(rest[0]!.startsWith("@") ? 2 : 1).join("/");
    return `${pkg}/${file}`;
  }
  return path || "(native)";
}

function label(node: ProfileNode): string {
  const f = node.callFrame;
  const name = f.functionName || "(anonymous)";
  return f.url ? `${name} ${where(f.url)}:${f.lineNumber + 1}` : name;
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    if (name === "(idle)" || name === "(program)" || name === "(garbage collector)") {
      self.set(name, (self.get(name) ?? 0) + dt);
      return;
    }
    self.set(label(node), (self.get(label(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (n.callFrame.functionName === "(root)") break;
      const key = label(n);
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + dt);
    }
  });
  const rank = (m: Map<string, number>, filter: (k: string) => boolean) =>
    [...m.entries()]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms), share: total > 0 ? ms / total : 0 }));
  // Inclusive time is most telling for the project's own functions.
  const own = (k: string) => / (components|index\.ts|cli)\//.test(k) || / index\.ts:/.test(k);
  return { totalMs: Math.round(total), self: rank(self, () => true), inclusive: rank(incl, own) };
}

export function formatSummary(s: ProfileSummary): string {
  const line = (h: HotSpot) => `  ${String(h.ms).padStart(7)} ms ${(100 * h.share).toFixed(1).padStart(5)}%  ${h.fn}`;
  return [
    `profile: ${s.totalMs} ms sampled`,
    "self time (top):",
    ...s.self.map(line),
    "inclusive time in upkeep's own code (top):",
    ...s.inclusive.map(line),
  ].join("\n");
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: HeapNode[];
}

export interface HeapSummary {
  readonly totalMb: number;
  readonly self: { fn: string; mb: number }[];
  readonly inclusive: { fn: string; mb: number }[];
}

/** A --heap-prof sampling profile: memory still allocated when it was written, by allocating function. */
export function summarizeHeapProfile(file: string, top = 10): HeapSummary {
  const { head } = JSON.parse(readFileSync(file, "utf8")) as { head: HeapNode };
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  const visit = (node: HeapNode, stack: string[]): number => {
    const key = label(node as unknown as ProfileNode);
    let sum = node.selfSize;
    total += node.selfSize;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    const next = stack.includes(key) ? stack : [...stack, key];
    for (const c of node.children ?? []) sum += visit(c, next);
    if (!stack.includes(key)) incl.set(key, (incl.get(key) ?? 0) + sum);
    return sum;
  };
  visit(head, []);
  const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
  const own = (k: string) => / (components|cli)\//.test(k) || / index\.ts:/.test(k);
  const rank = (m: Map<string, number>, f: (k: string) => boolean) =>
    [...m.entries()].filter(([k]) => f(k)).sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, b]) => ({ fn, mb: mb(b) }));
  return { totalMb: mb(total), self: rank(self, (k) => k !== "(root)"), inclusive: rank(incl, own) };
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: profileSummary.ts <file.cpuprofile> [top]");
  if (file.endsWith(".heapprofile")) process.stdout.write(JSON.stringify(summarizeHeapProfile(file, top ? Number(top) : 20), null, 2) + "\n");
  else process.stdout.write(formatSummary(summarizeProfile(file, top ? Number(top) : 20)) + "\n");
}
