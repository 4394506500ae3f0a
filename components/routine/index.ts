/**
 * The seed's routine: every recurring check either done by upkeep or sent to people as a
 * reminder, plus the stakeholder notices before each window, as EventBridge Scheduler schedules.
 */
export {
  routinePlan,
  type RoutineReminder,
  routineReminders,
  routineRunbookPage,
  type StakeholderNotice,
  stakeholderNotices,
} from "./reminders";
export { schedulerNextRuns, schedulerRrule } from "./schedulerCron";
export { RoutineSchedules } from "./schedules";
