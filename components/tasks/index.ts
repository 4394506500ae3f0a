/**
 * The environment's maintenance as one flat list of scheduled tasks, so the CronJobs, the
 * alerts and the calendar can never disagree about what runs when.
 */
export {
  type CustomTask,
  type DatabaseTask,
  type DumpVerifyTask,
  isCustomTask,
  isDatabaseTask,
  isDumpVerifyTask,
  isRoutineTask,
  isTlsCheckTask,
  isVerifyTask,
  type MaintenanceTask,
  planTasks,
  scheduleWindowOf,
  type TaskRecord,
  taskRecords,
  type VerifyTask,
} from "./maintenanceTasks";
export { taskSeverity } from "./severity";
export { routineChecks, type RoutineCheck } from "./routineChecks";
export { DIGEST_TASK_ID, type DigestTask, type NoticeTask, type RoutineTask, type VersionCheckTask } from "./routineTasks";
