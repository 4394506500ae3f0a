/**
 * The environment's whole calendar: CronJobs, the runs other systems
 * schedule (renewal windows, rotations, backups), then reminders and notices.
 */
import { backupCalendar, backupSchedules } from "../backups";
import { buildCalendar, buildExternalCalendar, buildRoutineCalendar, type CalendarEntry } from "../calendar";
import { renewalCalendar, rotationCalendar } from "../certificates";
import type { UpkeepConfig } from "../config";
import type { RoutineReminder, StakeholderNotice } from "../routine";
import { DIGEST_TASK_ID, type MaintenanceTask } from "../tasks";

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
    // On Kubernetes only, the digest and the notices are CronJobs: the notices are in the task list above.
    ...(config.aws.enabled
      ? buildRoutineCalendar(env.timezone, config.reviews.at, reminders, notices, {
          reminders: `the daily digest: EventBridge Scheduler to SNS upkeep-${env.name}-warning`,
          notices: `EventBridge Scheduler to SNS upkeep-${env.name}-info`,
        })
      : buildRoutineCalendar(env.timezone, config.reviews.at, reminders, [], {
          reminders: `the daily digest: Kubernetes CronJob ${config.kubernetes.namespace}/${DIGEST_TASK_ID}`,
          notices: "",
        })),
  ];
}
