/**
 * The longest real time between two runs of a cron schedule, clock changes
 * included: what a missed-run alert must wait before it may fire.
 */
import { Cron } from "croner";
import { parseCron } from "./cronFields";
import { passesGuard } from "./describe";
import { mergeRanges, offsetTransitions } from "./dst";
import type { ScheduledTask } from "./engine";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Over a year, so every clock change and every month shape is seen. */
export const GAP_HORIZON_DAYS = 400;
/** A schedule that fires less than twice in the horizon is given a year. */
const SPARSE_GAP_SECONDS = 366 * 86_400;

type GapSchedule = Pick<ScheduledTask, "cron" | "timeZone" | "guard">;
interface Span {
  readonly from: number;
  readonly to: number;
}

/**
 * Measured by stepping the cron with croner (the dialect and the clock-change
 * behaviour the alert has to match). A schedule whose wall-clock pattern
 * repeats every day or every week only needs stepping where its real gaps can
 * differ: one clean period, and around each clock change. The result equals
 * stepping the whole horizon, in a few dozen steps instead of hundreds.
 */
export function longestGapSeconds(schedule: GapSchedule, from: Date): number {
  // Many tasks share a schedule.
  const key = `${schedule.cron}|${schedule.timeZone}|${schedule.guard ?? ""}|${from.getTime()}`;
  let gap = measured.get(key);
  if (gap === undefined) {
    gap = measure(schedule, from);
    measured.set(key, gap);
  }
  return gap;
}

const measured = new Map<string, number>();

function measure(schedule: GapSchedule, from: Date): number {
  const start = from.getTime();
  const end = start + GAP_HORIZON_DAYS * DAY_MS;
  const period = repeatPeriodMs(schedule);
  if (period === undefined) return gapOver(schedule, [{ from: start, to: end }]);
  // A gap is at most a period plus a clock change (two hours at most, on Troll), so a
  // window one period and three hours wide either side holds both runs of any gap a change falls inside.
  const reach = period + 3 * HOUR_MS;
  const changes = offsetTransitions(schedule.timeZone, start, end);
  const spans: Span[] = changes.map((t) => ({ from: Math.max(start, t - reach), to: Math.min(end, t + reach) }));
  spans.push(cleanSpan(start, end, 2 * reach, changes));
  return gapOver(schedule, mergeRanges(spans));
}

/** Every step over the whole horizon: the reference the fast path must equal. */
export function longestGapSecondsByStepping(schedule: GapSchedule, from: Date): number {
  return gapOver(schedule, [{ from: from.getTime(), to: from.getTime() + GAP_HORIZON_DAYS * DAY_MS }]);
}

/** A day or a week when neither the day of the month nor the month restricts the schedule, and no guard does. */
function repeatPeriodMs(schedule: GapSchedule): number | undefined {
  if (schedule.guard !== undefined) return undefined;
  const cron = parseCron(schedule.cron);
  if (cron.daysOfMonth !== undefined || cron.months !== undefined) return undefined;
  return cron.daysOfWeek === undefined ? DAY_MS : 7 * DAY_MS;
}

/** The first stretch of the given width with no clock change in it (or the horizon's start, in a zone that never changes). */
function cleanSpan(start: number, end: number, width: number, changes: readonly number[]): Span {
  let from = start;
  for (const t of changes) {
    if (t >= from + width) break;
    if (t >= from) from = t + 1;
  }
  return { from, to: Math.min(end, from + width) };
}

function gapOver(schedule: GapSchedule, spans: readonly Span[]): number {
  const cron = new Cron(schedule.cron, { timezone: schedule.timeZone, legacyMode: true, paused: true });
  let longest = 0;
  let runs = 0;
  for (const span of spans) {
    let previous: number | undefined;
    for (let next = cron.nextRun(new Date(span.from)); next && next.getTime() < span.to; next = cron.nextRun(next)) {
      const at = next.getTime();
      if (!passesGuard(schedule, at)) continue;
      runs++;
      if (previous !== undefined) longest = Math.max(longest, at - previous);
      previous = at;
    }
  }
  return runs < 2 || longest === 0 ? SPARSE_GAP_SECONDS : Math.round(longest / 1000);
}
