/** Small helpers shared by the benchmark parts. */
import { spawn, type SpawnOptions } from "node:child_process";
import { performance } from "node:perf_hooks";

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1]!;
}

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, milliseconds. */
  readonly ms: number;
}

/** Runs a command to completion, timing it from spawn to exit. */
export function runTimed(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

export async function runOk(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<Ran> {
  const r = await runTimed(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r;
}

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export interface Target {
  readonly benchmark: string;
  readonly value: number;
  readonly unit: string;
  readonly target: string;
  readonly ok: boolean;
}

/** Teardown hooks run on SIGINT/SIGTERM, so an interrupted run leaves no server behind. */
const aborters = new Set<() => Promise<void>>();
export function onAbort(fn: () => Promise<void>): () => void {
  aborters.add(fn);
  return () => aborters.delete(fn);
}
export async function abortAll(): Promise<void> {
  for (const fn of [...aborters]) await fn().catch(() => {});
}
