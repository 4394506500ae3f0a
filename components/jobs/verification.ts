/**
 * The endpoint check after each maintenance window: when it runs and what its
 * container runs. verify-endpoints.sh checks every configured endpoint's
 * status and latency, sends a completion notice to the webhook and fails the
 * Job when anything is unhealthy, so the usual failed-run alert fires. With a
 * Pushgateway, window-report.sh runs it and sends the window report as the
 * notice instead; with AWS, reportPublisher.ts adds the steps that publish it.
 */
import { type UpkeepConfig, POD_DEFAULTS } from "../config";
import { defaultResources, plainEnv, secretEnv, standardTaskEnv, type ContainerPlan, type EnvVar, scriptPath } from "../kubernetes";
import type { ScheduledTask } from "../schedule";
import { WINDOW_REPORT_SCRIPT } from "./windowReport";

export type EndpointConfig = UpkeepConfig["endpoints"][number];

export const VERIFY_IMAGE = "docker.io/curlimages/curl:8.11.1";
export const VERIFY_SCRIPT = "verify-endpoints.sh";
/** Per-request limit the script applies (`curl --max-time`). */
export const VERIFY_TIMEOUT_SECONDS = 10;
/** The script's own limit for posting the completion notice. */
const NOTICE_TIMEOUT_SECONDS = 10;

/** What the container needs of its task: the same fields every task's env carries. */
export interface VerificationTaskLike {
  readonly id: string;
  readonly schedule: Pick<ScheduledTask, "cadence" | "timeZone" | "durationMinutes"> & Partial<Pick<ScheduledTask, "cron">>;
}

export interface VerificationOptions {
  /** The environment's name, for the notice text and the outcome line. */
  readonly environment: string;
  readonly endpoints: readonly EndpointConfig[];
  /** The Secret and key holding the webhook URL. */
  readonly webhookSecret?: { readonly name: string; readonly key: string };
  /** Kubernetes only, without a webhook: the notice fires as an info alert here; no notice without either. */
  readonly alertmanager?: { readonly url: string; readonly namespace: string };
  readonly timeoutSeconds?: number;
  /**
   * With a Pushgateway: build the window report after verifying (window-report.sh)
   * and send it as the completion notice. `window` and `tasks` as windowEnv and
   * reportTasksEnv write them.
   */
  readonly report?: { readonly window: string; readonly tasks: string };
}

const ENTRY_URL = /^https?:\/\/[^\s|]+$/;

/** `expectStatus|maxLatencyMs|url …`, the format verify-endpoints.sh reads. */
export function endpointsEnv(endpoints: readonly EndpointConfig[]): string {
  return endpoints
    .map((e) => {
      // Config validation already ensures this; a space here would split the entry in the script.
      if (!ENTRY_URL.test(e.url)) throw new Error(`endpoint URL must be http(s) without spaces or "|": ${JSON.stringify(e.url)}`);
      return `${e.expectStatus}|${e.maxLatencyMs}|${e.url}`;
    })
    .join(" ");
}

/** Reading the Pushgateway for the report: three tries of 5 s, 1 s and 2 s apart (record.sh). */
export const REPORT_READ_SECONDS = 3 * 5 + 3;
/**
 * Publishing with AWS (report-publish.sh): three calls (the topic, two
 * objects), each at most two attempts of a 3-second connect and a 7-second
 * read (AWS_MAX_ATTEMPTS, --cli-connect-timeout, --cli-read-timeout).
 */
export const PUBLISH_SECONDS = 3 * 2 * (3 + 7);

/** The slot must hold every request, the notice and, with a report, its reading and publishing. */
export function checkVerificationFits(task: VerificationTaskLike, endpoints: number, timeout: number, parts: { readonly report: boolean; readonly publish: boolean }): void {
  const slotSeconds = task.schedule.durationMinutes * 60;
  // Requests run one after another; the Job's deadline must leave room for all of them and the notice.
  const worstCase = endpoints * timeout + NOTICE_TIMEOUT_SECONDS + (parts.report ? REPORT_READ_SECONDS : 0) + (parts.publish ? PUBLISH_SECONDS : 0);
  if (worstCase > slotSeconds) {
    const extra = [...(parts.report ? ["the report's reading"] : []), ...(parts.publish ? ["its publishing"] : [])];
    throw new Error(
      `${task.id}: ${endpoints} endpoints at up to ${timeout} s each, plus the notice${extra.map((e) => `, ${e}`).join("")}, need ${worstCase} s, more than the ${slotSeconds}-second slot`,
    );
  }
}

/** Where the completion notice goes: the webhook Secret, else (Kubernetes only) Alertmanager; neither: no notice from the pod. */
export function noticeEnv(options: Pick<VerificationOptions, "webhookSecret" | "alertmanager">): EnvVar[] {
  if (options.webhookSecret) return [secretEnv("UPKEEP_WEBHOOK_URL", options.webhookSecret.name, options.webhookSecret.key)];
  if (options.alertmanager) return [plainEnv("UPKEEP_ALERTMANAGER_URL", options.alertmanager.url), plainEnv("UPKEEP_NAMESPACE", options.alertmanager.namespace)];
  return [];
}

/** What the verification (and the report built after it) reads, in the order the container lists it. */
export function verificationEnv(task: VerificationTaskLike, options: VerificationOptions): EnvVar[] {
  return [
    ...standardTaskEnv({ id: task.id, kind: "verify", environment: options.environment }, task.schedule),
    ...(options.report ? [plainEnv("UPKEEP_WINDOW", options.report.window), plainEnv("UPKEEP_REPORT_TASKS", options.report.tasks)] : []),
    plainEnv("UPKEEP_ENDPOINTS", endpointsEnv(options.endpoints)),
    plainEnv("UPKEEP_TIMEOUT_SECONDS", String(options.timeoutSeconds ?? VERIFY_TIMEOUT_SECONDS)),
    ...noticeEnv(options),
  ];
}

export function verificationContainer(task: VerificationTaskLike, options: VerificationOptions): ContainerPlan {
  checkVerificationFits(task, options.endpoints.length, options.timeoutSeconds ?? VERIFY_TIMEOUT_SECONDS, { report: options.report !== undefined, publish: false });
  return {
    image: VERIFY_IMAGE,
    command: ["/bin/sh", scriptPath(options.report ? WINDOW_REPORT_SCRIPT : VERIFY_SCRIPT)],
    args: [],
    env: verificationEnv(task, options),
    resources: defaultResources(),
    runAsUser: POD_DEFAULTS.runAsUser,
  };
}
