/**
 * The routine as people see it: which seed tasks upkeep does itself, which
 * become a reminder to the platform team, and the notice stakeholders get
 * before each maintenance window. Pure: plain objects in, plain objects out,
 * so every expression and every message is asserted exactly in tests.
 *
 * Expressions are EventBridge Scheduler crons,
 * `cron(minutes hours day-of-month month day-of-week year)`, evaluated in the
 * environment's zone (`scheduleExpressionTimezone`). Unlike Kubernetes cron,
 * Scheduler has `W` (nearest weekday) and requires `?` in one day field, so
 * "the first working day of the month" is one expression: `1W` never leaves
 * the month, so it is the 1st, or Monday the 2nd or 3rd.
 */
import { type UpkeepConfig, ROUTINE, type Automation, type RoutineTask } from "../config";
import { runbookUrl } from "../alerting";
import { parseCron, firingMinutesOfDay, firingWeekdays, hhmmToMinute, minuteToHhmm, WEEKDAYS, type Cadence, type Weekday } from "../schedule";
import { VERIFY_TASK_ID, type MaintenanceTask } from "../tasks";

export interface RoutineEntry {
  readonly id: string;
  readonly title: string;
  readonly cadence: Cadence;
  readonly checklist: readonly string[];
  /** What does the task: an upkeep mechanism, or `"reminder"` to the platform team. */
  readonly mechanism: string;
  /** Present exactly when `mechanism` is `"reminder"`. */
  readonly reminder?: { readonly expression: string; readonly timeZone: string };
}

/** A reminder ready to schedule: what `RoutineSchedules` takes. */
export interface RoutineReminder {
  readonly id: string;
  readonly title: string;
  readonly cadence: Cadence;
  readonly expression: string;
  readonly message: string;
}

export interface StakeholderNotice {
  /** The window day this notice announces. */
  readonly day: Weekday;
  readonly expression: string;
  readonly timeZone: string;
  readonly message: string;
}

const DAY_NAME: Record<Weekday, string> = {
  sun: "Sunday", mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday",
};
const DAY_SHORT: Record<Weekday, string> = { sun: "Sun", mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat" };
const WEEK_MINUTES = 7 * 1440;

/** Day fields per cadence: the first working day of the period, never a weekend (public holidays are not known). */
const REMINDER_DAYS: Record<Cadence, string> = {
  daily: "? * MON-FRI",
  weekly: "? * MON",
  monthly: "1W * ?",
  quarterly: "1W 1,4,7,10 ?",
};

/** A Scheduler cron at local minute-of-day `minute` with the given day fields (every year). */
function schedulerCron(minute: number, dayFields: string): string {
  return `cron(${minute % 60} ${Math.floor(minute / 60)} ${dayFields} *)`;
}

export function reminderExpression(cadence: Cadence, at: string): string {
  return schedulerCron(hhmmToMinute(at), REMINDER_DAYS[cadence]);
}

/** The upkeep mechanism that does the task in this config, or undefined when nothing does. */
function mechanismOf(automation: Automation | undefined, config: UpkeepConfig): string | undefined {
  const ns = config.kubernetes.namespace;
  if (automation === "endpoint-verification" && config.endpoints.length > 0) {
    return `Kubernetes CronJob ${ns}/${VERIFY_TASK_ID} after each window`;
  }
  if (automation === "database-maintenance" && config.databases.length > 0) {
    return `vacuum, reindex and cleanup CronJobs in ${ns} (${config.databases.map((d) => d.name).join(", ")})`;
  }
  if (automation === "backup-verification") {
    // A backup counts only once restored: a dump restored into a scratch server, or AWS Backup restore testing.
    const by: string[] = [];
    if (config.backups.dumps.length > 0) by.push(`dump verification CronJobs in ${ns} (${config.backups.dumps.map((d) => `${d.database}-dump-verify`).join(", ")})`);
    if (config.backups.aws?.restoreTesting) by.push(`AWS Backup restore testing (${config.backups.aws.restoreTesting.cadence}) of vault ${config.backups.aws.vaultName}`);
    if (by.length > 0) return by.join(" and ");
  }
  return undefined;
}

/** Every routine task after `reviews.overrides` (applied in order), with what does it and when. */
export function routinePlan(config: UpkeepConfig): RoutineEntry[] {
  const out: RoutineEntry[] = [];
  for (const task of ROUTINE) {
    let cadence: Cadence = task.cadence;
    let enabled = true;
    for (const o of config.reviews.overrides) {
      if (o.task !== task.id) continue;
      if (o.cadence !== undefined) cadence = o.cadence;
      enabled = o.enabled;
    }
    if (!enabled) continue;
    const base = { id: task.id, title: task.title, cadence, checklist: task.checklist };
    const mechanism = mechanismOf(task.automation, config);
    out.push(
      mechanism !== undefined
        ? { ...base, mechanism }
        : { ...base, mechanism: "reminder", reminder: { expression: reminderExpression(cadence, config.reviews.at), timeZone: config.environment.timezone } },
    );
  }
  return out;
}

/** Routine runbooks are the same in every environment. */
export const routineRunbookPage = (id: string): string => `routine/${id}`;

export interface MessageContext {
  readonly environment: string;
  readonly runbookBaseUrl: string;
}

/** The SNS message body: the first line reads as a subject, since a Scheduler SNS target sends only a body. */
export function reminderMessage(task: Pick<RoutineTask, "id" | "title" | "cadence" | "checklist">, ctx: MessageContext): string {
  return [
    `[upkeep ${ctx.environment}] ${capitalize(task.cadence)} review due: ${task.title}`,
    "",
    ...task.checklist.map((item) => `- [ ] ${item}`),
    "",
    `Runbook: ${runbookUrl(ctx.runbookBaseUrl, routineRunbookPage(task.id))}`,
  ].join("\n");
}

/** The reminders of `routinePlan`, each with its message: pass to `RoutineSchedules`. */
export function routineReminders(config: UpkeepConfig): RoutineReminder[] {
  const ctx = { environment: config.environment.name, runbookBaseUrl: config.alerting.runbookBaseUrl };
  return routinePlan(config).flatMap((e) =>
    e.reminder ? [{ id: e.id, title: e.title, cadence: e.cadence, expression: e.reminder.expression, message: reminderMessage(e, ctx) }] : [],
  );
}

/**
 * One notice per window day, `notify.noticeHours` before the window opens.
 *
 * The notice time is the window's local start minus noticeHours on the local
 * wall clock, so it is a fixed weekday and time in the zone, as a Scheduler
 * cron must be. Across a clock change between notice and window the real gap
 * is therefore one hour shorter (spring forward) or longer (fall back) than
 * noticeHours; stakeholders read local times, so the wall clock is what we keep.
 */
export function stakeholderNotices(config: UpkeepConfig, tasks: readonly MaintenanceTask[]): StakeholderNotice[] {
  const { name, timezone, window } = config.environment;
  const start = hhmmToMinute(window.start);
  return window.days.map((day) => {
    const dayStart = WEEKDAYS.indexOf(day) * 1440 + start;
    const at = mod(dayStart - config.notify.noticeHours * 60, WEEK_MINUTES);
    const noticeDay = WEEKDAYS[Math.floor(at / 1440)]!;
    const lines = tasksInWindow(tasks, day, start, window.durationMinutes);
    const opens = `${DAY_NAME[day]} at ${minuteToHhmm(start)}`;
    const closes = `${DAY_NAME[dayOf(dayStart + window.durationMinutes)]} at ${minuteToHhmm(start + window.durationMinutes)}`;
    const message = [
      `[upkeep ${name}] Maintenance window ${span(dayStart, dayStart + window.durationMinutes)} ${timezone}`,
      "",
      `The ${name} maintenance window opens ${opens} and closes ${closes} (${timezone}). Services may be briefly degraded.`,
      "",
      ...(lines.length > 0 ? ["Tasks in this window (local time):", ...lines] : ["No upkeep tasks are scheduled in this window."]),
    ].join("\n");
    return { day, expression: schedulerCron(at % 1440, `? * ${noticeDay.toUpperCase()}`), timeZone: timezone, message };
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
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
