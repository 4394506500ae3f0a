/**
 * The routine as people see it: which seed checks upkeep does itself, which
 * stay with the platform team, when each is due, and the notice
 * stakeholders get before each maintenance window. Pure: plain objects in,
 * plain objects out, so every expression and every message is asserted
 * exactly in tests.
 *
 * When a check is due: daily ones every working day, weekly ones on Mondays,
 * monthly ones on the first Monday of the month, quarterly ones on the first
 * Monday of January, April, July and October, all at `reviews.at` in the
 * environment's zone. People get them as one digest a day (digest.ts), which
 * needs the days of the cadences to nest: every monthly day is a weekly day,
 * and so on. Expressions are EventBridge Scheduler crons,
 * `cron(minutes hours day-of-month month day-of-week year)`, with `?` in one
 * day field and `#` for "the first Monday".
 */
import type { UpkeepConfig } from "../config";
import { runbookUrl } from "../alerting";
import { firingMinutesOfDay, firingWeekdays, hhmmToMinute, minuteToHhmm, noticeSlots, parseCron, QUARTER_MONTHS, WEEKDAYS, type Cadence, type DstHorizon, type Weekday } from "../schedule";
import { routineChecks, type MaintenanceTask } from "../tasks";

export interface RoutineEntry {
  readonly id: string;
  readonly title: string;
  readonly cadence: Cadence;
  readonly checklist: readonly string[];
  /** What does the task: an upkeep mechanism, or `"reminder"` to the platform team. */
  readonly mechanism: string;
  /** Present exactly when `mechanism` is `"reminder"`: the days it is due, at `reviews.at`. */
  readonly reminder?: { readonly expression: string; readonly timeZone: string };
}

/** A check people do: what the digest lists on the days it is due. */
export interface RoutineReminder {
  readonly id: string;
  readonly title: string;
  readonly cadence: Cadence;
  readonly checklist: readonly string[];
  /** The Scheduler cron of the days it is due. */
  readonly expression: string;
}

export interface StakeholderNotice {
  /** The window days it announces, joined: `sat`, or `sat-sun` when one notice covers both. */
  readonly key: string;
  readonly windows: readonly Weekday[];
  /** The weekday it goes out. */
  readonly day: Weekday;
  /** EventBridge Scheduler cron, in `timeZone`. */
  readonly expression: string;
  readonly timeZone: string;
  readonly message: string;
}

const DAY_NAME: Record<Weekday, string> = {
  sun: "Sunday", mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday",
};
const DAY_SHORT: Record<Weekday, string> = { sun: "Sun", mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat" };
const WEEK_MINUTES = 7 * 1440;

/** Day fields of the days a cadence is due: nested, so one digest a day can list them all. */
export const DUE_DAYS: Readonly<Record<Cadence, string>> = Object.freeze({
  daily: "? * MON-FRI",
  weekly: "? * MON",
  monthly: "? * MON#1",
  quarterly: `? ${QUARTER_MONTHS} MON#1`,
});

/** When each cadence is due, in words. */
export const DUE_WHEN: Readonly<Record<Cadence, string>> = Object.freeze({
  daily: "every working day",
  weekly: "Mondays",
  monthly: "the first Monday of the month",
  quarterly: "the first Monday of January, April, July and October",
});

/** A Scheduler cron at local minute-of-day `minute` with the given day fields (every year). */
export function schedulerCron(minute: number, dayFields: string): string {
  return `cron(${minute % 60} ${Math.floor(minute / 60)} ${dayFields} *)`;
}

export function reminderExpression(cadence: Cadence, at: string): string {
  return schedulerCron(hhmmToMinute(at), DUE_DAYS[cadence]);
}

/** Every routine task after `reviews.overrides`, with what does it and, for people, when it is due. */
export function routinePlan(config: UpkeepConfig): RoutineEntry[] {
  return routineChecks(config).map(({ mechanism, ...base }) =>
    mechanism !== undefined
      ? { ...base, mechanism }
      : { ...base, mechanism: "reminder", reminder: { expression: reminderExpression(base.cadence, config.reviews.at), timeZone: config.environment.timezone } },
  );
}

/** Routine runbooks are the same in every environment. */
export const routineRunbookPage = (id: string): string => `routine/${id}`;

export interface MessageContext {
  readonly environment: string;
  readonly runbookBaseUrl: string;
}

/** The checks people do, with the days each is due. */
export function routineReminders(config: UpkeepConfig): RoutineReminder[] {
  return routinePlan(config).flatMap((e) =>
    e.reminder ? [{ id: e.id, title: e.title, cadence: e.cadence, checklist: e.checklist, expression: e.reminder.expression }] : [],
  );
}

/** The runbook of a routine check, under the environment's runbook base. */
export const reviewLink = (ctx: MessageContext, id: string): string => runbookUrl(ctx.runbookBaseUrl, routineRunbookPage(id));

/**
 * Stakeholder notices: at `reviews.at` on the latest working day at least
 * `notify.noticeHours` before each window (noticeTiming.ts), one per day it
 * goes out, listing each window it announces with its tasks in local time.
 */
export function stakeholderNotices(config: UpkeepConfig, tasks: readonly MaintenanceTask[], horizon: DstHorizon): StakeholderNotice[] {
  const { name, timezone, window } = config.environment;
  const start = hhmmToMinute(window.start);
  return noticeSlots(window, timezone, config.notify.noticeHours, config.reviews.at, horizon).map((slot) => {
    const parts = slot.windows.map((day) => {
      const dayStart = WEEKDAYS.indexOf(day) * 1440 + start;
      const lines = tasksInWindow(tasks, day, start, window.durationMinutes);
      const opens = `${DAY_NAME[day]} at ${minuteToHhmm(start)}`;
      const closes = `${DAY_NAME[dayOf(dayStart + window.durationMinutes)]} at ${minuteToHhmm(start + window.durationMinutes)}`;
      return {
        span: span(dayStart, dayStart + window.durationMinutes),
        text: [
          `The ${name} maintenance window opens ${opens} and closes ${closes} (${timezone}). Services may be briefly degraded.`,
          "",
          ...(lines.length > 0 ? ["Tasks in this window (local time):", ...lines] : ["No upkeep tasks are scheduled in this window."]),
        ],
      };
    });
    const heading = parts.length === 1 ? `Maintenance window ${parts[0]!.span}` : `Maintenance windows ${parts.map((p) => p.span).join(", ")}`;
    const message = [`[upkeep ${name}] ${heading} ${timezone}`, ...parts.flatMap((p) => ["", ...p.text])].join("\n");
    return {
      key: slot.windows.join("-"),
      windows: slot.windows,
      day: slot.day,
      expression: schedulerCron(slot.minute, `? * ${slot.day.toUpperCase()}`),
      timeZone: timezone,
      message,
    };
  });
}

/** `- Sat 00:30–01:00 Title (id), when` for each task slot in the window that starts on `day`, by start time. */
function tasksInWindow(tasks: readonly MaintenanceTask[], day: Weekday, start: number, length: number): string[] {
  const dayIndex = WEEKDAYS.indexOf(day);
  const slots: { offset: number; line: string }[] = [];
  const add = (task: MaintenanceTask, offset: number, note: string) => {
    const from = dayIndex * 1440 + start + offset;
    slots.push({ offset, line: `- ${span(from, from + task.schedule.durationMinutes)} ${task.title} (${task.id}), ${note}` });
  };
  for (const task of tasks) {
    const s = task.schedule;
    if (s.outsideWindow || s.offsetMinutes === undefined) continue;
    if (s.cadence === "daily") add(task, s.offsetMinutes, "daily");
    else if (s.cadence === "custom") {
      // A custom cron may fire several times a day; list each firing inside this window.
      const cron = parseCron(s.cron);
      const weekdays = firingWeekdays(cron);
      for (const minute of firingMinutesOfDay(cron)) {
        const offset = mod(minute - start, 1440);
        // Its cron names the weekday it fires on, which is the next day after midnight.
        const firesOn = (dayIndex + (start + offset >= 1440 ? 1 : 0)) % 7;
        if (offset + s.durationMinutes <= length && weekdays.includes(firesOn)) add(task, offset, `custom schedule ${s.cron}`);
      }
    } else if (s.windowDay === day) {
      // Monthly and quarterly runs pass their guard on the first such weekday of the month, counted on the day they fire.
      const firstOf = `first ${DAY_NAME[dayOf(dayIndex * 1440 + start + s.offsetMinutes)]} of the month only`;
      const note = s.cadence === "weekly" ? "weekly" : s.cadence === "monthly" ? firstOf : `${firstOf}, in Jan, Apr, Jul, Oct`;
      add(task, s.offsetMinutes, note);
    }
  }
  return slots.sort((a, b) => a.offset - b.offset).map((s) => s.line);
}

/** `Sat 23:30–Sun 00:30`, or `Sat 00:30–01:00` when both ends are on one day; minutes count from Sunday 00:00. */
function span(from: number, to: number): string {
  const end = dayOf(from) === dayOf(to) ? minuteToHhmm(to) : `${DAY_SHORT[dayOf(to)]} ${minuteToHhmm(to)}`;
  return `${DAY_SHORT[dayOf(from)]} ${minuteToHhmm(from)}–${end}`;
}

const dayOf = (weekMinute: number): Weekday => WEEKDAYS[Math.floor(mod(weekMinute, WEEK_MINUTES) / 1440)]!;
const mod = (a: number, n: number): number => ((a % n) + n) % n;
