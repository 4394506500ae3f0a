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
import { pinSchedules, reserveClockChanges, windowClockBands, type Pinned } from "./pinned";
import { earliest, meets, placeHomes, pushingSlot, type Context } from "./placement";
import { isCustom, dayLabel, type CadenceTask, type ScheduledTask, type ScheduleOptions, type ScheduleWindow, type TaskRequest, ScheduleError } from "./requests";
import { doesNotFit, Timelines } from "./timelines";
import { QUARTER_MONTHS, WEEKDAYS } from "./terms";

export {
  describeWindow,
  hhmmToMinute,
  minuteToHhmm,
  ScheduleError,
  type CadenceTask,
  type CustomTask,
  type Displacement,
  type PeriodGuard,
  type ScheduledTask,
  type ScheduleOptions,
  type ScheduleWindow,
  type TaskRequest,
} from "./requests";

export function planSchedule(window: ScheduleWindow, tasks: readonly TaskRequest[], options: ScheduleOptions): ScheduledTask[] {
  const { gapMinutes } = options;
  const ctx: Context = { limit: window.durationMinutes + gapMinutes, windowDays: window.days.map((d) => WEEKDAYS.indexOf(d)), gapMinutes };
  const bands = windowClockBands(window, options.dstHorizon);
  const problems: { path: string; reason: string }[] = [];
  const fail = (timelines: Timelines) => (task: CadenceTask) =>
    problems.push({
      path: "upkeep:environment.window.durationMinutes",
      reason: doesNotFit({ window, task, gapMinutes, timelines, windowDays: ctx.windowDays, bands, dayLabel }),
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

