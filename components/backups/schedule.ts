/**
 * When AWS Backup and its restore tests run: at the opening of the
 * maintenance window, in the window's zone (`scheduleExpressionTimezone`), so
 * local times hold all year without any UTC arithmetic.
 *
 * Choices, and why:
 * - Start at the window's opening. Backups are online snapshots, but they
 *   load the storage, and the window is when load is agreed to. A start that
 *   falls in a range the zone's clock skips or repeats moves to the end of
 *   that range (as the endpoint verification does), so it runs exactly once.
 * - Daily runs every day (the window's hours exist every day); weekly runs on
 *   the first listed window day; monthly on the first such weekday of the
 *   month (`3#1`); quarterly the same in months 1, 4, 7 and 10. AWS cron
 *   (unlike Kubernetes cron) has `#`, so no in-job guard is needed. `#` takes
 *   the numeric weekday (1 = SUN), the form every AWS example uses.
 * - startWindow is 60 minutes, AWS's minimum: a job that has not started an
 *   hour into the window is late enough to be EXPIRED and alert.
 * - completionWindow is the rest of the window. AWS documents it as counted
 *   from the scheduled time ("does not add additional time for
 *   StartWindowMinutes", StartBackupJob), so the job ends with the window.
 *   AWS rejects a completion window under startWindow + 60, so a window
 *   shorter than 120 minutes cannot hold a backup: the rule keeps AWS's
 *   minimum and `backupWindowProblem` says by how much it overruns.
 * - Restore tests open at the same time, with a start window of the whole
 *   hours left in the window (1–168, AWS's bounds).
 */
import { type Cadence, type Weekday, QUARTER_MONTHS, WEEKDAYS, hhmmToMinute, unsafeLocalRanges, type DstHorizon } from "../schedule";

export interface BackupWindow {
  readonly days: readonly Weekday[];
  /** Local `HH:MM`. */
  readonly start: string;
  /** May cross local midnight. */
  readonly durationMinutes: number;
}

/** AWS Backup: startWindow at least 60, completionWindow at least startWindow + 60. */
export const AWS_MIN_START_WINDOW_MINUTES = 60;
export const AWS_MIN_COMPLETION_MARGIN_MINUTES = 60;

/** The longest time between two runs: first-weekday-of-month runs are 28 or 35 days apart, of a quarter up to 98. */
export const CADENCE_MAX_GAP_MINUTES: Readonly<Record<Cadence, number>> = Object.freeze({
  daily: 1440,
  weekly: 7 * 1440,
  monthly: 35 * 1440,
  quarterly: 98 * 1440,
});

/** A clock change can stretch the wall-clock gap between two runs by up to an hour. */
export const CLOCK_CHANGE_MINUTES = 60;

const CRON_DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

export interface WindowOpening {
  /** Local minutes after midnight. */
  readonly minuteOfDay: number;
  /** Minutes after the window's start (0 unless a clock change moved it). */
  readonly offsetMinutes: number;
  /** 0 = Sunday: the weekday the run fires on for the first window day. */
  readonly weekday: number;
}

/** The first minute of the window clear of clock changes, and its weekday for the first listed window day. */
export function windowOpening(window: BackupWindow, timeZone: string, horizon: DstHorizon): WindowOpening {
  const start = hhmmToMinute(window.start);
  const unsafe = unsafeLocalRanges(timeZone, horizon);
  let minute = start;
  // Ranges are merged and never wrap; leaving one may land in another (or wrap past midnight).
  for (let moves = 0; ; moves++) {
    const hit = unsafe.find((r) => r.from <= minute && minute < r.to);
    if (!hit) break;
    if (moves > unsafe.length) throw new Error(`no minute of the day in ${timeZone} is clear of clock changes`);
    minute = hit.to % 1440;
  }
  const offsetMinutes = (minute - start + 1440) % 1440;
  if (offsetMinutes >= window.durationMinutes) {
    throw new Error(`the maintenance window ${window.start} (+${window.durationMinutes} min) lies inside the hour ${timeZone}'s clock changes skip or repeat; move it`);
  }
  const firstDay = WEEKDAYS.indexOf(window.days[0]!);
  const crossedMidnight = start + offsetMinutes >= 1440 ? 1 : 0;
  return { minuteOfDay: minute, offsetMinutes, weekday: (firstDay + crossedMidnight) % 7 };
}

/** An AWS six-field cron for a cadence at a local minute; weekday 0 = Sunday. */
export function awsCron(cadence: Cadence, minuteOfDay: number, weekday: number): string {
  const time = `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)}`;
  switch (cadence) {
    case "daily":
      return `cron(${time} * * ? *)`;
    case "weekly":
      return `cron(${time} ? * ${CRON_DAY_NAMES[weekday]} *)`;
    case "monthly":
      return `cron(${time} ? * ${weekday + 1}#1 *)`;
    case "quarterly":
      return `cron(${time} ? ${QUARTER_MONTHS} ${weekday + 1}#1 *)`;
  }
}

export interface BackupRuleTiming {
  readonly schedule: string;
  readonly scheduleExpressionTimezone: string;
  /** Minutes. */
  readonly startWindow: number;
  /** Minutes, from the scheduled time. */
  readonly completionWindow: number;
}

export function backupRule(window: BackupWindow, timeZone: string, cadence: Cadence, horizon: DstHorizon): BackupRuleTiming {
  const opening = windowOpening(window, timeZone, horizon);
  const remaining = window.durationMinutes - opening.offsetMinutes;
  return {
    schedule: awsCron(cadence, opening.minuteOfDay, opening.weekday),
    scheduleExpressionTimezone: timeZone,
    startWindow: AWS_MIN_START_WINDOW_MINUTES,
    completionWindow: Math.max(remaining, AWS_MIN_START_WINDOW_MINUTES + AWS_MIN_COMPLETION_MARGIN_MINUTES),
  };
}

/** Why a window cannot hold a backup rule, or undefined when it can; for a config check. */
export function backupWindowProblem(window: BackupWindow, timeZone: string, horizon: DstHorizon): string | undefined {
  const rule = backupRule(window, timeZone, "daily", horizon);
  const remaining = window.durationMinutes - windowOpening(window, timeZone, horizon).offsetMinutes;
  if (rule.completionWindow <= remaining) return undefined;
  return (
    `leaves ${remaining} minutes for AWS Backup, less than its minimum completion window of ${rule.completionWindow}; ` +
    `backups would run up to ${rule.completionWindow - remaining} minutes past the window`
  );
}

export interface RestoreTestingTiming {
  readonly scheduleExpression: string;
  readonly scheduleExpressionTimezone: string;
  readonly startWindowHours: number;
}

export function restoreTestingSchedule(window: BackupWindow, timeZone: string, cadence: Cadence, horizon: DstHorizon): RestoreTestingTiming {
  const opening = windowOpening(window, timeZone, horizon);
  const remainingHours = Math.floor((window.durationMinutes - opening.offsetMinutes) / 60);
  return {
    scheduleExpression: awsCron(cadence, opening.minuteOfDay, opening.weekday),
    scheduleExpressionTimezone: timeZone,
    startWindowHours: Math.min(168, Math.max(1, remainingHours)),
  };
}

/**
 * The recovery point objective of AWS Backup: the longest gap between two
 * scheduled runs, plus the latest a run may complete after its scheduled
 * time, plus an hour for a clock change in between.
 */
export function backupRpoMinutes(window: BackupWindow, timeZone: string, cadence: Cadence, horizon: DstHorizon): number {
  const rule = backupRule(window, timeZone, cadence, horizon);
  return CADENCE_MAX_GAP_MINUTES[cadence] + rule.completionWindow + CLOCK_CHANGE_MINUTES;
}
