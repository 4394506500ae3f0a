/**
 * Plan scaling: the offline program run (index.ts under Pulumi's mocks) for
 * environments of N tasks, against a baseline that registers the same
 * provider resources (type, name, inputs) as raw resources with no
 * components (the issue's baseline), and a second that registers them
 * through the provider SDKs' own classes, which is what any program using
 * @pulumi/kubernetes and @pulumi/aws pays. Every measurement is its own child process (planChild.ts),
 * repeated and reduced to the median. When a target is missed, one more
 * upkeep child at the largest N runs with --cpu-prof and --heap-prof, and the
 * hot spots are summarised (profileSummary.ts).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchStackConfig, taskMix, type TaskMix } from "./planConfig";
import { summarizeHeapProfile, summarizeProfile, type HeapSummary, type ProfileSummary } from "./profileSummary";
import { log, median, round, runTimed, type Target } from "./util";

const ROOT = resolve(__dirname, "..");

export interface PlanOptions {
  readonly sizes: readonly number[];
  readonly repeats: number;
  readonly profileOnMiss: boolean;
}

interface ChildResult {
  readonly wallMs: number;
  readonly maxRssMb: number;
  readonly resources: number;
  readonly all: number;
}

export interface Side {
  readonly wallMs: number[];
  readonly maxRssMb: number[];
  readonly medianWallMs: number;
  readonly medianMaxRssMb: number;
  /** Provider resources registered (the baseline registers the same); upkeep's also counts its components. */
  readonly resources: number;
  readonly allResources: number;
}

export interface PlanSize {
  readonly n: number;
  readonly mix: TaskMix;
  readonly upkeep: Side;
  readonly baseline: Side;
  /** The same resources through the provider SDKs' classes: what remains above it is upkeep's own cost. */
  readonly typed: Side;
  readonly ratio: number;
  readonly typedRatio: number;
  readonly msPerTask: number;
  readonly baselineMsPerTask: number;
}

export interface PlanResult {
  readonly repeats: number;
  readonly sizes: PlanSize[];
  readonly targets: Target[];
  readonly profile?: { readonly n: number; readonly cpuFile: string; readonly cpu: ProfileSummary; readonly heapFile?: string; readonly heap?: HeapSummary };
}

async function child(mode: "upkeep" | "baseline" | "typed", configFile: string, resourcesFile: string, nodeFlags: string[] = []): Promise<ChildResult> {
  const r = await runTimed(process.execPath, [...nodeFlags, "--import", "tsx", join(ROOT, "bench", "planChild.ts"), mode, configFile, resourcesFile], { cwd: ROOT });
  if (r.code !== 0) throw new Error(`planChild ${mode} failed (${r.code}):\n${r.stderr.slice(-4000)}`);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as ChildResult;
}

function side(runs: ChildResult[]): Side {
  return {
    wallMs: runs.map((r) => round(r.wallMs, 1)),
    maxRssMb: runs.map((r) => round(r.maxRssMb, 1)),
    medianWallMs: round(median(runs.map((r) => r.wallMs)), 1),
    medianMaxRssMb: round(median(runs.map((r) => r.maxRssMb)), 1),
    resources: runs[0]!.resources,
    allResources: runs[0]!.all,
  };
}

export async function runPlanBench(opts: PlanOptions): Promise<PlanResult> {
  const work = mkdtempSync(join(tmpdir(), "upkeep-bench-plan-"));
  try {
    const files = (n: number) => ({ config: join(work, `config-${n}.json`), resources: join(work, `resources-${n}.json`) });
    for (const n of opts.sizes) writeFileSync(files(n).config, JSON.stringify(benchStackConfig(n).config));
    // Warm-up (discarded): tsx's transform cache and the file cache.
    const first = files(opts.sizes[0]!);
    log("plan: warm-up");
    await child("upkeep", first.config, first.resources);
    await child("baseline", first.config, first.resources);
    await child("typed", first.config, first.resources);

    const sizes: PlanSize[] = [];
    for (const n of opts.sizes) {
      const f = files(n);
      const up: ChildResult[] = [];
      const base: ChildResult[] = [];
      const typed: ChildResult[] = [];
      for (let i = 0; i < opts.repeats; i++) {
        up.push(await child("upkeep", f.config, f.resources));
        base.push(await child("baseline", f.config, f.resources));
        typed.push(await child("typed", f.config, f.resources));
        for (const other of [base.at(-1)!, typed.at(-1)!]) {
          if (other.resources !== up.at(-1)!.resources) throw new Error(`a baseline registered ${other.resources} resources, upkeep ${up.at(-1)!.resources}`);
        }
        const said = (r: ChildResult) => `${Math.round(r.wallMs)} ms ${Math.round(r.maxRssMb)} MB`;
        log(`plan N=${n} #${i + 1}: upkeep ${said(up.at(-1)!)}, baseline ${said(base.at(-1)!)}, typed ${said(typed.at(-1)!)}`);
      }
      const u = side(up);
      const b = side(base);
      const t = side(typed);
      sizes.push({
        n,
        mix: taskMix(n),
        upkeep: u,
        baseline: b,
        typed: t,
        ratio: round(u.medianWallMs / b.medianWallMs, 3),
        typedRatio: round(u.medianWallMs / t.medianWallMs, 3),
        msPerTask: round(u.medianWallMs / n, 3),
        baselineMsPerTask: round(b.medianWallMs / n, 3),
      });
    }

    const last = sizes.at(-1)!;
    const prev = sizes.length > 1 ? sizes.at(-2)! : undefined;
    const targets: Target[] = [
      { benchmark: `plan N=${last.n} ratio upkeep/baseline`, value: round(last.ratio), unit: "×", target: "≤ 1.25", ok: last.ratio <= 1.25 },
      { benchmark: `plan N=${last.n} peak RSS`, value: Math.round(last.upkeep.medianMaxRssMb), unit: "MB", target: "≤ 600", ok: last.upkeep.medianMaxRssMb <= 600 },
    ];
    if (prev) {
      const growth = last.msPerTask / prev.msPerTask;
      targets.push({ benchmark: `plan per-task N=${last.n}/N=${prev.n}`, value: round(growth), unit: "×", target: "≤ 1.5", ok: growth <= 1.5 });
    }

    let profile: PlanResult["profile"];
    if (opts.profileOnMiss && targets.some((t) => !t.ok)) {
      const dir = join(ROOT, "bench", "profiles");
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      log(`plan: a target missed; profiling upkeep at N=${last.n} (--cpu-prof --heap-prof) into bench/profiles/`);
      const f = files(last.n);
      await child("upkeep", f.config, f.resources, ["--cpu-prof", "--cpu-prof-dir", dir, "--heap-prof", "--heap-prof-dir", dir]);
      // The child's worker threads (tsx's loader) write their own, mostly idle, profiles: keep the largest.
      const pick = (ext: string) =>
        readdirSync(dir)
          .filter((x) => x.endsWith(ext))
          .map((x) => join(dir, x))
          .map((p) => ({ p, size: statSync(p).size }))
          .sort((a, b) => b.size - a.size)[0]?.p;
      const cpuFile = pick(".cpuprofile");
      const heapFile = pick(".heapprofile");
      if (cpuFile) {
        profile = {
          n: last.n,
          cpuFile: cpuFile.slice(ROOT.length + 1),
          cpu: summarizeProfile(cpuFile, 12),
          ...(heapFile ? { heapFile: heapFile.slice(ROOT.length + 1), heap: summarizeHeapProfile(heapFile, 10) } : {}),
        };
      }
    }
    return { repeats: opts.repeats, sizes, targets, ...(profile ? { profile } : {}) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
