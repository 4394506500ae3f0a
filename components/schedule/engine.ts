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
 * Placement replays the tasks in the order declared, as if each had been added
 * in turn. A task takes the earliest free minutes from the window's start (a
 * daily task: free on every day; any other: on the window day where they come
 * earliest, ties to the day listed first). A pinned schedule takes its own
 * minutes when its turn comes; a task placed before it on those minutes moves
 * to the earliest minutes free of every pinned schedule, and says so. Hence:
 * - a task appended later never moves an earlier one;
 * - a pinned schedule moves only the tasks whose minutes it takes;
 * - a longer window (or a later end) only adds room at the end, so no task
 *   moves: every choice is "earliest", and the start is the anchor.
 * Adding a window day can move tasks onto it: no stateless rule keeps both
 * that and the previous promise (see the README), and the plan says so.
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

/** Why a task is not where its turn put it: a pinned schedule declared after it took those minutes. */
export interface Displacement {
  /** The pinned task that took the minutes. */
  readonly by: string;
  /** Where its turn had put it. */
  readonly fromOffsetMinutes: number;
  readonly fromWindowDay?: Weekday;
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
  /** The turn in which it was moved: moved twice in one turn, it still names what happened first. */
  readonly turn?: number;
}

/** The minutes a pinned schedule holds: per firing time, the instances and offsets. */
interface Pinned {
  readonly index: number;
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

export function planSchedule(window: ScheduleWindow, tasks: readonly TaskRequest[], options: ScheduleOptions): ScheduledTask[] {
  const { gapMinutes } = options;
  const limit = window.durationMinutes + gapMinutes;
  const windowDays = window.days.map((d) => WEEKDAYS.indexOf(d));
  const timelines = new Timelines();
  const bands = windowClockBands(window, options.dstHorizon);
  reserveClockChanges(timelines, bands, gapMinutes);

  const problems: { path: string; reason: string }[] = [];
  const pinned = pinSchedules(window, tasks, options, bands, problems);
  const pinnedById = new Map(pinned.map((p) => [p.task.id, p]));
  const slots = new Map<string, Placed>();
  /** Owners a daily task looks through: the weekly, monthly and quarterly tasks, which make way for it. */
  const yielding = new Set<string>();

  const place = (task: CadenceTask): Slot | undefined => {
    const length = task.durationMinutes + gapMinutes;
    if (task.cadence === "daily") {
      const offset = timelines.firstFit(ALL_DAYS, length, limit, yielding);
      return offset === undefined ? undefined : { days: ALL_DAYS, offset, length };
    }
    let best: Slot | undefined;
    for (const day of windowDays) {
      const offset = timelines.firstFit([day], length, limit);
      if (offset !== undefined && (best === undefined || offset < best.offset)) best = { days: [day], day, offset, length };
    }
    return best;
  };
  const fail = (task: CadenceTask) =>
    problems.push({
      path: "upkeep:environment.window.durationMinutes",
      reason: doesNotFit({ window, task, gapMinutes, timelines, windowDays, bands, dayLabel: (d) => DAY_LABEL[WEEKDAYS[d]!] }),
    });
  let turn = 0;
  const occupy = (task: CadenceTask, spot: Slot, moved: Displacement | undefined, movedIn?: number) => {
    timelines.reserve(spot.days, spot.offset, spot.offset + spot.length, task.id);
    if (task.cadence !== "daily") yielding.add(task.id);
    slots.set(task.id, { ...spot, task, ...(moved ? { moved, turn: movedIn } : {}) });
  };
  const overlapping = (days: readonly number[], from: number, to: number, which: (s: Placed) => boolean) =>
    [...slots.values()].filter((s) => which(s) && s.offset < to && from < s.offset + s.length && s.days.some((d) => days.includes(d)));
  /**
   * Moves tasks off minutes another task just took, each to the earliest minutes
   * left. `by` is recorded when a pinned schedule is behind it; a daily task's
   * own turn moving weekly tasks out of its way is the rule, not news.
   */
  const declared = new Map(tasks.map((t, i) => [t.id, i]));
  const displace = (taken: readonly Placed[], by: string | undefined) => {
    for (const s of taken) {
      timelines.release(s.task.id);
      slots.delete(s.task.id);
      yielding.delete(s.task.id);
    }
    // Daily tasks first, as they were placed; then the others, each in the order declared.
    const order = [...taken].sort((a, b) => Number(b.task.cadence === "daily") - Number(a.task.cadence === "daily") || declared.get(a.task.id)! - declared.get(b.task.id)!);
    for (const s of order) {
      const spot = place(s.task);
      // Moved again in the same turn, it still names the task that took its minutes first, and where they were.
      const sameTurn = s.moved !== undefined && s.turn === turn;
      const moved = by === undefined || sameTurn ? s.moved : { by, fromOffsetMinutes: s.offset, ...(s.day !== undefined ? { fromWindowDay: WEEKDAYS[s.day]! } : {}) };
      if (!spot) {
        fail(s.task);
        continue;
      }
      occupy(s.task, spot, moved, by === undefined ? s.turn : turn);
      if (s.task.cadence === "daily") displace(overlapping(spot.days, spot.offset, spot.offset + spot.length, (o) => o.task.cadence !== "daily"), s.task.id);
    }
  };

  for (const task of tasks) {
    turn++;
    if (isCustom(task)) {
      const pin = pinnedById.get(task.id);
      if (!pin) continue;
      for (const h of pin.holds) timelines.reserve(h.days, h.from, h.to, task.id);
      displace(pin.holds.flatMap((h) => overlapping(h.days, h.from, h.to, () => true)).filter((s, i, all) => all.indexOf(s) === i), task.id);
      continue;
    }
    const spot = place(task);
    if (!spot) {
      fail(task);
      continue;
    }
    occupy(task, spot, undefined);
    if (task.cadence === "daily") displace(overlapping(spot.days, spot.offset, spot.offset + spot.length, (o) => o.task.cadence !== "daily" && o.task.id !== task.id), undefined);
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
  tasks.forEach((task, index) => {
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
      index,
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

