/** The few lines `npm run plan` prints: what, how often, and how full the windows are. */
import type { DatedCalendarEntry, RoutineRow } from "../components/calendar";
import { hhmmToMinute, minuteToHhmm, type WeekPlan } from "../components/schedule";
import type { TaskRecord } from "../components/tasks";
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
  readonly week: WeekPlan;
  /** What tasks.json records of each task: the cleanup tables among it. */
  readonly tasks: readonly TaskRecord[];
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
  lines.push(...windowLines(s.week));
  const irreversible = irreversibleLines(s.resources, s.tasks, s.now);
  if (irreversible.length > 0) lines.push("irreversible:", ...irreversible.map((l) => `  ${l}`));
  const warnings = s.warnings ?? [];
  if (warnings.length > 0) {
    lines.push(`warnings (${warnings.length}):`);
    for (const w of warnings) lines.push(`  ${w}`);
  }
  return `${lines.join("\n")}\n`;
}

const DAY_NAME: Record<string, string> = { sun: "Sundays", mon: "Mondays", tue: "Tuesdays", wed: "Wednesdays", thu: "Thursdays", fri: "Fridays", sat: "Saturdays" };

/**
 * How full each window day is, and per day what the clock change takes and
 * why: it keeps minutes clear only on the days it falls on, so the line says
 * so on the others too. Then what daily tasks avoid, and any task a pinned
 * schedule moved.
 */
export function windowLines(week: WeekPlan): string[] {
  const { window } = week;
  const start = hhmmToMinute(window.start);
  const local = (offset: number) => minuteToHhmm(start + offset);
  const lines = [`windows (${window.start} for ${window.durationMinutes} min, ${window.timeZone}):`];
  const changes = week.everyDay.minutes > 0;
  for (const d of week.days) {
    const pct = d.availableMinutes > 0 ? Math.round((100 * d.usedMinutes) / d.availableMinutes) : 0;
    const clock =
      d.clockChange.minutes > 0
        ? `; the clock change takes ${d.clockChange.minutes} min: ${d.clockChange.why.join("; ")}`
        : changes
          ? `; the clock change takes nothing on ${DAY_NAME[d.day]}`
          : "";
    lines.push(`  ${d.day}: ${d.usedMinutes}/${d.availableMinutes} min (${pct}%) ${d.tasks.join(", ")}${clock}`);
  }
  if (changes) {
    const ranges = week.everyDay.bands.map((b) => `${local(b.from)}–${local(b.to)}`).join(", ");
    lines.push(`  every day: daily tasks keep ${ranges} clear, since they also run on the days the clock changes`);
  }
  const moved = new Map<string, string>();
  for (const d of week.days) {
    for (const slot of d.slots) {
      if (!slot.moved || moved.has(slot.id)) continue;
      const from = `${slot.moved.fromWindowDay ? `${slot.moved.fromWindowDay} ` : ""}${local(slot.moved.fromOffsetMinutes)}`;
      const to = `${slot.cadence === "daily" ? "" : `${d.day} `}${local(slot.offsetMinutes)}`;
      moved.set(slot.id, `  moved: ${slot.id} from ${from} to ${to}, because ${slot.moved.by} took its minutes`);
    }
  }
  return [...lines, ...moved.values()];
}
