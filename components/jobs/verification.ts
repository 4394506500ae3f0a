/**
 * The endpoint check after each maintenance window: when it runs and what its
 * container runs. verify-endpoints.sh checks every configured endpoint's
 * status and latency, sends a completion notice to the webhook and fails the
 * Job when anything is unhealthy, so the usual failed-run alert fires.
 */
import { type UpkeepConfig, POD_DEFAULTS } from "../config";
import { defaultResources, plainEnv, standardTaskEnv, type ContainerPlan, scriptPath } from "../kubernetes";
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

export function verificationContainer(task: VerificationTaskLike, options: VerificationOptions): ContainerPlan {
  const timeout = options.timeoutSeconds ?? VERIFY_TIMEOUT_SECONDS;
  const slotSeconds = task.schedule.durationMinutes * 60;
  // Requests run one after another; the Job's deadline must leave room for all of them and the notice.
  const worstCase = options.endpoints.length * timeout + NOTICE_TIMEOUT_SECONDS;
  if (worstCase > slotSeconds) {
    throw new Error(
      `${task.id}: ${options.endpoints.length} endpoints at up to ${timeout} s each, plus the notice, need ${worstCase} s, more than the ${slotSeconds}-second slot`,
    );
  }
  return {
    image: VERIFY_IMAGE,
    command: ["/bin/sh", scriptPath(options.report ? WINDOW_REPORT_SCRIPT : VERIFY_SCRIPT)],
    args: [],
    env: [
      ...standardTaskEnv({ id: task.id, kind: "verify", environment: options.environment }, task.schedule),
      ...(options.report ? [plainEnv("UPKEEP_WINDOW", options.report.window), plainEnv("UPKEEP_REPORT_TASKS", options.report.tasks)] : []),
      plainEnv("UPKEEP_ENDPOINTS", endpointsEnv(options.endpoints)),
      plainEnv("UPKEEP_TIMEOUT_SECONDS", String(timeout)),
      ...(options.webhookSecret
        ? [{ name: "UPKEEP_WEBHOOK_URL", valueFrom: { secretKeyRef: { name: options.webhookSecret.name, key: options.webhookSecret.key } } }]
        : options.alertmanager
          ? [plainEnv("UPKEEP_ALERTMANAGER_URL", options.alertmanager.url), plainEnv("UPKEEP_NAMESPACE", options.alertmanager.namespace)]
          : []),
    ],
    resources: defaultResources(),
    runAsUser: POD_DEFAULTS.runAsUser,
  };
}
