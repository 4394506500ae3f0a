/**
 * The week of the window as data: for each window day, where each task sits,
 * what the clock change keeps clear and why, and what is left free. The plan
 * summary, the stack output and calendar.svg all read this one structure.
 */
import { describeClockChanges, type InstanceBand } from "./clockBands";
import { firingWeekdays, parseCron } from "./cronFields";
import { mergeRanges, type DstHorizon, type MinuteRange } from "./dst";
import { minuteToHhmm, type Displacement, type ScheduledTask, type ScheduleWindow } from "./engine";
import { windowClockBands } from "./pinned";
import { WEEKDAYS, type Weekday } from "./terms";

export interface WeekSlot {
  readonly id: string;
  readonly cadence: ScheduledTask["cadence"];
  /** Minutes from the window start. */
  readonly offsetMinutes: number;
  readonly durationMinutes: number;
  readonly moved?: Displacement;
}

export interface ClockBand extends MinuteRange {
  /** Each clock change behind the band, e.g. `Sun 02:00–03:00 skipped in March`. */
  readonly why: readonly string[];
}

export interface WindowDay {
  readonly day: Weekday;
  /** Minutes of task slots starting in this day's window. */
  readonly usedMinutes: number;
  /** The window's length less the minutes a clock change takes on this day. */
  readonly availableMinutes: number;
  readonly tasks: readonly string[];
  /** Minutes of this day's window that its clock change skips or repeats, and why (empty: none). */
  readonly clockChange: { readonly minutes: number; readonly why: readonly string[] };
  readonly slots: readonly WeekSlot[];
  /** Offsets from the window start, clipped to the window. */
  readonly bands: readonly ClockBand[];
  /** Minutes no slot, gap or band holds. */
  readonly free: readonly MinuteRange[];
}

export interface WeekPlan {
  readonly window: { readonly days: readonly Weekday[]; readonly start: string; readonly durationMinutes: number; readonly timeZone: string; readonly gapMinutes: number };
  readonly days: readonly WindowDay[];
  /** What daily tasks keep clear: every band of every day, since they run on all of them. */
  readonly everyDay: { readonly minutes: number; readonly bands: readonly ClockBand[] };
  /** Tasks that run outside the window (outsideWindow, the check after it). */
  readonly outside: readonly { readonly id: string; readonly cron: string; readonly durationMinutes: number }[];
}

/** The window instances (by the weekday each starts on) whose timeline a slot uses. */
export function instanceDays(task: ScheduledTask, window: ScheduleWindow): number[] {
  if (task.offsetMinutes === undefined) return [];
  if (task.cadence === "daily") return [0, 1, 2, 3, 4, 5, 6];
  if (task.windowDay) return [WEEKDAYS.indexOf(task.windowDay)];
  const crossesMidnight = window.startMinute + task.offsetMinutes >= 1440;
  return firingWeekdays(parseCron(task.cron)).map((w) => (crossesMidnight ? (w + 6) % 7 : w));
}

function clip(bands: readonly InstanceBand[], length: number): ClockBand[] {
  return bands
    .filter((b) => b.from < length)
    .map((b) => ({ from: b.from, to: Math.min(b.to, length), why: describeClockChanges(b.changes) }));
}

function freeStretches(taken: readonly MinuteRange[], length: number): MinuteRange[] {
  const out: MinuteRange[] = [];
  let cursor = 0;
  for (const t of [...taken].sort((a, b) => a.from - b.from)) {
    if (t.from > cursor && cursor < length) out.push({ from: cursor, to: Math.min(t.from, length) });
    cursor = Math.max(cursor, t.to);
  }
  if (cursor < length) out.push({ from: cursor, to: length });
  return out;
}

const minutes = (ranges: readonly MinuteRange[]) => ranges.reduce((sum, r) => sum + r.to - r.from, 0);

/** One row per window day, in the order the window lists them. */
export function weekPlan(window: ScheduleWindow, tasks: readonly ScheduledTask[], horizon: DstHorizon, gapMinutes: number): WeekPlan {
  const L = window.durationMinutes;
  const bands = windowClockBands(window, horizon);
  // Once per task, not once per task and window day: a pinned schedule's days come from parsing its cron.
  const daysOf = new Map(tasks.map((t) => [t, instanceDays(t, window)]));
  const days = window.days.map((day): WindowDay => {
    const index = WEEKDAYS.indexOf(day);
    const here = tasks.filter((t) => daysOf.get(t)!.includes(index));
    const dayBands = clip(bands[index]!, L);
    const slots = here.map((t) => ({
      id: t.id,
      cadence: t.cadence,
      offsetMinutes: t.offsetMinutes!,
      durationMinutes: t.durationMinutes,
      ...(t.moved ? { moved: t.moved } : {}),
    }));
    const clockMinutes = minutes(dayBands);
    return {
      day,
      usedMinutes: here.reduce((sum, t) => sum + t.durationMinutes, 0),
      availableMinutes: L - clockMinutes,
      tasks: here.map((t) => t.id),
      clockChange: { minutes: clockMinutes, why: describeClockChanges(bands[index]!.filter((b) => b.from < L).flatMap((b) => b.changes)) },
      slots,
      bands: dayBands,
      free: freeStretches([...slots.map((s) => ({ from: s.offsetMinutes, to: s.offsetMinutes + s.durationMinutes + gapMinutes })), ...dayBands], L),
    };
  });
  const all = bands.flatMap((b) => clip(b, L));
  const everyDayBands = mergeRanges(all).map((r) => ({
    ...r,
    why: describeClockChanges(bands.flatMap((day) => day.filter((b) => b.from < r.to && r.from < b.to).flatMap((b) => b.changes))),
  }));
  return {
    window: { days: window.days, start: minuteToHhmm(window.startMinute), durationMinutes: L, timeZone: window.timeZone, gapMinutes },
    days,
    everyDay: { minutes: minutes(everyDayBands), bands: everyDayBands },
    outside: tasks.filter((t) => t.offsetMinutes === undefined).map((t) => ({ id: t.id, cron: t.cron, durationMinutes: t.durationMinutes })),
  };
}
