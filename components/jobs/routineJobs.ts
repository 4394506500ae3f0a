/**
 * Kubernetes only: what the routine CronJobs run. The digest and the notices
 * post their message (built at plan time, the same text the Scheduler path
 * sends) to the webhook, or fire it as an info alert through Alertmanager;
 * the version check reads the API server's /version with a projected
 * ServiceAccount token. Every pod keeps upkeep's hardening: the token is a
 * projected volume of this one pod, not the automounted one, and no RBAC
 * object is needed (system:public-info-viewer lets every authenticated
 * identity GET /version).
 */
import type * as k8s from "@pulumi/kubernetes";
import { POD_DEFAULTS } from "../config";
import { defaultResources, plainEnv, secretEnv, standardTaskEnv, type ContainerPlan, type EnvVar, type PodExtras, scriptPath } from "../kubernetes";
import type { DigestTask, NoticeTask, VersionCheckTask } from "../tasks";
import { VERIFY_IMAGE } from "./verification";

/** busybox sh and curl; the same pinned image as the endpoint verification. */
export const ROUTINE_IMAGE = VERIFY_IMAGE;
export const API_TOKEN_DIR = "/var/run/secrets/upkeep";
/** A short-lived token: the check needs it for one request. */
export const API_TOKEN_SECONDS = 600;

/** Where a routine message goes: the webhook Secret, else Alertmanager. */
export interface RoutineDelivery {
  readonly environment: string;
  readonly namespace: string;
  readonly webhookSecret?: { readonly name: string; readonly key: string };
  readonly alertmanagerUrl?: string;
}

/** The digest texts by kind of working day (`routineDigests`); a kind with nothing due is absent. */
export type DigestMessages = Partial<Record<"tue-fri" | "mon" | "mon-first" | "mon-first-quarter", string>>;

/** Where the message goes (UPKEEP_ENVIRONMENT comes with standardTaskEnv). */
export function deliveryEnv(delivery: RoutineDelivery): EnvVar[] {
  return [
    plainEnv("UPKEEP_NAMESPACE", delivery.namespace),
    ...(delivery.webhookSecret
      ? [secretEnv("UPKEEP_WEBHOOK_URL", delivery.webhookSecret.name, delivery.webhookSecret.key)]
      : delivery.alertmanagerUrl !== undefined
        ? [plainEnv("UPKEEP_ALERTMANAGER_URL", delivery.alertmanagerUrl)]
        : []),
  ];
}

const routineContainer = (command: string, env: EnvVar[]): ContainerPlan => ({
  image: ROUTINE_IMAGE,
  command: ["/bin/sh", scriptPath(command)],
  args: [],
  env,
  resources: defaultResources(),
  runAsUser: POD_DEFAULTS.runAsUser,
});

export function digestContainer(task: DigestTask, messages: DigestMessages, utcOffsetMinutes: number, delivery: RoutineDelivery): ContainerPlan {
  return routineContainer("routine-digest.sh", [
    ...standardTaskEnv({ id: task.id, kind: task.kind, environment: delivery.environment }, task.schedule),
    ...deliveryEnv(delivery),
    plainEnv("UPKEEP_UTC_OFFSET_MINUTES", String(utcOffsetMinutes)),
    plainEnv("UPKEEP_DIGEST_TUE_FRI", messages["tue-fri"] ?? ""),
    plainEnv("UPKEEP_DIGEST_MON", messages.mon ?? ""),
    plainEnv("UPKEEP_DIGEST_MON_FIRST", messages["mon-first"] ?? ""),
    plainEnv("UPKEEP_DIGEST_MON_FIRST_QUARTER", messages["mon-first-quarter"] ?? ""),
  ]);
}

export function noticeContainer(task: NoticeTask, message: string, delivery: RoutineDelivery): ContainerPlan {
  return routineContainer("stakeholder-notice.sh", [
    ...standardTaskEnv({ id: task.id, kind: task.kind, environment: delivery.environment }, task.schedule),
    ...deliveryEnv(delivery),
    plainEnv("UPKEEP_NOTICE_MESSAGE", message),
  ]);
}

export function versionCheckContainer(task: VersionCheckTask, environment: string): ContainerPlan {
  return routineContainer("k8s-version-check.sh", [
    ...standardTaskEnv({ id: task.id, kind: task.kind, environment }, task.schedule),
    plainEnv("UPKEEP_OLDEST_SUPPORTED_VERSION", task.oldestSupportedVersion),
    plainEnv("UPKEEP_SERVICE_ACCOUNT_DIR", API_TOKEN_DIR),
  ]);
}

/** The projected token (this pod's ServiceAccount, 10 minutes) and the cluster CA, read-only at API_TOKEN_DIR. */
export function versionCheckPod(): PodExtras {
  const volume: k8s.types.input.core.v1.Volume = {
    name: "api-token",
    projected: {
      // Readable by the pod's non-root user without an fsGroup; the pod has this one container.
      defaultMode: 0o444,
      sources: [
        { serviceAccountToken: { path: "token", expirationSeconds: API_TOKEN_SECONDS } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      ],
    },
  };
  return { volumes: [volume], volumeMounts: [{ name: "api-token", mountPath: API_TOKEN_DIR, readOnly: true }] };
}
