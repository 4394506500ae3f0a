/** The severity of a task's alerts: its own when the stack sets one (`jobs[].severity`), else the tier's. */
import type { Severity } from "../config";
import type { MaintenanceTask } from "./maintenanceTasks";

export function taskSeverity(task: MaintenanceTask, tierSeverity: Severity): Severity {
  return task.kind === "custom" && task.job.severity !== undefined ? task.job.severity : tierSeverity;
}
