/**
 * Pinned schedules are the user's, so they are checked first: against the
 * window, the window days, the clock changes of the weekdays they run on, and
 * each other. A problem is reported on the schedule's own key. And the clock
 * changes themselves, as every timeline reserves them.
 */
import { instanceBands, type InstanceBand } from "./clockBands";
import { firingMinutesOfDay, firingWeekdays, parseCron } from "./cronFields";
import type { DstHorizon } from "./dst";
import { ALL_DAYS, DAY_LABEL, describeWindow, isCustom, minuteToHhmm, type CustomTask, type ScheduledTask, type ScheduleOptions, type ScheduleWindow, type TaskRequest } from "./requests";
import { CLOCK_OWNER, Timelines } from "./timelines";
import { WEEKDAYS } from "./terms";

/** The minutes a pinned schedule holds: per firing time, the instances and offsets. */
export interface Pinned {
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
export function reserveClockChanges(timelines: Timelines, bands: readonly InstanceBand[][], gap: number): void {
  bands.forEach((ranges, day) => ranges.forEach((r) => timelines.reserve([day], r.from + gap, r.to + gap, CLOCK_OWNER)));
}

/** The window's clock-change bands on each instance's timeline, whatever the window's length. */
export function windowClockBands(window: ScheduleWindow, horizon: DstHorizon): InstanceBand[][] {
  return instanceBands(window.startMinute, window.timeZone, horizon);
}

/**
 * Pinned schedules are the user's, so they are checked first, against the
 * window, the window days, the clock changes of the weekdays they run on, and
 * each other; a problem is reported on the schedule's own key.
 */
export function pinSchedules(
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
