/**
 * The environment's whole calendar: CronJobs, the runs other systems
 * schedule (renewal windows, rotations, backups), then reminders and notices.
 */
import { backupCalendar, backupSchedules } from "../backups";
import { buildCalendar, buildExternalCalendar, buildRoutineCalendar, type CalendarEntry } from "../calendar";
import { renewalCalendar, rotationCalendar } from "../certificates";
import type { UpkeepConfig } from "../config";
import type { RoutineReminder, StakeholderNotice } from "../routine";
import type { MaintenanceTask } from "../tasks";

export interface EnvironmentCalendarInputs {
  readonly config: UpkeepConfig;
  readonly tasks: readonly MaintenanceTask[];
  readonly reminders: readonly RoutineReminder[];
  readonly notices: readonly StakeholderNotice[];
  readonly fromYear: number;
}

export function environmentCalendar({ config, tasks, reminders, notices, fromYear }: EnvironmentCalendarInputs): CalendarEntry[] {
  const env = config.environment;
  const backup = config.backups.aws;
  return [
    ...buildCalendar(tasks, config.kubernetes.namespace, config.alerting.pushgateway !== "off"),
    ...buildExternalCalendar([
      ...renewalCalendar(config.certificates.kubernetes, env.window, env.timezone),
      ...rotationCalendar(config.credentials, { window: env.window, timeZone: env.timezone, fromYear }),
      ...(backup ? backupCalendar(backupSchedules({ timeZone: env.timezone, window: env.window, backup, fromYear }), backup.vaultName) : []),
    ]),
    ...buildRoutineCalendar(env.name, env.timezone, config.reviews.at, reminders, notices),
  ];
}
