/**
 * The maintenance window as a Secrets Manager rotation schedule.
 *
 * Secrets Manager knows no time zones: `cron(...)` runs in UTC, its minutes
 * field must be 0 (rotation windows open on the hour), `duration` is whole
 * hours ("3h", 1–24) and the window must not run past 00:00 UTC. So the local
 * window becomes the part of it that is inside the window under EVERY offset
 * the zone uses in the horizon (standard and daylight time), cut to whole UTC
 * hours and to one UTC day. Secrets Manager rotates at any moment of that
 * part, so every rotation happens inside the local window, all year.
 *
 * Cadence: `everyDays` is the longest a credential may go unrotated (that is
 * what the Config rule secretsmanager-secret-periodic-rotation checks), and
 * cron cannot say "every N days from the window day". upkeep therefore picks
 * the sparsest cron cadence whose longest gap is at most `everyDays`:
 *   - 1–6 days:  daily, every day in the window's hours (they exist every day);
 *   - 7–34 days: weekly, on the window's first day (`days[0]`);
 *   - 35+ days:  monthly, on the first such weekday of the UTC month (`SAT#1`);
 *     a gap between two first-weekdays of a month is 28 or 35 days.
 * Rotating more often than asked is always allowed; less often never happens.
 */
import type { ConfigProblem } from "../config";
import { dstHorizon, minuteToHhmm, offsetMinutes, WEEKDAYS } from "../schedule";

export interface RotationWindowInput {
  readonly days: readonly string[];
  /** Local `HH:MM`. */
  readonly start: string;
  /** May cross local midnight. */
  readonly durationMinutes: number;
}

export type RotationCadence = "daily" | "weekly" | "monthly";

export interface RotationSchedule {
  /** `cron(0 H … *)` in UTC. */
  readonly scheduleExpression: string;
  /** Whole hours, e.g. "2h". */
  readonly duration: string;
  readonly cadence: RotationCadence;
  /** The longest time between two window openings, in days. */
  readonly maxDaysBetween: number;
}

export class RotationWindowError extends Error {
  constructor(
    readonly reason: string,
    readonly suggestion: string,
  ) {
    super(`${reason}; ${suggestion}`);
    this.name = "RotationWindowError";
  }
}

const CRON_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
const MINUTE = 60_000;
const DAY_MS = 1440 * MINUTE;

const offsetsCache = new Map<string, readonly number[]>();

/**
 * Every UTC offset (minutes east) the zone uses in the horizon (the task scheduler's by default), ascending.
 * Kept per zone and horizon: every credential asks the same (once to validate,
 * once for the calendar, once for its SecretRotation), some 3,600 samples each.
 */
export function zoneOffsets(timeZone: string, fromYear: number, years = dstHorizon({ fromYear }).years): readonly number[] {
  const key = `${timeZone}|${fromYear}|${years}`;
  const hit = offsetsCache.get(key);
  if (hit) return hit;
  const seen = new Set<number>();
  // Twice a day: any offset that lasts longer than half a day is seen.
  for (let t = Date.UTC(fromYear, 0, 1); t < Date.UTC(fromYear + years, 0, 1); t += DAY_MS / 2) {
    seen.add(offsetMinutes(timeZone, t));
  }
  const offsets = Object.freeze([...seen].sort((a, b) => a - b));
  offsetsCache.set(key, offsets);
  return offsets;
}

/** A UTC range in minutes from 00:00 UTC of the local window day's date; may be negative or past 1440. */
interface UtcRange {
  readonly from: number;
  readonly to: number;
}

function parseHhmm(text: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a HH:MM time: ${JSON.stringify(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

const utcLabel = (offset: number) => `UTC${offset < 0 ? "-" : "+"}${minuteToHhmm(Math.abs(offset))}`;

/**
 * The whole UTC hours inside the local window under every offset, within one
 * UTC day (the longer side when the hours straddle 00:00 UTC; the earlier on
 * a tie). Undefined when not even one whole hour remains.
 */
function utcHours(start: number, length: number, offsets: readonly number[]): UtcRange | undefined {
  // Local = UTC + offset, so the window opens latest in UTC under the smallest offset and closes earliest under the largest.
  const from = Math.ceil((start - offsets[0]!) / 60) * 60;
  const to = Math.floor((start + length - offsets[offsets.length - 1]!) / 60) * 60;
  if (to - from < 60) return undefined;
  const midnight = Math.ceil((from + 1) / 1440) * 1440;
  if (to <= midnight) return { from, to };
  return midnight - from >= to - midnight ? { from, to: midnight } : { from: midnight, to: Math.min(to, midnight + 1440) };
}

/** The cadence for a longest-allowed gap; see the module comment. */
export function rotationCadence(everyDays: number): { cadence: RotationCadence; maxDaysBetween: number } {
  if (!Number.isInteger(everyDays) || everyDays < 1) throw new Error(`everyDays must be a whole number of days ≥ 1 (got ${everyDays})`);
  if (everyDays < 7) return { cadence: "daily", maxDaysBetween: 1 };
  if (everyDays < 35) return { cadence: "weekly", maxDaysBetween: 7 };
  return { cadence: "monthly", maxDaysBetween: 35 };
}

export function rotationSchedule(
  window: RotationWindowInput,
  timeZone: string,
  everyDays: number,
  options: { readonly fromYear: number },
): RotationSchedule {
  const start = parseHhmm(window.start);
  const offsets = zoneOffsets(timeZone, options.fromYear);
  const hours = utcHours(start, window.durationMinutes, offsets);
  if (hours === undefined) throw noWholeHour(window, timeZone, start, offsets);

  const { cadence, maxDaysBetween } = rotationCadence(everyDays);
  const hour = (((hours.from % 1440) + 1440) % 1440) / 60;
  const duration = `${(hours.to - hours.from) / 60}h`;
  if (cadence === "daily") return { scheduleExpression: `cron(0 ${hour} * * ? *)`, duration, cadence, maxDaysBetween };

  const first = window.days[0];
  const local = WEEKDAYS.indexOf(first as (typeof WEEKDAYS)[number]);
  if (local < 0) throw new Error(`not a weekday: ${JSON.stringify(first)}`);
  // The UTC hours may fall on the UTC day before or after the local window day.
  const utcDay = CRON_DAYS[(((local + Math.floor(hours.from / 1440)) % 7) + 7) % 7]!;
  const dayField = cadence === "weekly" ? utcDay : `${utcDay}#1`;
  return { scheduleExpression: `cron(0 ${hour} ? * ${dayField} *)`, duration, cadence, maxDaysBetween };
}

function noWholeHour(window: RotationWindowInput, timeZone: string, start: number, offsets: readonly number[]): RotationWindowError {
  const end = start + window.durationMinutes;
  const inUtc = offsets.map((o) => `${minuteToHhmm(start - o)}–${minuteToHhmm(end - o)} UTC${offsets.length > 1 ? ` at ${utcLabel(o)}` : ""}`);
  const holds = offsets.length > 1 ? `${inUtc.join(" and ")}, which share no whole UTC hour` : `${inUtc[0]}, which holds no whole UTC hour`;
  const reason =
    `the maintenance window ${window.start}–${minuteToHhmm(end)} ${timeZone} is ${holds}, ` +
    "and Secrets Manager rotation windows open on the hour in UTC and last at least 1 hour";
  // The smallest duration that works from the same start, so the fix is one number; or the nearest start that works as is.
  let widen: number | undefined;
  for (let length = window.durationMinutes + 1; length <= 720 && widen === undefined; length++) {
    if (utcHours(start, length, offsets) !== undefined) widen = length;
  }
  let move: number | undefined;
  for (let delta = 1; delta <= 60 && move === undefined; delta++) {
    move = [start - delta, start + delta].find((s) => utcHours(s, window.durationMinutes, offsets) !== undefined);
  }
  const fixes = [
    ...(widen !== undefined ? [`widen the window to at least ${widen} minutes (environment.window.durationMinutes: ${widen})`] : []),
    ...(move !== undefined ? [`move its start to ${minuteToHhmm(move)} (environment.window.start)`] : []),
  ];
  return new RotationWindowError(reason, fixes.length > 0 ? fixes.join(" or ") : "widen the window");
}

/**
 * Path-named config problems for every credential whose rotation cannot be
 * scheduled: the window is at fault, so the problem names
 * `upkeep:environment.window` once, and the credentials that need it.
 */
export function credentialWindowProblems(
  credentials: readonly { readonly everyDays: number }[],
  window: RotationWindowInput,
  timeZone: string,
  options: { readonly fromYear: number },
): ConfigProblem[] {
  const failing: number[] = [];
  let reason = "";
  credentials.forEach((c, i) => {
    try {
      rotationSchedule(window, timeZone, c.everyDays, options);
    } catch (error) {
      if (!(error instanceof RotationWindowError)) throw error;
      failing.push(i);
      reason = error.message;
    }
  });
  if (failing.length === 0) return [];
  const who = failing.map((i) => `upkeep:credentials[${i}]`).join(", ");
  return [{ path: "upkeep:environment.window", reason: `cannot hold the Secrets Manager rotation of ${who}: ${reason}` }];
}
