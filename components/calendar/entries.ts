/**
 * The calendar: every scheduled task in one list, for the stack output, the
 * plan's calendar.json and calendar.md. Next run times depend on "now", so
 * they are added by whoever knows what now is (the plan), not by the program.
 */
import { ALERT_NAMES, figureAlertNames } from "../alerting";
import { DUE_WHEN, type RoutineReminder, type StakeholderNotice, schedulerNextRuns } from "../routine";
import { describeSchedule, isoInZone, nextRuns } from "../schedule";
import type { MaintenanceTask } from "../tasks";

export interface CalendarEntry {
  readonly id: string;
  /** vacuum, reindex, cleanup, custom, verify: selects the runbook text. */
  readonly kind: string;
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

/** `pushgateway`: the tasks push their outcome, which adds the alerts on their figures. */
export function buildCalendar(tasks: readonly MaintenanceTask[], namespace: string, pushgateway = false): CalendarEntry[] {
  return tasks.map((t) => ({
    id: t.id,
    kind: t.kind,
    title: t.title,
    cadence: t.schedule.cadence,
    mechanism: `Kubernetes CronJob ${namespace}/${t.id}`,
    schedule: t.schedule.cron,
    timeZone: t.schedule.timeZone,
    durationMinutes: t.schedule.durationMinutes,
    description: describeSchedule(t.schedule),
    ...(t.schedule.guard ? { guard: t.schedule.guard } : {}),
    alerts: [...Object.values(ALERT_NAMES), ...(pushgateway ? figureAlertNames(t) : [])],
  }));
}

/** How reminders and notices reach people: the mechanism each calendar entry names. */
export interface RoutineDelivery {
  /** e.g. "the daily digest: EventBridge Scheduler to SNS upkeep-prod-warning". */
  readonly reminders: string;
  readonly notices: string;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Each check people do, on the days it is due, and the notices to stakeholders, as EventBridge Scheduler sends them. */
export function buildRoutineCalendar(
  timeZone: string,
  at: string,
  reminders: readonly RoutineReminder[],
  notices: readonly StakeholderNotice[],
  delivery: RoutineDelivery,
): CalendarEntry[] {
  return [
    ...reminders.map((r) => ({
      id: `review-${r.id}`,
      kind: "reminder",
      title: r.title,
      cadence: r.cadence,
      mechanism: delivery.reminders,
      schedule: r.expression,
      timeZone,
      durationMinutes: 0,
      description: `${capitalize(DUE_WHEN[r.cadence])} at ${at} (${timeZone}), in that day's digest`,
      alerts: [],
    })),
    ...notices.map((n) => ({
      id: `notice-${n.key}`,
      kind: "notice",
      title: `Stakeholder notice for the ${n.windows.join(" and ")} maintenance window`,
      cadence: "weekly",
      mechanism: delivery.notices,
      schedule: n.expression,
      timeZone: n.timeZone,
      durationMinutes: 0,
      description: `${n.message.split("\n")[0]}`,
      alerts: [],
    })),
  ];
}

/**
 * A run that some other system schedules: a Secrets Manager rotation or an
 * AWS Backup (an AWS cron), a cert-manager renewal window (a five-field cron).
 */
export interface ExternalScheduleEntry {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly cadence: string;
  readonly mechanism: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly durationMinutes: number;
  readonly description: string;
}

export function buildExternalCalendar(entries: readonly ExternalScheduleEntry[]): CalendarEntry[] {
  return entries.map((e) => ({
    id: e.id,
    kind: e.kind,
    title: e.title,
    cadence: e.cadence,
    mechanism: e.mechanism,
    schedule: e.expression,
    timeZone: e.timeZone,
    durationMinutes: e.durationMinutes,
    description: e.description,
    alerts: [],
  }));
}

const isSchedulerExpression = (schedule: string) => schedule.startsWith("cron(");

export function withNextRuns(entries: readonly CalendarEntry[], now: Date, count = 6): DatedCalendarEntry[] {
  return entries.map((e) => {
    const runs = isSchedulerExpression(e.schedule)
      ? schedulerNextRuns(e.schedule, e.timeZone, now, count)
      : nextRuns({ cron: e.schedule, timeZone: e.timeZone, guard: e.guard === "first-week-of-month" ? e.guard : undefined }, now, count);
    // Keys in reading order: what, how often, by what, when, then the alerts that watch it.
    return {
      id: e.id,
      kind: e.kind,
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

/** How each task of the seed's routine is done, as the program exports it. */
export interface RoutineRow {
  readonly id: string;
  readonly title: string;
  readonly cadence: string;
  readonly mechanism: string;
}

/** A readable table in local time: what runs, when, and for how long; then the whole routine. */
export function renderCalendarMarkdown(
  environment: string,
  entries: readonly DatedCalendarEntry[],
  paused: boolean,
  routine: readonly RoutineRow[] = [],
): string {
  const lines = [
    `# Maintenance calendar: ${environment}`,
    "",
    ...(paused ? ["**Paused:** every CronJob, reminder and notice is suspended (change freeze). Nothing below runs until `paused` is false.", ""] : []),
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
    ...(routine.length > 0
      ? [
          "## The routine",
          "",
          "| Check | Cadence | Done by |",
          "| --- | --- | --- |",
          ...routine.map((r) => `| ${cell(r.title)} (\`${r.id}\`) | ${r.cadence} | ${cell(r.mechanism === "reminder" ? "a reminder to the platform team" : r.mechanism)} |`),
          "",
        ]
      : []),
  ];
  return lines.join("\n");
}
