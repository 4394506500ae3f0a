/** Names that every upkeep object shares, so selectors and alerts can rely on them. */

export const ANNOTATIONS = Object.freeze({
  schedule: "upkeep.dev/schedule",
  scriptsChecksum: "upkeep.dev/scripts-checksum",
  runbook: "upkeep.dev/runbook-url",
  configPath: "upkeep.dev/config-path",
});

export interface TaskIdentity {
  readonly id: string;
  readonly kind: string;
  readonly cadence: string;
}

export function environmentLabels(environment: string): Record<string, string> {
  return {
    "app.kubernetes.io/part-of": "upkeep",
    "app.kubernetes.io/managed-by": "pulumi",
    "upkeep.dev/environment": environment,
  };
}

export function taskLabels(environment: string, task: TaskIdentity): Record<string, string> {
  return {
    "app.kubernetes.io/name": "upkeep",
    "app.kubernetes.io/instance": task.id,
    "app.kubernetes.io/component": task.kind,
    ...environmentLabels(environment),
    "upkeep.dev/task": task.id,
    "upkeep.dev/cadence": task.cadence,
  };
}
