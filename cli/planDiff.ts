/**
 * `npm run plan:diff -- <base-plan-dir> <head-plan-dir> [--fail-on danger] [--out <file.md>]`:
 * compares two offline plans of one stack and prints Markdown for a pull
 * request. With `--out` it also writes the Markdown to that file and, when the
 * schedule changed, each plan's picture of the week beside it as
 * calendar-before.svg and calendar-after.svg.
 * Exit codes: 0 printed; 1 Danger found with `--fail-on danger` (the Markdown
 * is still printed, so CI can post it); 2 bad arguments, an unreadable plan,
 * or plans of two different stacks.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { diffPlans } from "./diff";
import { loadPlan, PlanDiffUsageError } from "./diff/load";

const USAGE = "usage: npm run plan:diff -- <base-plan-dir> <head-plan-dir> [--fail-on danger] [--out <file.md>] [--help]";

function main(argv: readonly string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { "fail-on": { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (e) {
    // parseArgs explains at length; its first sentence is the one line a user needs.
    throw new PlanDiffUsageError(`${(e as Error).message.split(". ")[0]}; ${USAGE}`);
  }
  const { positionals, values } = parsed;
  if (values.help) {
    process.stdout.write(
      `${USAGE}\n\nCompares two offline plans (npm run plan -- --out <dir>) and prints Markdown: Danger first, then schedules, then resources.\n` +
        "  --fail-on danger  exit 1 when the diff finds Danger (the Markdown is still printed)\n" +
        "  --out <file.md>   also write the Markdown there, and calendar-before.svg and calendar-after.svg beside it when the schedule changed\n" +
        "Exit codes: 0 printed; 1 Danger with --fail-on danger; 2 bad arguments, an unreadable plan or plans of two different stacks.\n",
    );
    return 0;
  }
  if (positionals.length !== 2) throw new PlanDiffUsageError(`expected 2 plan directories, got ${positionals.length}; ${USAGE}`);
  const failOn = values["fail-on"];
  if (failOn !== undefined && failOn !== "danger") throw new PlanDiffUsageError(`--fail-on accepts only "danger" (got "${failOn}")`);
  const base = loadPlan(positionals[0]!, "base");
  const head = loadPlan(positionals[1]!, "head");
  const diff = diffPlans(base, head);
  process.stdout.write(diff.markdown);
  if (values.out !== undefined) writeBeside(values.out, diff.markdown, diff.scheduleChanged ? [[base.dir, "calendar-before.svg"], [head.dir, "calendar-after.svg"]] : []);
  return failOn === "danger" && diff.dangerCount > 0 ? 1 : 0;
}

/** The Markdown, and each plan's calendar.svg under its new name in the same folder. */
function writeBeside(file: string, markdown: string, pictures: readonly [string, string][]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, markdown);
  for (const [planDir, name] of pictures) {
    const svg = join(planDir, "calendar.svg");
    // A plan from before upkeep 0.4 has no picture; the diff is still whole.
    if (existsSync(svg)) copyFileSync(svg, join(dirname(file), name));
    else process.stderr.write(`upkeep plan:diff: ${planDir} has no calendar.svg (a plan from an older upkeep), so ${name} was not written\n`);
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof PlanDiffUsageError)) throw e;
  process.stderr.write(`upkeep plan:diff: ${e.message}\n`);
  process.exitCode = 2;
}
