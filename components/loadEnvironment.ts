/**
 * Config and schedule are checked together, before any resource exists: a
 * task that does not fit its window is as much a config error as a typo.
 * Errors leave as pulumi.RunError, which Pulumi prints without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type UpkeepConfig } from "./config";
import { loadConfig } from "./loadConfig";
import { ScheduleError } from "./schedule/engine";
import { windowFill, type WindowFill } from "./schedule/usage";
import { dstHorizon, planTasks, scheduleWindowOf, type MaintenanceTask } from "./tasks";

export interface LoadedEnvironment {
  readonly config: UpkeepConfig;
  readonly tasks: readonly MaintenanceTask[];
  /** How full each window day is. */
  readonly windowFill: readonly WindowFill[];
}

export const INVALID_CONFIG_HEADER = "upkeep: invalid configuration:";

export function loadEnvironment(now: Date = new Date()): LoadedEnvironment {
  try {
    const config = loadConfig();
    const options = { fromYear: now.getUTCFullYear() };
    const tasks = planTasks(config, options);
    const fill = windowFill(scheduleWindowOf(config), tasks.map((t) => t.schedule), dstHorizon(options));
    return { config, tasks, windowFill: fill };
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ScheduleError) {
      throw new pulumi.RunError(`${INVALID_CONFIG_HEADER}\n${e.message}`);
    }
    throw e;
  }
}
