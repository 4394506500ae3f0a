/**
 * `npm run plan:diff -- <base-plan-dir> <head-plan-dir> [--fail-on danger]`:
 * compares two offline plans and prints Markdown for a pull request.
 * Exit codes: 0 printed; 1 Danger found with `--fail-on danger` (the Markdown
 * is still printed, so CI can post it); 2 bad arguments or an unreadable plan.
 */
import { parseArgs } from "node:util";
import { diffPlans } from "./diff";
import { loadPlan, PlanDiffUsageError } from "./diff/load";

const USAGE = "usage: npm run plan:diff -- <base-plan-dir> <head-plan-dir> [--fail-on danger] [--help]";

function main(argv: readonly string[]): number {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { "fail-on": { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (e) {
    // parseArgs explains at length; its first sentence is the one line a user needs.
    throw new PlanDiffUsageError(`${(e as Error).message.split(". ")[0]}; ${USAGE}`);
  }
  const { positionals, values } = parsed;
  if (values.help) {
    process.stdout.write(
      `${USAGE}\n\nCompares two offline plans (npm run plan -- --out <dir>) and prints Markdown: Danger first, then schedules, then resources.\n` +
        "  --fail-on danger  exit 1 when the diff finds Danger (the Markdown is still printed)\n" +
        "Exit codes: 0 printed; 1 Danger with --fail-on danger; 2 bad arguments or an unreadable plan.\n",
    );
    return 0;
  }
  if (positionals.length !== 2) throw new PlanDiffUsageError(`expected 2 plan directories, got ${positionals.length}; ${USAGE}`);
  const failOn = values["fail-on"];
  if (failOn !== undefined && failOn !== "danger") throw new PlanDiffUsageError(`--fail-on accepts only "danger" (got "${failOn}")`);
  const diff = diffPlans(loadPlan(positionals[0]!, "base"), loadPlan(positionals[1]!, "head"));
  process.stdout.write(diff.markdown);
  return failOn === "danger" && diff.dangerCount > 0 ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof PlanDiffUsageError)) throw e;
  process.stderr.write(`upkeep plan:diff: ${e.message}\n`);
  process.exitCode = 2;
}
