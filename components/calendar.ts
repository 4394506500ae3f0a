/**
 * The calendar: every scheduled task in one list, for the stack output, the
 * plan's calendar.json and calendar.md. Next run times depend on "now", so
 * they are added by whoever knows what now is (the plan), not by the program.
 */
import { ALERT_NAMES } from "./alerts";
import { describeSchedule, isoInZone, nextRuns } from "./schedule/describe";
import type { MaintenanceTask } from "./tasks";

export interface CalendarEntry {
  readonly id: string;
  readonly title: string;
  readonly cadence: string;
  readonly mechanism: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly durationMinutes: number;
  readonly description: string;
  /** Set when monthly and quarterly runs are filtered in the job (see period-guard.sh). */
  readonly guard?: string;
  readonly alerts: readonly string[];
}

export interface DatedCalendarEntry extends CalendarEntry {
  readonly next: readonly string[];
}

export function buildCalendar(tasks: readonly MaintenanceTask[], namespace: string): CalendarEntry[] {
  return tasks.map((t) => ({
    id: t.id,
    title: t.title,
    cadence: t.schedule.cadence,
    mechanism: `Kubernetes CronJob ${namespace}/${t.id}`,
    schedule: t.schedule.cron,
    timeZone: t.schedule.timeZone,
    durationMinutes: t.schedule.durationMinutes,
    description: describeSchedule(t.schedule),
    ...(t.schedule.guard ? { guard: t.schedule.guard } : {}),
    alerts: Object.values(ALERT_NAMES),
  }));
}

export function withNextRuns(entries: readonly CalendarEntry[], now: Date, count = 6): DatedCalendarEntry[] {
  return entries.map((e) => {
    const runs = nextRuns({ cron: e.schedule, timeZone: e.timeZone, guard: e.guard === "first-week-of-month" ? e.guard : undefined }, now, count);
    // Keys in reading order: what, how often, by what, when, then the alerts that watch it.
    return {
      id: e.id,
      title: e.title,
      cadence: e.cadence,
      mechanism: e.mechanism,
      schedule: e.schedule,
      timeZone: e.timeZone,
      durationMinutes: e.durationMinutes,
      description: e.description,
      ...(e.guard ? { guard: e.guard } : {}),
      next: runs.map((d) => isoInZone(d, e.timeZone)),
      alerts: e.alerts,
    };
  });
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** A readable table in local time: what runs, when, and for how long. */
export function renderCalendarMarkdown(environment: string, entries: readonly DatedCalendarEntry[], paused: boolean): string {
  const lines = [
    `# Maintenance calendar: ${environment}`,
    "",
    ...(paused ? ["**Paused:** every CronJob is suspended (change freeze). Nothing below runs until `paused` is false.", ""] : []),
    "| Task | Cadence | When (local) | Slot | Next runs |",
    "| --- | --- | --- | --- | --- |",
    ...entries.map(
      (e) =>
        `| ${cell(e.title)} (\`${e.id}\`) | ${e.cadence} | ${cell(e.description)} | ${e.durationMinutes} min | ${e.next
          .slice(0, 3)
          .map((n) => n.slice(0, 16).replace("T", " "))
          .join("<br>")} |`,
    ),
    "",
  ];
  return lines.join("\n");
}
