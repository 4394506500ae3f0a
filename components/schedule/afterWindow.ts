/**
 * When the post-maintenance check runs: the local minute right after the
 * window. A scheduling question, so it lives with the engine; the check's
 * container is built in jobs/.
 */
import { unsafeLocalRanges, type DstHorizon } from "./dst";
import { hhmmToMinute } from "./engine";

export interface VerificationTime {
  /** Daily, in the window's zone (the CronJob's spec.timeZone). */
  readonly cron: string;
  /** Local minutes after midnight. */
  readonly minuteOfDay: number;
}

/**
 * The local minute right after the window ends, moved forward past any range
 * the zone's clock changes skip or repeat in the horizon, so the check runs
 * exactly once every day.
 */
export function verificationTime(
  window: { readonly start: string; readonly durationMinutes: number },
  timeZone: string,
  horizon: DstHorizon,
): VerificationTime {
  const unsafe = unsafeLocalRanges(timeZone, horizon);
  let minute = (hhmmToMinute(window.start) + window.durationMinutes) % 1440;
  // Ranges are merged and never wrap; moving past one may land in another (or wrap to midnight).
  for (let moves = 0; ; moves++) {
    const hit = unsafe.find((r) => r.from <= minute && minute < r.to);
    if (!hit) break;
    if (moves > unsafe.length) throw new Error(`no minute of the day in ${timeZone} is clear of clock changes`);
    minute = hit.to % 1440;
  }
  return { cron: `${minute % 60} ${Math.floor(minute / 60)} * * *`, minuteOfDay: minute };
}
