/**
 * Config and schedule are checked together, before any resource exists: a
 * task that does not fit its window is as much a config error as a typo.
 * Errors leave as pulumi.RunError, which Pulumi prints without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { backupWindowProblem } from "../backups";
import { renewalWindowProblem, credentialWindowProblems, expiryWarningProblems } from "../certificates";
import { ConfigError, formatPath, type UpkeepConfig, loadConfig, SCHEDULE_DEFAULTS } from "../config";
import { kubernetesFeatureUses } from "../jobs";
import { versionProblems } from "../kubernetes";
import { dstHorizon, ScheduleError, weekPlan, type WeekPlan } from "../schedule";
import { planTasks, scheduleWindowOf, type MaintenanceTask } from "../tasks";

export interface LoadedEnvironment {
  readonly config: UpkeepConfig;
  readonly tasks: readonly MaintenanceTask[];
  /** Each window day: where the tasks sit, what the clock change keeps clear, how full it is. */
  readonly week: WeekPlan;
  /** The one "now" of this run: clock-change horizons and measured gaps start here. */
  readonly now: Date;
}

export const INVALID_CONFIG_HEADER = "upkeep: invalid configuration:";

export function loadEnvironment(now: Date = new Date()): LoadedEnvironment {
  try {
    const config = loadConfig();
    const options = { fromYear: now.getUTCFullYear() };
    const rotationProblems = credentialWindowProblems(config.credentials, config.environment.window, config.environment.timezone, options);
    const renewalProblems = config.certificates.kubernetes.flatMap((cert, i) => {
      const reason = renewalWindowProblem(cert, config.environment.window);
      return reason ? [{ path: formatPath(["certificates", "kubernetes", i, "renewInWindow"]), reason }] : [];
    });
    const backupProblem = config.backups.aws
      ? backupWindowProblem(config.environment.window, config.environment.timezone, dstHorizon(options))
      : undefined;
    const backupProblems = backupProblem ? [{ path: formatPath(["environment", "window", "durationMinutes"]), reason: `${backupProblem}; lengthen the window to fit AWS Backup` }] : [];
    const expiryProblems = expiryWarningProblems(config.certificates.kubernetes, config.certificates.expiryWarningDays, config.environment.window);
    const problems = [...rotationProblems, ...renewalProblems, ...expiryProblems, ...backupProblems];
    if (problems.length > 0) throw new ConfigError(problems);
    const tasks = planTasks(config, options);
    // What the tasks' objects need from the API server, against the cluster the stack declares.
    const tooNew = versionProblems(config.kubernetes.version, kubernetesFeatureUses(tasks));
    if (tooNew.length > 0) throw new ConfigError(tooNew);
    const week = weekPlan(scheduleWindowOf(config), tasks.map((t) => t.schedule), dstHorizon(options), SCHEDULE_DEFAULTS.gapMinutes);
    return { config, tasks, week, now };
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ScheduleError) {
      throw new pulumi.RunError(`${INVALID_CONFIG_HEADER}\n${e.message}`);
    }
    throw e;
  }
}
