/** The few lines `npm run plan` prints: what, how often, and how full the windows are. */
import type { DatedCalendarEntry, RoutineRow } from "../components/calendar";
import type { WindowFill } from "../components/schedule";
import { irreversibleLines } from "./irreversible";
import type { RecordedResource } from "./mockRuntime";

function countBy<T>(items: readonly T[], key: (t: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

export interface SummaryInputs {
  readonly stack: string;
  readonly outDir: string;
  readonly paused: boolean;
  readonly resources: readonly RecordedResource[];
  readonly calendar: readonly DatedCalendarEntry[];
  readonly routine: readonly RoutineRow[];
  readonly windows: readonly WindowFill[];
  /** The plan's reference time, from which a vault lock's grace period is counted. */
  readonly now: Date;
  /** What the reviewer should know although nothing is invalid (environment/warnings.ts). */
  readonly warnings?: readonly string[];
}

export function renderSummary(s: SummaryInputs): string {
  const lines = [`upkeep plan: stack ${s.stack} → ${s.outDir}`];
  if (s.paused) lines.push("PAUSED: change freeze; every CronJob, reminder and notice is suspended and nothing will run.");
  lines.push(`resources (${s.resources.length}):`);
  for (const [type, n] of countBy(s.resources, (r) => r.type)) lines.push(`  ${String(n).padStart(4)}  ${type}`);
  const jobs = s.calendar.filter((e) => e.kind !== "reminder" && e.kind !== "notice");
  const cadences = countBy(jobs, (e) => e.cadence).map(([c, n]) => `${c} ${n}`);
  lines.push(`tasks (${jobs.length}): ${cadences.join(", ") || "none"}`);
  const reminded = s.routine.filter((r) => r.mechanism === "reminder").length;
  const notices = s.calendar.filter((e) => e.kind === "notice").length;
  lines.push(`routine (${s.routine.length}): ${s.routine.length - reminded} automated, ${reminded} reminders; ${notices} stakeholder notices`);
  lines.push("windows:");
  for (const w of s.windows) {
    const pct = w.availableMinutes > 0 ? Math.round((100 * w.usedMinutes) / w.availableMinutes) : 0;
    lines.push(`  ${w.day}: ${w.usedMinutes}/${w.availableMinutes} min (${pct}%) ${w.tasks.join(", ")}`);
  }
  const irreversible = irreversibleLines(s.resources, s.now);
  if (irreversible.length > 0) lines.push("irreversible:", ...irreversible.map((l) => `  ${l}`));
  const warnings = s.warnings ?? [];
  if (warnings.length > 0) {
    lines.push(`warnings (${warnings.length}):`);
    for (const w of warnings) lines.push(`  ${w}`);
  }
  return `${lines.join("\n")}\n`;
}
