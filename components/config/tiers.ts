/**
 * What a tier changes. Everything else is the same in every environment, so
 * a staging run is a faithful rehearsal of production.
 */
import type { SslMode } from "./databases";
import type { Tier } from "./validators";

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface TierDefaults {
  /** CronJob spec.successfulJobsHistoryLimit. */
  readonly successfulJobsHistoryLimit: number;
  /** CronJob spec.failedJobsHistoryLimit: failed Jobs are kept so that their alert stays visible. */
  readonly failedJobsHistoryLimit: number;
  /** Job spec.backoffLimit: retries inside one slot. */
  readonly backoffLimit: number;
  /** The severity label on every alert of the tier. */
  readonly alertSeverity: Severity;
  /** Whether stateful resources (the namespace) carry `protect: true`. */
  readonly protect: boolean;
  /**
   * libpq sslmode of a database that sets none. Development: `prefer`, libpq's
   * own default, so a local database without TLS still connects (and TLS is
   * used whenever the server offers it); elsewhere `require`.
   */
  readonly databaseSslMode: SslMode;
}

export const TIER_DEFAULTS: Readonly<Record<Tier, TierDefaults>> = Object.freeze({
  development: { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1, backoffLimit: 0, alertSeverity: "info", protect: false, databaseSslMode: "prefer" },
  staging: { successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3, backoffLimit: 1, alertSeverity: "warning", protect: false, databaseSslMode: "require" },
  production: { successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 5, backoffLimit: 2, alertSeverity: "critical", protect: true, databaseSslMode: "require" },
});

/**
 * Defaults that do not vary by tier. The gap between tasks is larger than the
 * starting deadline, so a Job that starts late still ends before the next
 * task's slot begins.
 */
export const SCHEDULE_DEFAULTS = Object.freeze({
  gapMinutes: 5,
  startingDeadlineSeconds: 120,
  missedRunGraceMinutes: 60,
});

export const POD_DEFAULTS = Object.freeze({
  runAsUser: 10001,
  requests: { cpu: "50m", memory: "64Mi" },
  limits: { cpu: "1", memory: "512Mi" },
  tmpSizeLimit: "256Mi",
});
