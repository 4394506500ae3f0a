/**
 * Backups proved by restoring them: the AWS Backup vault, plan, selection and restore testing,
 * scheduled inside the maintenance window, with their alarms.
 */
export { AwsBackups, backupCalendar, backupSchedules } from "./awsBackups";
export { backupWindowProblem } from "./schedule";
