/**
 * The environment's maintenance as one flat list of scheduled tasks, so the CronJobs, the
 * alerts and the calendar can never disagree about what runs when.
 */
export {
  type CustomTask,
  type DatabaseTask,
  dstHorizon,
  type DumpVerifyTask,
  isCustomTask,
  isDatabaseTask,
  isDumpVerifyTask,
  isTlsCheckTask,
  isVerifyTask,
  type MaintenanceTask,
  planTasks,
  scheduleWindowOf,
  type TaskRecord,
  taskRecords,
  VERIFY_TASK_ID,
} from "./maintenanceTasks";
export { taskSeverity } from "./severity";
