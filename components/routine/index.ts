/**
 * The seed's routine: every recurring check either done by upkeep or listed for people in the
 * daily digest, plus the stakeholder notices before each window. With AWS they are EventBridge
 * Scheduler schedules; on Kubernetes only, CronJobs (tasks/, jobs/) carry the same messages.
 */
export { DIGEST_DAYS, DIGEST_KINDS, type DigestKind, digestMessage, type RoutineDigest, routineDigests } from "./digest";
export {
  DUE_WHEN,
  reminderExpression,
  routinePlan,
  type RoutineReminder,
  routineReminders,
  routineRunbookPage,
  type StakeholderNotice,
  stakeholderNotices,
} from "./reminders";
export { schedulerNextRuns, schedulerRrule } from "./schedulerCron";
export { digestScheduleKeys, RoutineSchedules } from "./schedules";
