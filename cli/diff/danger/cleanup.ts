/**
 * Rows deleted are gone for good, so a cleanup that deletes more than before
 * is danger: a table whose retention got shorter, a table newly added to
 * cleanup, a changed timestamp column (rows are judged by another column), or
 * a removed or changed timestampZone (the cutoff moves by the zones' offset).
 * Each line names the task, the table and its key path, with old → new.
 *
 * Read from each plan's tasks.json, the cleanup tables exactly as configured,
 * never from the text of the job's environment, whose format is the script's.
 */
import type { TaskRecord } from "../../../components/tasks";

interface Table {
  readonly task: string;
  readonly path: string;
  readonly config: Readonly<Record<string, unknown>>;
}

function tablesOf(tasks: readonly TaskRecord[]): Map<string, Table> {
  const out = new Map<string, Table>();
  for (const t of tasks) {
    (t.cleanup?.tables ?? []).forEach((config, i) => {
      out.set(`${t.id}\u0000${String(config.table)}`, { task: t.id, path: `${t.configPath}.tables[${i}]`, config });
    });
  }
  return out;
}

const shown = (v: unknown) => (v === undefined ? "absent" : String(v));

export interface CleanupCheck {
  readonly findings: string[];
  readonly notes: string[];
}

export function cleanupDangers(base: readonly TaskRecord[] | undefined, head: readonly TaskRecord[] | undefined): CleanupCheck {
  if (!base || !head) {
    const which = !base && !head ? "neither plan has" : !base ? "the base plan has no" : "the head plan has no";
    return { findings: [], notes: [`Cleanup check skipped: ${which} tasks.json (a plan from an older upkeep), so a shorter retention or a table newly cleaned cannot be seen.`] };
  }
  const before = tablesOf(base);
  const findings: string[] = [];
  for (const [key, now] of tablesOf(head)) {
    const c = now.config;
    const name = `\`${now.task}\` ${String(c.table)} (\`${now.path}\`)`;
    const was = before.get(key)?.config;
    if (!was) {
      findings.push(`Cleanup table added: ${name}; rows older than ${shown(c.retentionDays)} days by ${shown(c.timestampColumn)} are deleted on its first run`);
      continue;
    }
    if (typeof was.retentionDays === "number" && typeof c.retentionDays === "number" && c.retentionDays < was.retentionDays) {
      findings.push(`Cleanup retention shortened: ${name} retentionDays ${was.retentionDays} → ${c.retentionDays}; rows between ${c.retentionDays} and ${was.retentionDays} days old are deleted on its next run`);
    }
    if (was.timestampColumn !== c.timestampColumn) {
      findings.push(`Cleanup timestamp column changed: ${name} timestampColumn ${shown(was.timestampColumn)} → ${shown(c.timestampColumn)}; rows are judged old by another column`);
    }
    if (was.timestampZone !== undefined && was.timestampZone !== c.timestampZone) {
      const what = c.timestampZone === undefined ? "removed" : "changed";
      findings.push(`Cleanup timestamp zone ${what}: ${name} timestampZone ${shown(was.timestampZone)} → ${shown(c.timestampZone)}; the cutoff moves by the difference between the zones' offsets`);
    }
  }
  return { findings, notes: [] };
}
