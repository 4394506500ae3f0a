/**
 * The maintenance window as an Alertmanager mute time interval.
 *
 * An AlertmanagerConfig (monitoring.coreos.com/v1alpha1) time interval has no
 * `location`: prometheus-operator converts `times`, `weekdays`, `daysOfMonth`,
 * `months` and `years` only, and Alertmanager reads them in UTC. So the
 * window is converted here. In a zone without clock changes that is one
 * daily UTC range, valid forever. In a zone with them the UTC range moves by
 * an hour twice a year, so each stretch of days between clock changes gets
 * its own interval, pinned to its dates (years, months, days of month), for
 * a horizon of years from the plan's year; the night of a change gets the
 * exact minutes. A deploy after the horizon's end extends it; past the end
 * nothing is muted, which errs on the side of paging.
 *
 * The window's hours exist every day (daily tasks run in them every day), so
 * the mute does too. What is muted is defined by the local wall clock: a
 * moment is muted when its local time of day lies in the window, exactly
 * as the tasks' CronJobs (spec.timeZone) read it.
 */
import { offsetMinutes, offsetTransitions, type MinuteRange } from "../schedule";

/** The name of the window's mute interval in the AlertmanagerConfig. */
export const WINDOW_MUTE_INTERVAL = "maintenance-window";

/** Years of intervals written ahead for a zone that changes its clocks. */
export const QUIET_WINDOW_YEARS = 5;

const MINUTE = 60_000;
const DAY_MINUTES = 1440;
const DAY = DAY_MINUTES * MINUTE;

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

/** As monitoring.coreos.com/v1alpha1 spells a time interval. */
export interface TimeInterval {
  readonly times?: readonly { readonly startTime: string; readonly endTime: string }[];
  readonly daysOfMonth?: readonly { readonly start: number; readonly end: number }[];
  readonly months?: readonly string[];
  readonly years?: readonly string[];
}

export interface MuteTimeInterval {
  readonly name: string;
  readonly timeIntervals: readonly TimeInterval[];
}

export interface QuietWindowInputs {
  /** Local `HH:MM`. */
  readonly start: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
  /** The plan's year: intervals start on its 1 January (UTC). */
  readonly fromYear: number;
  readonly years?: number;
}

/** The window's local minutes of day, split at midnight. */
function localRanges(inputs: QuietWindowInputs): MinuteRange[] {
  const [h, m] = inputs.start.split(":").map(Number);
  const from = h! * 60 + m!;
  const to = from + inputs.durationMinutes;
  return to <= DAY_MINUTES ? [{ from, to }] : [{ from, to: DAY_MINUTES }, { from: 0, to: to - DAY_MINUTES }];
}

/** Shifts a local minute range to UTC minutes of day (minus the offset), split at UTC midnight. */
function toUtc(range: MinuteRange, offset: number): MinuteRange[] {
  const from = (((range.from - offset) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  const to = from + (range.to - range.from);
  return to <= DAY_MINUTES ? [{ from, to }] : [{ from, to: DAY_MINUTES }, { from: 0, to: to - DAY_MINUTES }];
}

function merge(ranges: readonly MinuteRange[]): MinuteRange[] {
  const out: MinuteRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) out[out.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else if (r.to > r.from) out.push({ ...r });
  }
  return out;
}

/** The UTC minutes of one UTC day whose local time of day lies in the window. */
export function mutedMinutesOfUtcDay(inputs: QuietWindowInputs, dayStartMs: number): MinuteRange[] {
  const local = localRanges(inputs);
  // The day in pieces of constant offset: at most one clock change a day.
  const cuts = [dayStartMs, ...offsetTransitions(inputs.timeZone, dayStartMs, dayStartMs + DAY), dayStartMs + DAY];
  const out: MinuteRange[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = (cuts[i]! - dayStartMs) / MINUTE;
    const b = (cuts[i + 1]! - dayStartMs) / MINUTE;
    const offset = offsetMinutes(inputs.timeZone, cuts[i]!);
    for (const r of local.flatMap((l) => toUtc(l, offset))) {
      const from = Math.max(r.from, a);
      const to = Math.min(r.to, b);
      if (to > from) out.push({ from, to });
    }
  }
  return merge(out);
}

const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
const times = (ranges: readonly MinuteRange[]) => ranges.map((r) => ({ startTime: hhmm(r.from), endTime: hhmm(r.to) }));

interface Ymd {
  readonly y: number;
  /** 1–12. */
  readonly m: number;
  readonly d: number;
}

const ymd = (ms: number): Ymd => {
  const t = new Date(ms);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const monthRange = (a: number, b: number): string => (a === b ? MONTHS[a - 1]! : `${MONTHS[a - 1]}:${MONTHS[b - 1]}`);

/** The dates from `a` to `b` (inclusive, UTC) as year/month/day-of-month intervals. */
export function dateSpan(a: Ymd, b: Ymd): TimeInterval[] {
  const out: TimeInterval[] = [];
  for (let y = a.y; y <= b.y; y++) {
    const from = y === a.y ? a : { y, m: 1, d: 1 };
    const to = y === b.y ? b : { y, m: 12, d: 31 };
    const years = [String(y)];
    if (from.m === to.m) {
      const whole = from.d === 1 && to.d === daysIn(y, to.m);
      out.push({ years, months: [monthRange(from.m, to.m)], ...(whole ? {} : { daysOfMonth: [{ start: from.d, end: to.d }] }) });
      continue;
    }
    let firstWhole = from.m;
    if (from.d !== 1) {
      out.push({ years, months: [monthRange(from.m, from.m)], daysOfMonth: [{ start: from.d, end: daysIn(y, from.m) }] });
      firstWhole = from.m + 1;
    }
    let lastWhole = to.m;
    if (to.d !== daysIn(y, to.m)) lastWhole = to.m - 1;
    if (firstWhole <= lastWhole) out.push({ years, months: [monthRange(firstWhole, lastWhole)] });
    if (lastWhole < to.m) out.push({ years, months: [monthRange(to.m, to.m)], daysOfMonth: [{ start: 1, end: to.d }] });
  }
  return out;
}

/** The window's mute interval: the muted UTC minutes of each day, grouped into runs of days alike. */
export function windowMuteInterval(inputs: QuietWindowInputs): MuteTimeInterval {
  const years = inputs.years ?? QUIET_WINDOW_YEARS;
  const first = Date.UTC(inputs.fromYear, 0, 1);
  const end = Date.UTC(inputs.fromYear + years, 0, 1);
  if (offsetTransitions(inputs.timeZone, first, end).length === 0) {
    // No clock change: the same UTC minutes every day, with no dates, so it never runs out.
    return { name: WINDOW_MUTE_INTERVAL, timeIntervals: [{ times: times(mutedMinutesOfUtcDay(inputs, first)) }] };
  }
  const runs: { from: number; to: number; ranges: MinuteRange[] }[] = [];
  for (let day = first; day < end; day += DAY) {
    const ranges = mutedMinutesOfUtcDay(inputs, day);
    const last = runs[runs.length - 1];
    if (last && JSON.stringify(last.ranges) === JSON.stringify(ranges)) last.to = day;
    else runs.push({ from: day, to: day, ranges });
  }
  const timeIntervals = runs
    .filter((run) => run.ranges.length > 0)
    .flatMap((run) => dateSpan(ymd(run.from), ymd(run.to)).map((dates) => ({ times: times(run.ranges), ...dates })));
  return { name: WINDOW_MUTE_INTERVAL, timeIntervals };
}
