/**
 * `npm run runbooks [-- --check]`: writes docs/runbooks/<env>/<task>.md for every task of
 * every committed stack, and docs/runbooks/routine/<check>.md for the routine. `--check` writes nothing and exits 1, listing each
 * runbook that is missing or stale, so CI catches a schedule change whose
 * runbook was not regenerated.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildCalendar, renderRoutineRunbook, renderTaskRunbook, runbookFacts, runbookPath } from "../components/calendar";
import { ConfigError, ROUTINE, TIER_DEFAULTS } from "../components/config";
import { reportDelivery } from "../components/jobs";
import { routineRunbookPage } from "../components/routine";
import { planTasks, taskSeverity } from "../components/tasks";
import { committedStacks, StackFileError } from "./stackFile";

const ROOT = resolve(__dirname, "..");
export const RUNBOOK_DIR = join(ROOT, "docs", "runbooks");

/** Every generated runbook: path below docs/runbooks → content. */
export function generateRunbooks(now: Date = new Date()): Map<string, string> {
  const out = new Map<string, string>();
  for (const { shown, config } of committedStacks(join(ROOT, "stacks"), "stacks")) {
    const tasks = planTasks(config, { fromYear: now.getUTCFullYear() });
    const env = config.environment.name;
    const namespace = config.kubernetes.namespace;
    const tierSeverity = TIER_DEFAULTS[config.environment.tier].alertSeverity;
    const pushgateway = config.alerting.pushgateway !== "off";
    const entries = buildCalendar(tasks, namespace, pushgateway);
    const delivery = reportDelivery(config);
    const report = delivery ? { ...delivery, namespace } : undefined;
    tasks.forEach((task, i) => {
      const ctx = { environment: env, stackFile: shown, severity: taskSeverity(task, tierSeverity), alertRunbookBase: "..", pushgateway, ...(report ? { report } : {}) };
      out.set(runbookPath(env, task.id), renderTaskRunbook(entries[i]!, ctx, runbookFacts(task, namespace)));
    });
  }
  for (const task of ROUTINE) out.set(`${routineRunbookPage(task.id)}.md`, renderRoutineRunbook(task));
  return out;
}

/** Generated runbooks that are absent or differ on disk, and generated-looking files nobody produces any more. */
export function staleRunbooks(expected: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, content] of expected) {
    const full = join(RUNBOOK_DIR, path);
    if (!existsSync(full)) problems.push(`missing: docs/runbooks/${path}`);
    else if (readFileSync(full, "utf8") !== content) problems.push(`stale: docs/runbooks/${path}`);
  }
  for (const path of generatedOnDisk()) {
    if (!expected.has(path)) problems.push(`orphaned: docs/runbooks/${path}`);
  }
  return problems;
}

function generatedOnDisk(): string[] {
  if (!existsSync(RUNBOOK_DIR)) return [];
  const out: string[] = [];
  for (const dir of readdirSync(RUNBOOK_DIR, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(join(RUNBOOK_DIR, dir.name)).filter((n) => n.endsWith(".md"))) out.push(`${dir.name}/${f}`);
  }
  return out;
}

const USAGE = "usage: npm run runbooks [-- --check] [--help]";

function main(): void {
  let values: { check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { check: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (e) {
    process.stderr.write(`upkeep runbooks: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(
      `${USAGE}\n\nWrites docs/runbooks/<env>/<task>.md for every task of every stack in stacks/, and docs/runbooks/routine/<check>.md.\n` +
        "  --check  write nothing; exit 1 listing each runbook that is missing, stale or orphaned\n" +
        "Exit codes: 0 written (or current); 1 stale with --check; 2 a stack file that does not validate, or bad arguments.\n",
    );
    return;
  }
  let expected: Map<string, string>;
  try {
    expected = generateRunbooks();
  } catch (e) {
    if (!(e instanceof StackFileError || e instanceof ConfigError)) throw e;
    process.stderr.write(`upkeep runbooks: ${e.message.split("\n").join("\nupkeep runbooks: ")}\n`);
    process.exit(2);
  }
  if (values.check) {
    const problems = staleRunbooks(expected);
    for (const p of problems) process.stderr.write(`upkeep runbooks: ${p}\n`);
    if (problems.length > 0) process.stderr.write("upkeep runbooks: run `npm run runbooks` and commit the result\n");
    process.exit(problems.length > 0 ? 1 : 0);
  }
  for (const path of generatedOnDisk()) if (!expected.has(path)) rmSync(join(RUNBOOK_DIR, path));
  for (const [path, content] of expected) {
    const full = join(RUNBOOK_DIR, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  process.stdout.write(`upkeep runbooks: wrote ${expected.size} runbooks under ${relative(ROOT, RUNBOOK_DIR)}\n`);
}

if (require.main === module) main();
