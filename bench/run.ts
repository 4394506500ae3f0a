/**
 * `npm run bench [-- flags]`: plan scaling, cleanup against a naive DELETE
 * (on a table with an index on the cutoff column and on one without),
 * and dump verification against a plain pg_restore, measured side by side in
 * one run. Prints a table and writes the results as JSON.
 *
 * Flags:
 *   --quick              small sizes (tasks 10,100; 100,000 rows; one repeat), under a minute
 *   --only <part>        plan, cleanup or verify (repeatable, or comma-separated)
 *   --tasks 10,100,1000  plan sizes (N tasks)
 *   --rows N             table size for cleanup and verify
 *   --repeats N          plan, cleanup and verify repetitions (median taken)
 *   --idle S             seconds of the cleanup writer's idle baseline
 *   --profile / --no-profile   profile the plan when it misses a target (default: on, off with --quick)
 *   --out FILE           where to write the JSON (default: bench/results.json for a full
 *                        default run, bench/results.partial.json otherwise)
 */
import { cpus, totalmem, loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runCleanupBench, type CleanupResult } from "./cleanup";
import { runPlanBench, type PlanResult } from "./plan";
import { runVerifyBench, type VerifyResult } from "./verify";
import { abortAll, log, round, type Target } from "./util";

const ROOT = resolve(__dirname, "..");
const PARTS = ["plan", "cleanup", "verify"] as const;
type Part = (typeof PARTS)[number];

const USAGE =
  "usage: npm run bench -- [--quick] [--only plan|cleanup|verify] [--tasks 10,100,1000] [--rows N] [--repeats N] [--idle S] [--profile|--no-profile] [--out FILE] [--help]";

function usage(message: string): never {
  process.stderr.write(`upkeep bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function positiveInt(name: string, text: string): number {
  const n = Number(text.replace(/_/g, ""));
  if (!Number.isInteger(n) || n <= 0) usage(`--${name} must be a positive integer (got ${JSON.stringify(text)})`);
  return n;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}
function lpad(s: string, n: number): string {
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}
function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? lpad(c, widths[i]!) : pad(c, widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
const fmt = (x: number, digits = 0) => x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: "boolean" },
        only: { type: "string", multiple: true },
        tasks: { type: "string" },
        rows: { type: "string" },
        repeats: { type: "string" },
        idle: { type: "string" },
        profile: { type: "boolean" },
        "no-profile": { type: "boolean" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  if (values.help === true) {
    process.stdout.write(
      `${USAGE}\n\nMeasures plan scaling, batched cleanup and dump verification side by side (README, "Benchmarks").\n` +
        "  --quick              small sizes (tasks 10,100; 100,000 rows; one repeat), under a minute\n" +
        "  --only <part>        plan, cleanup or verify (repeatable, or comma-separated)\n" +
        "  --tasks 10,100,1000  plan sizes (N tasks)\n" +
        "  --rows N             table size for cleanup and verify\n" +
        "  --repeats N          plan, cleanup and verify repetitions (median taken)\n" +
        "  --idle S             seconds of the cleanup writer's idle baseline\n" +
        "  --profile / --no-profile   profile the plan when it misses a target (default: on, off with --quick)\n" +
        "  --out FILE           the JSON results; default bench/results.json for a full default run, else bench/results.partial.json\n",
    );
    return;
  }
  const quick = values.quick === true;
  const only = ((values.only as string[] | undefined) ?? []).flatMap((o) => o.split(",")).map((o) => o.trim());
  for (const o of only) if (!PARTS.includes(o as Part)) usage(`--only must be plan, cleanup or verify (got ${JSON.stringify(o)})`);
  const parts: Part[] = only.length > 0 ? PARTS.filter((p) => only.includes(p)) : [...PARTS];
  const tasks = values.tasks !== undefined ? String(values.tasks).split(",").map((t) => positiveInt("tasks", t.trim())) : quick ? [10, 100] : [10, 100, 1000];
  if (tasks.some((t) => t < 4)) usage("--tasks sizes must be at least 4");
  const rows = values.rows !== undefined ? positiveInt("rows", String(values.rows)) : quick ? 100_000 : 1_000_000;
  if (rows < 100) usage("--rows must be at least 100");
  const repeats = values.repeats !== undefined ? positiveInt("repeats", String(values.repeats)) : quick ? 1 : 3;
  const idleSeconds = values.idle !== undefined ? positiveInt("idle", String(values.idle)) : quick ? 2 : 8;
  const profileOnMiss = values["no-profile"] ? false : values.profile === true || !quick;
  const defaultRun = !quick && only.length === 0 && ["tasks", "rows", "repeats", "idle"].every((k) => values[k] === undefined);
  const out = resolve(String(values.out ?? join(ROOT, "bench", defaultRun ? "results.json" : "results.partial.json")));

  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((x) => round(x, 2)),
    date: new Date().toISOString(),
  };
  const options = { quick, parts, tasks, rows, repeats, idleSeconds, profileOnMiss };
  log(`machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}; options ${JSON.stringify(options)}`);
  const started = Date.now();

  let plan: PlanResult | undefined;
  let cleanup: CleanupResult | undefined;
  let cleanupNoIndex: CleanupResult | undefined;
  let verify: VerifyResult | undefined;
  if (parts.includes("plan")) plan = await runPlanBench({ sizes: tasks, repeats, profileOnMiss });
  if (parts.includes("cleanup")) {
    cleanup = await runCleanupBench({ rows, idleSeconds, repeats, index: true });
    cleanupNoIndex = await runCleanupBench({ rows, idleSeconds, repeats, index: false });
  }
  if (parts.includes("verify")) verify = await runVerifyBench({ rows, repeats });
  const targets: Target[] = [...(plan?.targets ?? []), ...(cleanup?.targets ?? []), ...(cleanupNoIndex?.targets ?? []), ...(verify?.targets ?? [])];
  const durationSeconds = Math.round((Date.now() - started) / 1000);

  writeFileSync(out, JSON.stringify({ machine, options, durationSeconds, plan, cleanup, cleanupNoIndex, verify, targets }, null, 2) + "\n");

  const sections: string[] = [];
  sections.push(`upkeep bench · ${machine.cores} cores (${machine.cpu}) · Node ${machine.node} · ${machine.platform} · ${machine.date.slice(0, 16)}Z · ${durationSeconds} s`);
  if (plan) {
    sections.push(
      `plan: offline program run under mocks, median of ${plan.repeats} (child process each)\n` +
        table(
          ["N tasks", "placed+outside", "resources", "upkeep ms", "upkeep MB", "baseline ms", "baseline MB", "ratio", "typed ms", "typed MB", "vs typed", "ms/task"],
          plan.sizes.map((s) => [
            String(s.n),
            `${s.mix.databaseTasks}+${s.mix.customJobs}`,
            `${s.upkeep.resources} (+${s.upkeep.allResources - s.upkeep.resources} comp.)`,
            fmt(s.upkeep.medianWallMs),
            fmt(s.upkeep.medianMaxRssMb),
            fmt(s.baseline.medianWallMs),
            fmt(s.baseline.medianMaxRssMb),
            fmt(s.ratio, 2),
            fmt(s.typed.medianWallMs),
            fmt(s.typed.medianMaxRssMb),
            fmt(s.typedRatio, 2),
            fmt(s.msPerTask, 1),
          ]),
          [true, true, true, true, true, true, true, true, true, true, true, true],
        ),
    );
    if (plan.profile) {
      const p = plan.profile;
      const lines = [`plan profile at N=${p.n} (${p.cpuFile}): inclusive time in upkeep's code`];
      for (const h of p.cpu.inclusive.slice(0, 8)) lines.push(`  ${lpad(fmt(h.ms), 7)} ms ${lpad((100 * h.share).toFixed(1), 5)}%  ${h.fn}`);
      lines.push("  self time:");
      for (const h of p.cpu.self.slice(0, 6)) lines.push(`  ${lpad(fmt(h.ms), 7)} ms ${lpad((100 * h.share).toFixed(1), 5)}%  ${h.fn}`);
      if (p.heap) {
        lines.push(`  heap still allocated at exit (${p.heapFile}, ${p.heap.totalMb} MB sampled), by upkeep's code:`);
        for (const h of p.heap.inclusive.slice(0, 5)) lines.push(`  ${lpad(String(h.mb), 7)} MB  ${h.fn}`);
      }
      sections.push(lines.join("\n"));
    }
  }
  for (const c of [cleanup, cleanupNoIndex]) {
    if (!c) continue;
    sections.push(
      `cleanup${c.index ? "" : " without an index on created_at (block ranges)"}: ${fmt(c.rows)} rows, ${fmt(60)}% older than ${c.retentionDays} days, batch ${c.batchSize}, writer running throughout; ` +
        `${c.repeats} run(s) per mode, each row the run with the median rows/s\n` +
        table(
          ["mode", "deleted", "seconds", "rows/s", "txns", "longest txn ms", "writer p99 idle→run ms", "writer max ms", "WAL MB (total)", "rows kept ok"],
          c.modes.map((m) => [
            m.mode,
            fmt(m.rowsDeleted),
            fmt(m.seconds, 2),
            fmt(m.rowsPerSecond),
            String(m.transactions),
            fmt(m.longestTransactionMs, 1),
            `${fmt(m.writer.idleP99Ms, 3)} → ${fmt(m.writer.p99Ms, 3)}`,
            fmt(m.writer.maxMs, 2),
            `${fmt(m.walBytes.cleanup / 1048576, 1)} (${fmt(m.walBytes.total / 1048576, 1)})`,
            m.check.ok ? "yes" : "NO",
          ]),
          [false, true, true, true, true, true, true, true, true, false],
        ),
    );
  }
  if (verify) {
    sections.push(
      `verify: dump of ${fmt(verify.rows)} rows, median of ${verify.repeats}\n` +
        table(
          ["format", "dump MB", "dump-verify.sh ms", "pg_restore ms", "ratio", "dump-fetch.sh ms (not in ratio)"],
          verify.formats.map((f) => [
            f.format,
            fmt(f.dumpBytes / 1048576, 1),
            fmt(f.upkeepMedianMs),
            fmt(f.plainMedianMs),
            fmt(f.ratio, 2),
            fmt(f.fetchMedianMs),
          ]),
          [false, true, true, true, true, true],
        ),
    );
  }
  sections.push(
    table(
      ["benchmark", "value", "target", "ok"],
      targets.map((t) => [t.benchmark, `${fmt(t.value, Number.isInteger(t.value) ? 0 : 2)}${t.unit === "×" ? "×" : ` ${t.unit}`}`, t.target, t.ok ? "yes" : "NO"]),
      [false, true, false, false],
    ),
  );
  sections.push(`results: ${relative(ROOT, out).startsWith("..") ? out : relative(ROOT, out)}`);
  process.stdout.write(sections.join("\n\n") + "\n");
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping servers`);
    void abortAll().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    process.stderr.write(`upkeep bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    await abortAll();
    process.exit(1);
  },
);
