/**
 * An environment paused or unpaused. `paused` suspends every CronJob and
 * disables every EventBridge schedule, so one line per direction, with the
 * counts, says it better than a line per resource.
 */
import type { ResourceDiff } from "../compare";
import { at } from "../paths";
import { CRONJOB_TYPE, SCHEDULE_TYPE } from "./resources";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function pauseDangers(diff: ResourceDiff, environment: string): string[] {
  let suspended = 0;
  let resumed = 0;
  let disabled = 0;
  let enabled = 0;
  for (const { before, after } of diff.changed) {
    if (after.type === CRONJOB_TYPE) {
      const was = at(before.inputs, "spec", "suspend") === true;
      const is = at(after.inputs, "spec", "suspend") === true;
      if (!was && is) suspended++;
      if (was && !is) resumed++;
    } else if (after.type === SCHEDULE_TYPE) {
      // EventBridge Scheduler's default state is ENABLED.
      const was = (at(before.inputs, "state") ?? "ENABLED") === "DISABLED";
      const is = (at(after.inputs, "state") ?? "ENABLED") === "DISABLED";
      if (!was && is) disabled++;
      if (was && !is) enabled++;
    }
  }
  const lines: string[] = [];
  if (suspended + disabled > 0) {
    lines.push(`Environment \`${environment}\` paused: ${plural(suspended, "CronJob", "CronJobs")} suspended, ${plural(disabled, "schedule", "schedules")} disabled`);
  }
  if (resumed + enabled > 0) {
    lines.push(`Environment \`${environment}\` unpaused: ${plural(resumed, "CronJob", "CronJobs")} resumed, ${plural(enabled, "schedule", "schedules")} enabled`);
  }
  return lines;
}
