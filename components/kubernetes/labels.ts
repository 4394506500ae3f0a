/** Names that every upkeep object shares, so selectors and alerts can rely on them. */

export const ANNOTATIONS = Object.freeze({
  schedule: "upkeep.dev/schedule",
  scriptsChecksum: "upkeep.dev/scripts-checksum",
  runbook: "upkeep.dev/runbook-url",
  configPath: "upkeep.dev/config-path",
  /** `<days> <HH:MM> <minutes> <zone>`: lets policies and diffs check a schedule against its window. */
  window: "upkeep.dev/window",
  /** "true" on the tasks allowed outside the window. */
  outsideWindow: "upkeep.dev/outside-window",
});

export function windowAnnotation(window: { days: readonly string[]; start: string; durationMinutes: number }, timeZone: string): string {
  return `${window.days.join(",")} ${window.start} ${window.durationMinutes} ${timeZone}`;
}

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

/** An upkeep object that belongs to no one task (the scripts, a database's credentials), named by what it is. */
export function componentLabels(environment: string, component: string): Record<string, string> {
  return { ...environmentLabels(environment), "app.kubernetes.io/name": "upkeep", "app.kubernetes.io/component": component };
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
