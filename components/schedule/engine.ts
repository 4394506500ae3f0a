/**
 * The schedule engine: from each task's cadence and length, plus the window,
 * a five-field cron in the window's zone. Pure and deterministic: it reads no
 * earlier plan, so stability comes from how it places, not from memory.
 *
 * Model. The window's hours exist every day; its `days` are the days that host
 * weekly, monthly and quarterly tasks. Each window instance (one per weekday,
 * named by the day it starts on) has its own timeline of minutes from the
 * window start. A daily task holds the same minutes on all seven timelines; any
 * other task holds minutes on the one window day it is given. Each slot is
 * followed by a gap. A clock change holds its minutes only on the instances of
 * the weekdays it falls on (clockBands.ts).
 *
 * Placement, in two steps, as the issue of stable reviews asks:
 * 1. Each cadence task's home: the tasks in the order declared, each taking the
 *    earliest free minutes from the window's start (a daily task: free on
 *    every day, and weekly, monthly or quarterly tasks there make way; any
 *    other task: on the window day where they come first, ties to the day
 *    listed first). Pinned schedules play no part in this.
 * 2. Pinned schedules take their minutes first; every task keeps its home when
 *    they leave it free, and a task whose home they take moves to the earliest
 *    minutes that are no other task's home, and says so (`moved`). When the
 *    window is too full for that, it takes the slot that pushes the fewest
 *    weekly, monthly or quarterly homes (on its home's day if it can), and
 *    each task pushed moves the same way, naming who took its minutes.
 * Hence:
 * - a task appended later moves no earlier one, except the weekly tasks that
 *   make way for a daily one;
 * - a pinned schedule, wherever it is declared, moves only the tasks whose
 *   minutes it takes;
 * - a longer window (or a later end) only adds room at the end, so no task
 *   moves: every choice is "earliest", and the start is the anchor (but a
 *   task that had to push others may take the new room).
 * Adding a window day can move tasks onto it: no stateless rule keeps both
 * that and the previous promise (see the README); the plan diff says why.
 */
import { firingMinutesOfDay, firingWeekdays, parseCron } from "./cronFields";
import { instanceBands, type InstanceBand } from "./clockBands";
import type { DstHorizon } from "./dst";
import { CLOCK_OWNER, doesNotFit, Timelines, type Slot } from "./timelines";
import { WEEKDAYS, type Cadence, type Weekday } from "./terms";

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

/** Why a task is not at its home (where it would be if no schedule were pinned). */
export interface Displacement {
  /** The pinned task on its home's minutes, or the task that took them. */
  readonly by: string;
  /** Its home. */
  readonly fromOffsetMinutes: number;
  readonly fromWindowDay?: Weekday;
  /** The window was too full to move it to minutes that are no one's home, so every task was placed around the pinned schedules. */
  readonly full?: true;
}

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
  readonly moved?: Displacement;
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
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

interface Placed extends Slot {
  readonly task: CadenceTask;
  readonly moved?: Displacement;
}

/** The minutes a pinned schedule holds: per firing time, the instances and offsets. */
interface Pinned {
  readonly task: CustomTask;
  readonly holds: readonly { days: readonly number[]; from: number; to: number }[];
  readonly result: ScheduledTask;
}

/**
 * Clock changes first. A slot may end where a change begins, and the next slot
 * starts a gap after it ends, so in spring (when the minutes vanish) the two
 * are still a gap apart in real time. On a timeline, where every slot carries
 * its gap behind it, that is the band shifted by one gap. Bands run to the end
 * of the day, so the window's length changes nothing here.
 */
function reserveClockChanges(timelines: Timelines, bands: readonly InstanceBand[][], gap: number): void {
  bands.forEach((ranges, day) => ranges.forEach((r) => timelines.reserve([day], r.from + gap, r.to + gap, CLOCK_OWNER)));
}

/** The window's clock-change bands on each instance's timeline, whatever the window's length. */
export function windowClockBands(window: ScheduleWindow, horizon: DstHorizon): InstanceBand[][] {
  return instanceBands(window.startMinute, window.timeZone, horizon);
}

interface Context {
  readonly limit: number;
  readonly windowDays: readonly number[];
  readonly gapMinutes: number;
}

/** The earliest slot a task may take: free on every day for a daily task (but for owners in `ignore`), else on the window day where it comes first. */
function earliest(task: CadenceTask, t: Timelines, ctx: Context, ignore?: ReadonlySet<string>): Slot | undefined {
  const length = task.durationMinutes + ctx.gapMinutes;
  if (task.cadence === "daily") {
    const offset = t.firstFit(ALL_DAYS, length, ctx.limit, ignore);
    return offset === undefined ? undefined : { days: ALL_DAYS, offset, length };
  }
  let best: Slot | undefined;
  for (const day of ctx.windowDays) {
    const offset = t.firstFit([day], length, ctx.limit);
    if (offset !== undefined && (best === undefined || offset < best.offset)) best = { days: [day], day, offset, length };
  }
  return best;
}

const meets = (a: { days: readonly number[]; from: number; to: number }, s: Slot) => a.from < s.offset + s.length && s.offset < a.to && a.days.some((d) => s.days.includes(d));

/**
 * Each task's home: where it goes if no schedule were pinned. Tasks are placed
 * in the order declared; a daily task takes the earliest minutes free on every
 * day of clock changes and earlier daily tasks, and the weekly, monthly or
 * quarterly tasks there make way, each to the earliest minutes left.
 */
function placeHomes(tasks: readonly CadenceTask[], t: Timelines, ctx: Context, fail: (task: CadenceTask) => void): Map<string, Placed> {
  const slots = new Map<string, Placed>();
  const yielding = new Set<string>();
  const occupy = (task: CadenceTask, spot: Slot) => {
    t.reserve(spot.days, spot.offset, spot.offset + spot.length, task.id);
    if (task.cadence !== "daily") yielding.add(task.id);
    slots.set(task.id, { ...spot, task });
  };
  for (const task of tasks) {
    const spot = earliest(task, t, ctx, yielding);
    if (!spot) {
      fail(task);
      continue;
    }
    occupy(task, spot);
    if (task.cadence !== "daily") continue;
    const inTheWay = [...slots.values()].filter((s) => s.task.cadence !== "daily" && meets({ days: spot.days, from: spot.offset, to: spot.offset + spot.length }, s));
    for (const s of inTheWay) t.release(s.task.id);
    for (const s of inTheWay) {
      slots.delete(s.task.id);
      const again = earliest(s.task, t, ctx);
      if (again) occupy(s.task, again);
      else fail(s.task);
    }
  }
  return slots;
}

/** Whether rank `a` comes before `b`, comparing entry by entry. */
function before(a: readonly number[], b: readonly number[]): boolean {
  const i = a.findIndex((x, j) => x !== b[j]);
  return i >= 0 && a[i]! < b[i]!;
}

/** The slot that meets the fewest pushable owners (then on its home's day, then the earliest, then the day listed first); undefined when every slot meets something else. */
function pushingSlot(task: CadenceTask, home: number | undefined, t: Timelines, ctx: Context, pushable: (owner: string) => boolean): { slot: Slot; pushed: string[] } | undefined {
  const length = task.durationMinutes + ctx.gapMinutes;
  const options = task.cadence === "daily" ? [{ days: ALL_DAYS, day: undefined }] : ctx.windowDays.map((day) => ({ days: [day], day }));
  let best: { slot: Slot; pushed: string[]; rank: number[] } | undefined;
  for (const { days, day } of options) {
    for (const offset of t.starts(days, length, ctx.limit)) {
      const hits = t.meeting(days, offset, offset + length);
      if (hits.some((i) => !pushable(i.owner))) continue;
      const pushed = [...new Set(hits.map((i) => i.owner))].sort();
      // Fewest pushed, then its home's day, then the earliest.
      const rank = [pushed.length, day === home ? 0 : 1, offset];
      if (!best || before(rank, best.rank)) {
        best = { slot: { days, ...(day !== undefined ? { day } : {}), offset, length }, pushed, rank };
      }
    }
  }
  return best;
}

export function planSchedule(window: ScheduleWindow, tasks: readonly TaskRequest[], options: ScheduleOptions): ScheduledTask[] {
  const { gapMinutes } = options;
  const ctx: Context = { limit: window.durationMinutes + gapMinutes, windowDays: window.days.map((d) => WEEKDAYS.indexOf(d)), gapMinutes };
  const bands = windowClockBands(window, options.dstHorizon);
  const problems: { path: string; reason: string }[] = [];
  const fail = (timelines: Timelines) => (task: CadenceTask) =>
    problems.push({
      path: "upkeep:environment.window.durationMinutes",
      reason: doesNotFit({ window, task, gapMinutes, timelines, windowDays: ctx.windowDays, bands, dayLabel: (d) => DAY_LABEL[WEEKDAYS[d]!] }),
    });
  const pinned = pinSchedules(window, tasks, options, bands, problems);
  const cadenceTasks = tasks.filter((t): t is CadenceTask => !isCustom(t));
  const holdsOf = (t: Timelines) => {
    for (const p of pinned) for (const h of p.holds) t.reserve(h.days, h.from, h.to, p.task.id);
  };

  const homeTimelines = new Timelines();
  reserveClockChanges(homeTimelines, bands, gapMinutes);
  const homes = placeHomes(cadenceTasks, homeTimelines, ctx, fail(homeTimelines));
  if (problems.length > 0) throw new ScheduleError(problems);

  // Pinned schedules first, then every home they leave free. A task whose home
  // they take moves to the earliest minutes that are no other task's home, so
  // nothing else moves with it.
  const timelines = new Timelines();
  reserveClockChanges(timelines, bands, gapMinutes);
  holdsOf(timelines);
  const takenBy = new Map<string, Pinned>();
  for (const s of homes.values()) {
    const by = pinned.find((p) => p.holds.some((h) => meets(h, s)));
    if (by) takenBy.set(s.task.id, by);
    else timelines.reserve(s.days, s.offset, s.offset + s.length, s.task.id);
  }
  const slots = new Map(homes);
  const movedIds = new Set<string>();
  const relocate = (task: CadenceTask, by: string): void => {
    const home = homes.get(task.id)!;
    const from = { fromOffsetMinutes: home.offset, ...(home.day !== undefined ? { fromWindowDay: WEEKDAYS[home.day]! } : {}) };
    movedIds.add(task.id);
    slots.delete(task.id);
    const spot = earliest(task, timelines, ctx);
    if (spot) {
      timelines.reserve(spot.days, spot.offset, spot.offset + spot.length, task.id);
      slots.set(task.id, { ...spot, task, moved: { by, ...from } });
      return;
    }
    // Too full for that: the slot that pushes the fewest other homes (weekly,
    // monthly or quarterly ones that have not moved), and those move the same way.
    const push = pushingSlot(task, home.day, timelines, ctx, (owner) => homes.has(owner) && homes.get(owner)!.task.cadence !== "daily" && !movedIds.has(owner));
    if (!push) {
      fail(timelines)(task);
      return;
    }
    for (const owner of push.pushed) timelines.release(owner);
    timelines.reserve(push.slot.days, push.slot.offset, push.slot.offset + push.slot.length, task.id);
    slots.set(task.id, { ...push.slot, task, moved: { by, ...from, full: true } });
    for (const owner of push.pushed) relocate(homes.get(owner)!.task, task.id);
  };
  for (const task of cadenceTasks) {
    const by = takenBy.get(task.id);
    if (by && !movedIds.has(task.id)) relocate(task, by.task.id);
  }

  if (problems.length > 0) throw new ScheduleError(problems);
  const results = new Map<string, ScheduledTask>();
  for (const p of pinned) results.set(p.task.id, p.result);
  for (const s of slots.values()) results.set(s.task.id, { ...cadenceSlot(window, s.task, s.offset, s.day), ...(s.moved ? { moved: s.moved } : {}) });
  return tasks.map((t) => results.get(t.id)!);
}

/**
 * Pinned schedules are the user's, so they are checked first, against the
 * window, the window days, the clock changes of the weekdays they run on, and
 * each other; a problem is reported on the schedule's own key.
 */
function pinSchedules(
  window: ScheduleWindow,
  tasks: readonly TaskRequest[],
  options: ScheduleOptions,
  bands: readonly InstanceBand[][],
  problems: { path: string; reason: string }[],
): Pinned[] {
  const { gapMinutes } = options;
  const L = window.durationMinutes;
  const S = window.startMinute;
  const windowDays = window.days.map((d) => WEEKDAYS.indexOf(d));
  const toOffset = (minuteOfDay: number) => (minuteOfDay - S + 1440) % 1440;
  const claimed = new Timelines();
  reserveClockChanges(claimed, bands, gapMinutes);
  const out: Pinned[] = [];
  tasks.forEach((task) => {
    if (!isCustom(task)) return;
    const cron = parseCron(task.schedule);
    const weekdays = firingWeekdays(cron);
    const everyDay = weekdays.length === 7 && cron.daysOfMonth === undefined;
    const holds: Pinned["holds"][number][] = [];
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
      const to = offset + task.durationMinutes + gapMinutes;
      const clash = claimed.conflict(instanceDays, offset, to);
      if (clash) {
        const reason = clash.owner === CLOCK_OWNER ? clockClash(window, minute, { days: instanceDays, from: offset, to }, bands, gapMinutes) : `overlaps ${clash.owner} (with the ${gapMinutes}-minute gap); move one of them`;
        problems.push({ path: `${task.path}.schedule`, reason });
        continue;
      }
      claimed.reserve(instanceDays, offset, to, task.id);
      holds.push({ days: instanceDays, from: offset, to });
    }
    out.push({
      task,
      holds,
      result: {
        id: task.id,
        cadence: "custom",
        durationMinutes: task.durationMinutes,
        cron: task.schedule.trim().split(/\s+/).join(" "),
        timeZone: window.timeZone,
        offsetMinutes: inside && !task.outsideWindow ? toOffset(firingMinutesOfDay(cron)[0]!) : undefined,
        outsideWindow: task.outsideWindow,
      },
    });
  });
  return out;
}

/** The clock change a pinned run meets, named with the weekday it falls on. */
function clockClash(window: ScheduleWindow, minute: number, run: { days: readonly number[]; from: number; to: number }, bands: readonly InstanceBand[][], gap: number): string {
  const hit = run.days.flatMap((d) => bands[d]!).find((b) => b.from + gap < run.to && run.from < b.to + gap)!;
  const weekdays = [...new Set(hit.changes.map((c) => `${DAY_LABEL[WEEKDAYS[c.weekday]!]}s`))];
  return (
    `runs at ${minuteToHhmm(minute)}, too close to the local time that daylight saving time skips or repeats on ${weekdays.join(" and ")} in ${window.timeZone}; ` +
    `move it${run.days.length < 7 ? ", or run it on another weekday" : ""}`
  );
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

