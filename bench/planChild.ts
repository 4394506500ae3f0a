/**
 * One measurement of the plan benchmark, in its own process (index.ts is
 * imported once per process). Runs `runProgram` (cli/mockRuntime.ts) on either
 * the real index.ts ("upkeep") or bench/baselineProgram.ts ("baseline") with
 * the generated stack config, and prints one JSON line:
 *   { wallMs, maxRssMb, resources }
 * wallMs runs from before the runtime and the program are imported to after
 * runProgram returns (all registrations awaited with waitForRPCs, outputs
 * resolved); maxRssMb is process.resourceUsage().maxRSS at that point.
 *
 * usage: node --import tsx bench/planChild.ts <upkeep|baseline|typed> <config.json> <resources.json>
 *   upkeep:         writes the custom and provider resources it registered to resources.json
 *   baseline/typed: registers the resources of resources.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type * as MockRuntime from "../cli/mockRuntime";

const ROOT = resolve(__dirname, "..");

/** Resources a provider implements (not components): what the baseline registers. */
export function isProviderBacked(type: string): boolean {
  return type.startsWith("pulumi:providers:") || type.startsWith("kubernetes:") || type.startsWith("aws:");
}

async function main(): Promise<void> {
  const [mode, configFile, resourcesFile] = process.argv.slice(2);
  if ((mode !== "upkeep" && mode !== "baseline" && mode !== "typed") || !configFile || !resourcesFile) {
    throw new Error("usage: planChild.ts <upkeep|baseline|typed> <config.json> <resources.json>");
  }
  const config = JSON.parse(readFileSync(configFile, "utf8")) as { all: Record<string, string>; secretKeys: string[] };
  if (mode !== "upkeep") {
    process.env.BENCH_BASELINE_RESOURCES = resourcesFile;
    process.env.BENCH_BASELINE_CLASSES = mode === "typed" ? "typed" : "raw";
  }
  const program = mode === "upkeep" ? join(ROOT, "index.ts") : join(ROOT, "bench", "baselineProgram.ts");

  const t0 = performance.now();
  const { runProgram } = require("../cli/mockRuntime") as typeof MockRuntime;
  const run = await runProgram(program, "bench", config);
  const wallMs = performance.now() - t0;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;

  const registered = run.resources.filter((r) => isProviderBacked(r.type));
  if (mode === "upkeep") {
    writeFileSync(resourcesFile, JSON.stringify(registered.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }))));
  }
  const types: Record<string, number> = {};
  for (const r of run.resources) types[r.type] = (types[r.type] ?? 0) + 1;
  process.stdout.write(`${JSON.stringify({ mode, wallMs, maxRssMb, resources: registered.length, all: run.resources.length, types })}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`planChild: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
