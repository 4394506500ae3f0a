/**
 * The schedule engine: from each task's cadence and length, plus the window,
 * a five-field cron in the window's zone. Pure and deterministic.
 *
 * Model. The window's hours exist every day; its `days` are the days that host
 * weekly, monthly and quarterly tasks. Each window instance (one per weekday,
 * named by the day it starts on) has its own timeline of minutes from the
 * window start. A daily task holds the same minutes on all seven timelines; any
 * other task holds minutes on the one window day it is given. Each slot is
 * followed by a gap.
 *
 * Placement packs from both ends: daily tasks from the window's start, the
 * others from its end, each in the order declared. A new task therefore takes
 * the free middle and moves no task that is already placed, while there is
 * room.
 */
import { WEEKDAYS, type Cadence, type Weekday } from "./terms";
import { firingMinutesOfDay, firingWeekdays, parseCron } from "./cronFields";
import { unsafeLocalRanges, type DstHorizon } from "./dst";

export interface ScheduleWindow {
  readonly days: readonly Weekday[];
  /** Local start, minutes after midnight. */
  readonly startMinute: number;
  readonly durationMinutes: number;
  readonly timeZone: string;
}

interface TaskBase {
  readonly id: string;
  readonly durationMinutes: number;
  /** The config key path that errors about this task name. */
  readonly path: string;
}

export interface CadenceTask extends TaskBase {
  readonly cadence: Cadence;
}

export interface CustomTask extends TaskBase {
  readonly schedule: string;
  readonly outsideWindow: boolean;
}

export type TaskRequest = CadenceTask | CustomTask;

/** Monthly and quarterly runs fire weekly; the job itself runs only in the first week. */
export type PeriodGuard = "first-week-of-month";

export interface ScheduledTask {
  readonly id: string;
  readonly cadence: Cadence | "custom";
  readonly durationMinutes: number;
  readonly cron: string;
  readonly timeZone: string;
  readonly guard?: PeriodGuard;
  /** The window day this slot belongs to, for non-daily generated tasks. */
  readonly windowDay?: Weekday;
  /** Minutes from the window start; undefined for a schedule outside the window. */
  readonly offsetMinutes?: number;
  readonly outsideWindow: boolean;
}

export interface ScheduleOptions {
  readonly gapMinutes: number;
  readonly dstHorizon: DstHorizon;
}

export class ScheduleError extends Error {
  constructor(readonly problems: readonly { path: string; reason: string }[]) {
    super(problems.map((p) => `${p.path}: ${p.reason}`).join("\n"));
    this.name = "ScheduleError";
  }
}

interface Interval {
  readonly from: number;
  readonly to: number;
  readonly owner: string;
}

const QUARTER_MONTHS = "1,4,7,10";
const DAY_LABEL: Record<Weekday, string> = {
  sun: "Sunday", mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday",
};

export function hhmmToMinute(text: string): number {
  const [h, m] = text.split(":").map(Number);
  return h! * 60 + m!;
}

export function minuteToHhmm(minute: number): string {
  const m = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

export function describeWindow(w: ScheduleWindow): string {
  return `${minuteToHhmm(w.startMinute)}–${minuteToHhmm(w.startMinute + w.durationMinutes)} ${w.timeZone}`;
}

const isCustom = (t: TaskRequest): t is CustomTask => "schedule" in t;

/**
 * Each window day's reserved intervals. A window is at most 720 minutes and
 * every slot is at least a minute plus the gap, so a day holds a bounded
 * number of intervals; placing a task is quadratic in that bound, never in the
 * number of tasks (custom schedules outside the window are not placed).
 */
class Timelines {
  private readonly days: Interval[][] = Array.from({ length: 7 }, () => []);

  reserve(dayIndexes: readonly number[], from: number, to: number, owner: string): void {
    for (const d of dayIndexes) this.days[d]!.push({ from, to, owner });
  }

  conflict(dayIndexes: readonly number[], from: number, to: number): Interval | undefined {
    for (const d of dayIndexes) {
      const hit = this.days[d]!.find((i) => i.from < to && from < i.to);
      if (hit) return hit;
    }
    return undefined;
  }

  /** The latest start where [start, start+length) ends by `limit` and is free on every given day. */
  lastFit(dayIndexes: readonly number[], length: number, limit: number): number | undefined {
    const candidates = new Set<number>([limit - length]);
    for (const d of dayIndexes) for (const i of this.days[d]!) candidates.add(i.from - length);
    for (const start of [...candidates].sort((a, b) => b - a)) {
      if (start < 0) return undefined;
      if (start + length <= limit && !this.conflict(dayIndexes, start, start + length)) return start;
    }
    return undefined;
  }

  /** The earliest start ≥ 0 where [start, start+length) is free on every given day. */
  firstFit(dayIndexes: readonly number[], length: number, limit: number): number | undefined {
    const candidates = new Set<number>([0]);
    for (const d of dayIndexes) for (const i of this.days[d]!) candidates.add(i.to);
    for (const start of [...candidates].sort((a, b) => a - b)) {
      if (start + length > limit) return undefined;
      if (!this.conflict(dayIndexes, start, start + length)) return start;
    }
    return undefined;
  }

  /** The longest free run of minutes below `limit` on one timeline. */
  largestFree(dayIndex: number, limit: number): number {
    const taken = [...this.days[dayIndex]!].sort((a, b) => a.from - b.from);
    let cursor = 0;
    let best = 0;
    for (const i of taken) {
      best = Math.max(best, Math.min(i.from, limit) - cursor);
      cursor = Math.max(cursor, i.to);
    }
    return Math.max(best, limit - cursor);
  }

  /** Minutes held by tasks (not by clock changes) on one timeline. */
  used(dayIndex: number): number {
    return this.days[dayIndex]!.filter((i) => i.owner !== DST_OWNER).reduce((sum, i) => sum + (i.to - i.from), 0);
  }
}

const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const DST_OWNER = "daylight saving time";

export function planSchedule(window: ScheduleWindow, tasks: readonly TaskRequest[], options: ScheduleOptions): ScheduledTask[] {
  const { gapMinutes } = options;
  const L = window.durationMinutes;
  const S = window.startMinute;
  const windowDays = window.days.map((d) => WEEKDAYS.indexOf(d));
  const timelines = new Timelines();
  const problems: { path: string; reason: string }[] = [];
  const toOffset = (minuteOfDay: number) => (minuteOfDay - S + 1440) % 1440;

  // Clock changes first: no slot, nor the gap after it, may touch them.
  let dstMinutes = 0;
  for (const r of unsafeLocalRanges(window.timeZone, options.dstHorizon)) {
    for (const piece of splitAt(r.from, r.to, S)) {
      const from = toOffset(piece.from);
      const to = from + (piece.to - piece.from);
      if (from >= L) continue;
      // A task's own trailing gap keeps it clear of the range; the range needs none.
      dstMinutes += Math.min(to, L + gapMinutes) - from;
      timelines.reserve(ALL_DAYS, from, to, DST_OWNER);
    }
  }

  const results = new Map<string, ScheduledTask>();

  // Custom schedules are pinned by the user, so they claim their minutes before placement.
  for (const task of tasks.filter(isCustom)) {
    const cron = parseCron(task.schedule);
    const weekdays = firingWeekdays(cron);
    const everyDay = weekdays.length === 7 && cron.daysOfMonth === undefined;
    let inside = true;
    for (const minute of firingMinutesOfDay(cron)) {
      const offset = toOffset(minute);
      if (offset + task.durationMinutes > L) {
        inside = false;
        if (!task.outsideWindow) {
          problems.push({
            path: `${task.path}.schedule`,
            reason: `runs ${minuteToHhmm(minute)}–${minuteToHhmm(minute + task.durationMinutes)}, outside the maintenance window ${describeWindow(window)}; move it inside or set outsideWindow: true`,
          });
        }
        continue;
      }
      if (task.outsideWindow) continue;
      const crossesMidnight = S + offset >= 1440;
      const instanceDays = everyDay ? ALL_DAYS : weekdays.map((w) => (crossesMidnight ? (w + 6) % 7 : w));
      if (!everyDay) {
        if (cron.daysOfMonth !== undefined && windowDays.length < 7) {
          problems.push({
            path: `${task.path}.schedule`,
            reason: `runs on a day of the month, whatever the weekday, but weekly and longer tasks must run on a window day (${window.days.join(", ")}); use cadence: monthly, or set outsideWindow: true`,
          });
          inside = false;
          break;
        }
        const stray = instanceDays.filter((d) => !windowDays.includes(d));
        if (stray.length > 0) {
          problems.push({
            path: `${task.path}.schedule`,
            reason: `runs in the window of ${stray.map((d) => DAY_LABEL[WEEKDAYS[d]!]).join(", ")}, which is not a window day (${window.days.join(", ")}); run it every day or on a window day, or set outsideWindow: true`,
          });
          inside = false;
          break;
        }
      }
      const clash = timelines.conflict(instanceDays, offset, offset + task.durationMinutes + gapMinutes);
      if (clash) {
        problems.push({
          path: `${task.path}.schedule`,
          reason:
            clash.owner === DST_OWNER
              ? `runs at ${minuteToHhmm(minute)}, too close to the hour that daylight saving time skips or repeats in ${window.timeZone}; move it`
              : `overlaps ${clash.owner} (with the ${gapMinutes}-minute gap); move one of them`,
        });
        continue;
      }
      timelines.reserve(instanceDays, offset, offset + task.durationMinutes + gapMinutes, task.id);
    }
    results.set(task.id, {
      id: task.id,
      cadence: "custom",
      durationMinutes: task.durationMinutes,
      cron: task.schedule.trim().split(/\s+/).join(" "),
      timeZone: window.timeZone,
      offsetMinutes: inside && !task.outsideWindow ? toOffset(firingMinutesOfDay(cron)[0]!) : undefined,
      outsideWindow: task.outsideWindow,
    });
  }

  // One pass in the order declared, so a task appended later cannot move an earlier one. (Placing
  // the daily tasks first did: where a clock change or a custom schedule leaves a hole, a new daily
  // task skipped it and took the slot of a weekly one, which then moved into the hole.)
  const cadenceTasks = tasks.filter((t): t is CadenceTask => !isCustom(t));
  for (const task of cadenceTasks) {
    const length = task.durationMinutes + gapMinutes;
    let placed: { day?: number; offset: number } | undefined;
    if (task.cadence === "daily") {
      const offset = timelines.firstFit(ALL_DAYS, length, L + gapMinutes);
      if (offset !== undefined) placed = { offset };
    } else {
      // The window day with the latest free slot; ties go to the day listed first.
      for (const day of windowDays) {
        const offset = timelines.lastFit([day], length, L + gapMinutes);
        if (offset !== undefined && (placed === undefined || offset > placed.offset)) placed = { day, offset };
      }
    }
    if (!placed) {
      const day = task.cadence === "daily" ? busiestDay(timelines) : leastUsed(timelines, windowDays);
      problems.push({
        path: "upkeep:environment.window.durationMinutes",
        reason: notEnoughRoom(window, task, timelines.used(day) + length, dstMinutes, gapMinutes, day, timelines.largestFree(day, L + gapMinutes)),
      });
      continue;
    }
    timelines.reserve(placed.day === undefined ? ALL_DAYS : [placed.day], placed.offset, placed.offset + length, task.id);
    results.set(task.id, cadenceSlot(window, task, placed.offset, placed.day));
  }

  if (problems.length > 0) throw new ScheduleError(problems);
  return tasks.map((t) => results.get(t.id)!);
}

function cadenceSlot(window: ScheduleWindow, task: CadenceTask, offset: number, day: number | undefined): ScheduledTask {
  const start = window.startMinute + offset;
  const minuteOfDay = start % 1440;
  const time = `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)}`;
  const base = { id: task.id, cadence: task.cadence, durationMinutes: task.durationMinutes, timeZone: window.timeZone, offsetMinutes: offset, outsideWindow: false };
  if (day === undefined) return { ...base, cron: `${time} * * *` };
  const cronDay = (day + (start >= 1440 ? 1 : 0)) % 7;
  const windowDay = WEEKDAYS[day]!;
  switch (task.cadence) {
    case "weekly":
      return { ...base, windowDay, cron: `${time} * * ${cronDay}` };
    case "monthly":
      return { ...base, windowDay, cron: `${time} * * ${cronDay}`, guard: "first-week-of-month" };
    default:
      return { ...base, windowDay, cron: `${time} * ${QUARTER_MONTHS} ${cronDay}`, guard: "first-week-of-month" };
  }
}

function splitAt(from: number, to: number, at: number): { from: number; to: number }[] {
  return at > from && at < to ? [{ from, to: at }, { from: at, to }] : [{ from, to }];
}

function busiestDay(t: Timelines): number {
  return ALL_DAYS.reduce((best, d) => (t.used(d) > t.used(best) ? d : best), 0);
}

function leastUsed(t: Timelines, days: readonly number[]): number {
  return days.reduce((best, d) => (t.used(d) < t.used(best) ? d : best), days[0]!);
}

function notEnoughRoom(
  window: ScheduleWindow,
  task: CadenceTask,
  needed: number,
  dstMinutes: number,
  gap: number,
  day: number,
  largestFree: number,
): string {
  const available = window.durationMinutes + gap - dstMinutes;
  const dst = dstMinutes > 0 ? `, less ${dstMinutes} around the hour that daylight saving time skips or repeats in ${window.timeZone}` : "";
  return (
    `the tasks need ${needed} minutes in the ${DAY_LABEL[WEEKDAYS[day]!]} window (each with a ${gap}-minute gap, ${task.id} included) ` +
    `but only ${available} are available (${window.durationMinutes} minutes plus the last gap${dst}), ` +
    `and the longest free stretch left is ${largestFree} minutes against the ${task.durationMinutes + gap} it needs; ` +
    `lengthen the window, add a window day, or shorten or move tasks`
  );
}
