/**
 * `npm run runbooks`: writes docs/runbooks/<env>/<task>.md for every task of
 * every committed stack, and docs/runbooks/routine/<check>.md for the routine. `--check` writes nothing and exits 1, listing each
 * runbook that is missing or stale, so CI catches a schedule change whose
 * runbook was not regenerated.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { buildCalendar, renderRoutineRunbook, renderTaskRunbook, runbookPath } from "../components/calendar";
import { parsePulumiConfig, ROUTINE, TIER_DEFAULTS } from "../components/config";
import { routineRunbookPage } from "../components/routine";
import { planTasks } from "../components/tasks";
import { readStackFile } from "./stackFile";

const ROOT = resolve(__dirname, "..");
export const RUNBOOK_DIR = join(ROOT, "docs", "runbooks");

/** Every generated runbook: path below docs/runbooks → content. */
export function generateRunbooks(now: Date = new Date()): Map<string, string> {
  const out = new Map<string, string>();
  const stackDir = join(ROOT, "stacks");
  for (const file of readdirSync(stackDir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).sort()) {
    const stack = readStackFile(join(stackDir, file));
    const config = parsePulumiConfig(stack.all, new Set(stack.secretKeys));
    const tasks = planTasks(config, { fromYear: now.getUTCFullYear() });
    const env = config.environment.name;
    const ctx = { environment: env, stackFile: `stacks/${file}`, severity: TIER_DEFAULTS[config.environment.tier].alertSeverity, alertRunbookBase: ".." };
    for (const entry of buildCalendar(tasks, config.kubernetes.namespace, config.alerting.pushgateway !== "off")) out.set(runbookPath(env, entry.id), renderTaskRunbook(entry, ctx));
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

function main(): void {
  const expected = generateRunbooks();
  if (process.argv.includes("--check")) {
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
