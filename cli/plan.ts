/**
 * `npm run plan -- --stack <env> [--out <dir>] [--now <ISO time>]`
 *
 * Runs the unchanged index.ts under Pulumi's runtime mocks with the committed
 * stack file, validates every Kubernetes object, and writes what would be
 * deployed and when each task runs. No cloud, no cluster, no Pulumi CLI.
 * Exit codes: 0 planned, 1 failed (invalid object, program error), 2 invalid
 * config or arguments.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { planStack, PlanFailure } from "./planStack";

const ROOT = resolve(__dirname, "..");

const USAGE = "usage: npm run plan -- --stack <env> [--out <dir>] [--now <ISO-8601 time>] [--stack-file <file>] [--help]";

function usage(message: string): never {
  process.stderr.write(`upkeep plan: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { stack?: string; out?: string; now?: string; "stack-file"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { stack: { type: "string" }, out: { type: "string" }, now: { type: "string" }, "stack-file": { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    process.stdout.write(
      `${USAGE}\n\nPlans the stack offline, under Pulumi's mocks: no cloud, cluster or Pulumi CLI.\n` +
        "  --stack <env>       the stack; reads stacks/Pulumi.<env>.yaml\n" +
        "  --out <dir>         where the plan goes; default plan/<env>\n" +
        "  --now <time>        the reference time of next runs; default the start of today, UTC\n" +
        "  --stack-file <file> another stack file for the stack (onboard uses it)\n" +
        "Exit codes: 0 planned; 1 an object failed its schema or a policy, or the program failed; 2 bad config or arguments.\n",
    );
    return;
  }
  const stack = values.stack ?? usage("--stack is required");
  if (!/^[a-z0-9][a-z0-9-]*$/.test(stack)) usage(`--stack must be a stack name such as dev (got ${JSON.stringify(stack)})`);
  const stackFile = resolve(values["stack-file"] ?? join(ROOT, "stacks", `Pulumi.${stack}.yaml`));
  if (!existsSync(stackFile)) usage(`no stack file ${stackFile}; add stacks/Pulumi.${stack}.yaml`);
  const now = values.now !== undefined ? new Date(values.now) : startOfUtcDay(new Date());
  if (Number.isNaN(now.getTime())) usage(`--now must be an ISO-8601 time (got ${JSON.stringify(values.now)})`);
  const outDir = resolve(values.out ?? join(ROOT, "plan", stack));

  try {
    const summary = await planStack({ stack, stackFile, outDir, now, program: join(ROOT, "index.ts") });
    process.stdout.write(summary);
  } catch (e) {
    if (e instanceof PlanFailure) {
      process.stderr.write(`${e.message}\n`);
      process.exit(e.exitCode);
    }
    throw e;
  }
}

/** The default reference time: two runs on the same day write the same files. */
function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`upkeep plan: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
