/**
 * How full each window is: the number a reviewer wants before adding a task.
 */
import { WEEKDAYS, type Weekday } from "./terms";
import { firingWeekdays, parseCron } from "./cronFields";
import { unsafeLocalRanges, type DstHorizon } from "./dst";
import type { ScheduledTask, ScheduleWindow } from "./engine";

export interface WindowFill {
  readonly day: Weekday;
  /** Minutes of task slots starting in this day's window. */
  readonly usedMinutes: number;
  /** The window's length less the minutes daylight saving time makes unusable. */
  readonly availableMinutes: number;
  readonly tasks: readonly string[];
}

function instanceDays(task: ScheduledTask, window: ScheduleWindow): number[] {
  if (task.offsetMinutes === undefined) return [];
  if (task.cadence === "daily") return [0, 1, 2, 3, 4, 5, 6];
  if (task.windowDay) return [WEEKDAYS.indexOf(task.windowDay)];
  const crossesMidnight = window.startMinute + task.offsetMinutes >= 1440;
  return firingWeekdays(parseCron(task.cron)).map((w) => (crossesMidnight ? (w + 6) % 7 : w));
}

function dstMinutesInWindow(window: ScheduleWindow, horizon: DstHorizon): number {
  let blocked = 0;
  for (let offset = 0; offset < window.durationMinutes; offset++) {
    const minute = (window.startMinute + offset) % 1440;
    if (unsafeLocalRanges(window.timeZone, horizon).some((r) => minute >= r.from && minute < r.to)) blocked++;
  }
  return blocked;
}

/** One row per window day, in the order the window lists them. */
export function windowFill(window: ScheduleWindow, tasks: readonly ScheduledTask[], horizon: DstHorizon): WindowFill[] {
  const available = window.durationMinutes - dstMinutesInWindow(window, horizon);
  return window.days.map((day) => {
    const index = WEEKDAYS.indexOf(day);
    const here = tasks.filter((t) => instanceDays(t, window).includes(index));
    return {
      day,
      usedMinutes: here.reduce((sum, t) => sum + t.durationMinutes, 0),
      availableMinutes: available,
      tasks: here.map((t) => t.id),
    };
  });
}
