/**
 * Kubernetes only (`upkeep:aws.enabled: false`): what EventBridge Scheduler
 * and AWS Config do elsewhere becomes tasks, so each is a hardened CronJob
 * with its three alerts, a calendar entry and a runbook like any other:
 * - `routine-digest`: every working day at `reviews.at`, one message with
 *   the checks due that day (the script decides which, from the local date:
 *   Kubernetes cron cannot say "the first Monday of the month");
 * - `stakeholder-notice-<days>`: at `reviews.at` on the working day of
 *   noticeTiming.ts, before the windows it announces;
 * - `kubernetes-version-check`: daily in the window, the API server's
 *   /version against `kubernetes.oldestSupportedVersion`.
 */
import { formatPath, type UpkeepConfig } from "../config";
import { hhmmToMinute, noticeSlots, WEEKDAYS, type DstHorizon, type ScheduledTask, type TaskRequest, type Weekday } from "../schedule";
import { routineChecks, VERSION_CHECK_TASK_ID, type RoutineCheck } from "./routineChecks";

export const DIGEST_TASK_ID = "routine-digest";
/** Posting one message takes seconds; five minutes is the smallest slot a task may have. */
const ROUTINE_SLOT_MINUTES = 5;

export const noticeTaskId = (windows: readonly Weekday[]): string => `stakeholder-notice-${windows.join("-")}`;

interface RoutineTaskCommon {
  readonly id: string;
  readonly title: string;
  readonly configPath: string;
  readonly schedule: ScheduledTask;
}

export interface DigestTask extends RoutineTaskCommon {
  readonly kind: "digest";
  /** The checks people do, each on its cadence: what the digest can list. */
  readonly checks: readonly RoutineCheck[];
}

export interface NoticeTask extends RoutineTaskCommon {
  readonly kind: "notice";
  /** The window days it announces. */
  readonly windows: readonly Weekday[];
}

export interface VersionCheckTask extends RoutineTaskCommon {
  readonly kind: "version-check";
  readonly oldestSupportedVersion: string;
}

export type RoutineTask = DigestTask | NoticeTask | VersionCheckTask;

export interface RoutinePending {
  readonly request: TaskRequest;
  readonly build: (schedule: ScheduledTask) => RoutineTask;
}

/** A five-field cron at `at` on the given days of the week (`1-5`, `4`). */
function cronAt(at: string, days: string): string {
  const minute = hhmmToMinute(at);
  return `${minute % 60} ${Math.floor(minute / 60)} * * ${days}`;
}

/** The Kubernetes-only routine tasks of the config; none while the stack uses AWS. */
export function routineTaskRequests(config: UpkeepConfig, horizon: DstHorizon): RoutinePending[] {
  if (config.aws.enabled) return [];
  const out: RoutinePending[] = [];
  const oldest = config.kubernetes.oldestSupportedVersion;
  if (oldest !== undefined) {
    const path = formatPath(["kubernetes", "oldestSupportedVersion"]);
    out.push({
      request: { id: VERSION_CHECK_TASK_ID, cadence: "daily", durationMinutes: ROUTINE_SLOT_MINUTES, path },
      build: (schedule) => ({ id: VERSION_CHECK_TASK_ID, kind: "version-check", title: `Check the cluster runs Kubernetes ${oldest} or newer`, configPath: path, schedule, oldestSupportedVersion: oldest }),
    });
  }
  const at = config.reviews.at;
  const checks = routineChecks(config).filter((c) => c.mechanism === undefined);
  if (checks.length > 0) {
    const path = formatPath(["reviews"]);
    out.push({
      request: { id: DIGEST_TASK_ID, schedule: cronAt(at, "1-5"), outsideWindow: true, durationMinutes: ROUTINE_SLOT_MINUTES, path },
      build: (schedule) => ({ id: DIGEST_TASK_ID, kind: "digest", title: "Send the routine checks due today", configPath: path, schedule, checks }),
    });
  }
  const { window, timezone } = config.environment;
  for (const slot of noticeSlots(window, timezone, config.notify.noticeHours, at, horizon)) {
    const id = noticeTaskId(slot.windows);
    const path = formatPath(["notify", "noticeHours"]);
    out.push({
      request: { id, schedule: cronAt(at, String(WEEKDAYS.indexOf(slot.day))), outsideWindow: true, durationMinutes: ROUTINE_SLOT_MINUTES, path },
      build: (schedule) => ({ id, kind: "notice", title: `Notify stakeholders of the ${slot.windows.join(" and ")} maintenance window`, configPath: path, schedule, windows: slot.windows }),
    });
  }
  return out;
}
