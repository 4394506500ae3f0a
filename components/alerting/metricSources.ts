/**
 * Every metric upkeep's dashboard and alerts read, by who produces it. A
 * query that names anything else shows "No data" forever without an error;
 * test/dashboard.test.ts parses every query and holds it to these lists.
 */

/**
 * The maintenance record: what each task pushes to the Pushgateway (the
 * contract in issue 14's METRICS.md). Series carry `job="upkeep"`,
 * `environment`, `task` and `kind`.
 */
export const RECORD_METRICS = Object.freeze([
  "upkeep_task_last_run_timestamp_seconds",
  "upkeep_task_last_success_timestamp_seconds",
  "upkeep_task_outcome",
  "upkeep_task_duration_seconds",
  "upkeep_cleanup_rows_deleted",
  "upkeep_cleanup_rows_remaining",
  "upkeep_cleanup_backlog_runs",
  "upkeep_reindex_indexes_rebuilt",
  "upkeep_reindex_leftovers_dropped",
  "upkeep_vacuum_tables_done",
  "upkeep_vacuum_tables_skipped",
  "upkeep_dump_age_seconds",
  "upkeep_dump_restore_seconds",
  "upkeep_dump_check_passed",
  "upkeep_endpoint_certificate_days_left",
  "upkeep_endpoint_up",
  "upkeep_endpoint_latency_seconds",
] as const);

/**
 * kube-state-metrics series upkeep reads, with the release that introduced
 * each (from its CHANGELOG and the collectors at each tag). upkeep needs
 * v2.5.0; v2.15.0 computes kube_cronjob_next_schedule_time in the CronJob's
 * spec.timeZone (earlier releases in UTC, which shows the wrong next run).
 */
export const KUBE_STATE_METRICS: Readonly<Record<string, { readonly since: string; readonly note?: string }>> = Object.freeze({
  kube_cronjob_created: { since: "v1.1.0" },
  kube_cronjob_info: { since: "v1.0.0", note: "its timezone label from v2.15.0" },
  kube_cronjob_next_schedule_time: { since: "v1.0.0", note: "in the CronJob's spec.timeZone from v2.15.0" },
  kube_cronjob_spec_suspend: { since: "v1.0.0" },
  kube_cronjob_status_active: { since: "v1.0.0" },
  kube_cronjob_status_last_successful_time: { since: "v2.5.0" },
  kube_job_failed: { since: "v1.0.0" },
  kube_job_status_active: { since: "v1.0.0" },
  kube_job_status_completion_time: { since: "v1.0.0" },
  kube_job_status_start_time: { since: "v1.0.0" },
});

/** The kube-state-metrics release every metric above needs. */
export const KUBE_STATE_METRICS_MINIMUM = "v2.5.0";

/** cert-manager's controller metrics, which the certificate alerts read. */
export const CERT_MANAGER_METRICS = Object.freeze(["certmanager_certificate_expiration_timestamp_seconds", "certmanager_certificate_ready_status"] as const);

/** What Prometheus itself makes from upkeep's alerting rules. */
export const RULE_SERIES = Object.freeze(["ALERTS"] as const);
