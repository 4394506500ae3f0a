/**
 * Schedules in words and in instants, for people (annotations, the plan, the
 * calendar). The engine decides; these only read its output.
 */
import { Cron } from "croner";
import cronstrue from "cronstrue";
import { localTime } from "./dst";
import type { ScheduledTask } from "./engine";

/** Whether a run the cron fires at `epochMs` passes the task's in-job guard. */
export function passesGuard(task: Pick<ScheduledTask, "guard" | "timeZone">, epochMs: number): boolean {
  if (task.guard === "first-week-of-month") return localTime(task.timeZone, epochMs).day <= 7;
  return true;
}

export function describeSchedule(task: ScheduledTask): string {
  const words = cronstrue.toString(task.cron, { use24HourTimeFormat: true, verbose: false });
  const guard = task.guard ? ", the first one of each month only" : "";
  return `${words}${guard} (${task.timeZone})`;
}

/** The next `count` starts that actually run the task, guard applied, strictly after `from`. */
export function nextRuns(task: Pick<ScheduledTask, "cron" | "timeZone" | "guard">, from: Date, count: number): Date[] {
  const cron = new Cron(task.cron, { timezone: task.timeZone, legacyMode: true, paused: true });
  const out: Date[] = [];
  let cursor: Date = from;
  // A guarded task passes about one firing in four; 60 firings is over a year of them.
  for (let i = 0; out.length < count && i < count * 60; i++) {
    const next = cron.nextRun(cursor);
    if (!next) break;
    if (passesGuard(task, next.getTime())) out.push(next);
    cursor = next;
  }
  return out;
}

/** ISO-8601 with the zone's offset, e.g. 2026-12-05T01:30:00+01:00. */
export function isoInZone(date: Date, zone: string): string {
  const t = localTime(zone, date.getTime());
  const offset = Math.round((Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) - date.getTime()) / 60000);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
