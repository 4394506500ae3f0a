/**
 * One task as a hardened CronJob with its own ServiceAccount. The defaults
 * are the point of this file:
 * - never two runs at once (Forbid), a starting deadline above the
 *   controller's 10-second tick, and history limits per tier;
 * - a Job deadline equal to the task's slot and a small backoff limit, and no
 *   ttlSecondsAfterFinished, which would delete a failed Job and its alert;
 * - a pod that passes Pod Security "restricted": non-root, RuntimeDefault
 *   seccomp, no privilege escalation, no capabilities, read-only root with an
 *   emptyDir at /tmp, no service-account token, requests and limits.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { hardenedSecurityContext, type ContainerPlan } from "./containers";
import { KubernetesObject } from "./kubernetesObject";
import { ANNOTATIONS, taskLabels } from "./labels";
import { describeSchedule } from "../schedule";
import { SCRIPTS_MOUNT_PATH } from "./scriptsBundle";
import type { MaintenanceTask } from "../tasks";
import { POD_DEFAULTS, SCHEDULE_DEFAULTS, type TierDefaults } from "../config";

/** The CronJob as plain JSON; Pulumi's input types accept it as it is. */
export type CronJobObject = k8s.types.input.batch.v1.CronJob & { apiVersion: "batch/v1"; kind: "CronJob"; metadata: { name: string; namespace: string } };
export type ServiceAccountObject = k8s.types.input.core.v1.ServiceAccount & { apiVersion: "v1"; kind: "ServiceAccount"; metadata: { name: string; namespace: string } };

export interface CronJobInputs {
  readonly task: MaintenanceTask;
  readonly environment: string;
  readonly paused: boolean;
  readonly namespace: string;
  readonly tier: TierDefaults;
  readonly container: ContainerPlan;
  readonly scriptsConfigMap: string;
  readonly scriptsChecksum: string;
  readonly runbookUrl: string;
  /** The environment's window, as `windowAnnotation` writes it. */
  readonly window: string;
  /** Extra pod parts for tasks that need more than one container (dump verification). */
  readonly pod?: PodExtras;
  /**
   * Where a built-in task pushes its outcome (`UPKEEP_PUSHGATEWAY_URL`); its
   * period guard asks it too. Undefined with `alerting.pushgateway: off`.
   * Custom jobs never get it: they print no outcome line.
   */
  readonly pushgatewayUrl?: string;
}

/** The variable a built-in task's script and guard read the Pushgateway's URL from. */
export const PUSHGATEWAY_ENV = "UPKEEP_PUSHGATEWAY_URL";

/**
 * Where a built-in task's outcome line goes (UPKEEP_PUSHGATEWAY_URL); its
 * period guard reads it too. What the line names (UPKEEP_ENVIRONMENT,
 * UPKEEP_KIND) every container already has from standardTaskEnv. Custom jobs
 * print no outcome line.
 */
function outcomeEnv(inputs: CronJobInputs): { name: string; value: string }[] {
  if (inputs.task.kind === "custom" || inputs.pushgatewayUrl === undefined) return [];
  return [{ name: PUSHGATEWAY_ENV, value: inputs.pushgatewayUrl }];
}

/**
 * Added to the pod as given: the builder of the extras writes init containers
 * fully hardened itself, so nothing here can weaken the pod. Volumes and the
 * main container's mounts append after the built-in `tmp` and `scripts`;
 * config validation keeps them within Pod Security "restricted".
 */
export interface PodExtras {
  readonly initContainers?: readonly k8s.types.input.core.v1.Container[];
  readonly volumes?: readonly k8s.types.input.core.v1.Volume[];
  readonly volumeMounts?: readonly k8s.types.input.core.v1.VolumeMount[];
  /** On the task's ServiceAccount, e.g. `eks.amazonaws.com/role-arn` for IRSA. */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /** On the CronJob, its Jobs and pods; upkeep's own labels take precedence. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The `/tmp` emptyDir's sizeLimit; else POD_DEFAULTS.tmpSizeLimit. */
  readonly tmpSizeLimit?: string;
  /** Names of Secrets of type dockerconfigjson in the namespace. */
  readonly imagePullSecrets?: readonly string[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly k8s.types.input.core.v1.Toleration[];
  readonly affinity?: k8s.types.input.core.v1.Affinity;
}

/**
 * What every container of a task's pod mounts first: the writable `/tmp`
 * (the root filesystem is read-only) and the scripts, read-only. The pod
 * below holds both volumes; init containers built elsewhere add theirs after.
 */
export function taskVolumeMounts(): k8s.types.input.core.v1.VolumeMount[] {
  return [
    { name: "tmp", mountPath: "/tmp" },
    { name: "scripts", mountPath: SCRIPTS_MOUNT_PATH, readOnly: true },
  ];
}

/** Where the pod may run and how its images are pulled; absent keys stay absent. */
function placement(pod: PodExtras | undefined) {
  if (!pod) return {};
  return {
    ...(pod.imagePullSecrets?.length ? { imagePullSecrets: pod.imagePullSecrets.map((name) => ({ name })) } : {}),
    ...(pod.nodeSelector && Object.keys(pod.nodeSelector).length > 0 ? { nodeSelector: { ...pod.nodeSelector } } : {}),
    ...(pod.tolerations?.length ? { tolerations: pod.tolerations.map((t) => ({ ...t })) } : {}),
    ...(pod.affinity ? { affinity: pod.affinity } : {}),
  };
}

function identity(task: MaintenanceTask) {
  return { id: task.id, kind: task.kind, cadence: task.schedule.cadence };
}

export function buildServiceAccount(inputs: CronJobInputs): ServiceAccountObject {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: inputs.task.id,
      namespace: inputs.namespace,
      labels: taskLabels(inputs.environment, identity(inputs.task)),
      ...(inputs.pod?.serviceAccountAnnotations ? { annotations: { ...inputs.pod.serviceAccountAnnotations } } : {}),
    },
    automountServiceAccountToken: false,
  };
}

export function buildCronJob(inputs: CronJobInputs): CronJobObject {
  const { task, container } = inputs;
  const labels = { ...inputs.pod?.labels, ...taskLabels(inputs.environment, identity(task)) };
  const annotations = {
    [ANNOTATIONS.schedule]: describeSchedule(task.schedule),
    [ANNOTATIONS.scriptsChecksum]: inputs.scriptsChecksum,
    [ANNOTATIONS.runbook]: inputs.runbookUrl,
    [ANNOTATIONS.configPath]: task.configPath,
    [ANNOTATIONS.window]: inputs.window,
    ...(task.schedule.outsideWindow ? { [ANNOTATIONS.outsideWindow]: "true" } : {}),
  };
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: task.id, namespace: inputs.namespace, labels, annotations },
    spec: {
      schedule: task.schedule.cron,
      timeZone: task.schedule.timeZone,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: SCHEDULE_DEFAULTS.startingDeadlineSeconds,
      suspend: inputs.paused,
      successfulJobsHistoryLimit: inputs.tier.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: inputs.tier.failedJobsHistoryLimit,
      jobTemplate: {
        metadata: { labels, annotations },
        spec: {
          backoffLimit: inputs.tier.backoffLimit,
          activeDeadlineSeconds: task.schedule.durationMinutes * 60,
          template: {
            metadata: { labels, annotations },
            spec: {
              serviceAccountName: task.id,
              automountServiceAccountToken: false,
              restartPolicy: "Never",
              securityContext: {
                runAsNonRoot: true,
                runAsUser: container.runAsUser,
                runAsGroup: container.runAsUser,
                seccompProfile: { type: "RuntimeDefault" },
              },
              ...placement(inputs.pod),
              ...(inputs.pod?.initContainers ? { initContainers: [...inputs.pod.initContainers] } : {}),
              containers: [
                {
                  name: "task",
                  image: container.image,
                  imagePullPolicy: "IfNotPresent",
                  ...(container.command.length > 0 ? { command: [...container.command] } : {}),
                  ...(container.args.length > 0 ? { args: [...container.args] } : {}),
                  env: [...container.env.map((e) => ({ ...e })), ...outcomeEnv(inputs)],
                  resources: {
                    requests: { ...container.resources.requests },
                    limits: { ...container.resources.limits },
                  },
                  securityContext: hardenedSecurityContext(),
                  volumeMounts: [...taskVolumeMounts(), ...(inputs.pod?.volumeMounts ?? [])],
                },
              ],
              volumes: [
                { name: "tmp", emptyDir: { sizeLimit: inputs.pod?.tmpSizeLimit ?? POD_DEFAULTS.tmpSizeLimit } },
                { name: "scripts", configMap: { name: inputs.scriptsConfigMap, defaultMode: 0o444 } },
                ...(inputs.pod?.volumes ?? []),
              ],
            },
          },
        },
      },
    },
  };
}

/** The component every task's CronJob belonged to before 0.2. */
const FORMER_TASK_COMPONENT = "upkeep:kubernetes:MaintenanceCronJob";

/**
 * Where a task's object lived before 0.2, as a whole URN. A literal URN, not
 * an alias naming its parent: the SDK then builds no URN from the parent's
 * outputs, which at a thousand tasks would be most of an alias's cost.
 */
export function formerTaskUrn(type: string, name: string, formerOwnerType: string | undefined): string {
  const chain = [...(formerOwnerType ? [formerOwnerType] : []), FORMER_TASK_COMPONENT, type].join("$");
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${chain}::${name}`;
}

/**
 * The task's ServiceAccount and hardened CronJob, registered as children of
 * the component that owns the task (its database, or the environment's
 * scheduled jobs). Not a component of its own: a thousand tasks would be a
 * thousand more registrations for nothing a reviewer reads. Stacks deployed
 * before 0.2 had one; the alias to it makes upgrading a no-op instead of a
 * delete and re-create of every CronJob. `formerOwnerType` is the type of
 * that component's parent (undefined for the stack).
 */
export function declareTaskCronJob(owner: pulumi.ComponentResource, inputs: CronJobInputs, formerOwnerType: string | undefined): KubernetesObject<CronJobObject> {
  const id = inputs.task.id;
  // The objects carry fixed names that alerts refer to, so a replacement must delete first.
  const childOpts = (type: string, name: string) => ({ parent: owner, deleteBeforeReplace: true, aliases: [formerTaskUrn(type, name, formerOwnerType)] });
  const serviceAccount = new KubernetesObject(`${id}-sa`, buildServiceAccount(inputs), childOpts("kubernetes:core/v1:ServiceAccount", `${id}-sa`));
  return new KubernetesObject(`${id}-cronjob`, buildCronJob(inputs), {
    ...childOpts("kubernetes:batch/v1:CronJob", `${id}-cronjob`),
    dependsOn: [serviceAccount],
  });
}
