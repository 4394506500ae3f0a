/**
 * The front door of the schedule engine, the lowest layer: cron fields, clock
 * changes, placing tasks in the window, and describing what was placed. It
 * imports no other concern.
 */
export { verificationTime, type VerificationTime } from "./afterWindow";
export { CronSyntaxError, firingMinutesOfDay, firingWeekdays, parseCron, type CronField, type ParsedCron } from "./cronFields";
export { describeSchedule, isoInZone, nextRuns, passesGuard } from "./describe";
export { clockChanges, clockChangeWeekdays, describeClockChanges, type ClockChange } from "./clockBands";
export { dstHorizon, DST_HORIZON_YEARS, instantOf, localTime, offsetMinutes, offsetTransitions, unsafeLocalRanges, type DstHorizon, type LocalTime, type MinuteRange } from "./dst";
export {
  describeWindow,
  type Displacement,
  hhmmToMinute,
  minuteToHhmm,
  planSchedule,
  ScheduleError,
  type CadenceTask,
  type PeriodGuard,
  type ScheduledTask,
  type ScheduleOptions,
  type ScheduleWindow,
  type TaskRequest,
} from "./engine";
export { longestGapSeconds } from "./gaps";
export { noticeSlots, type NoticeSlot, type NoticeWindow } from "./noticeTiming";
export { CADENCES, QUARTER_MONTHS, WEEKDAYS, type Cadence, type Weekday } from "./terms";
export { instanceDays, weekPlan, type ClockBand, type WeekPlan, type WeekSlot, type WindowDay } from "./week";
