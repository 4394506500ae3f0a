/** Every Danger finding of a diff, one line each, in the order a reviewer should weigh them. */
import type { ResourceDiff } from "../compare";
import type { Plan } from "../load";
import { alertDangers } from "./alerts";
import { cleanupDangers } from "./cleanup";
import { pauseDangers } from "./paused";
import { secretDangers } from "./secrets";
import { retentionDangers, statefulDangers } from "./state";
import { windowDangers } from "./window";

export interface Dangers {
  readonly findings: readonly string[];
  /** Checks that could not run on these plans, and why. */
  readonly notes: readonly string[];
}

export function findDangers(base: Plan, head: Plan, diff: ResourceDiff, environment: string): Dangers {
  const window = windowDangers(base.resources, head.resources);
  const cleanup = cleanupDangers(base.tasks, head.tasks);
  return {
    findings: [
      ...window.findings,
      ...cleanup.findings,
      ...alertDangers(base.resources, head.resources),
      ...retentionDangers(diff),
      ...statefulDangers(diff),
      ...pauseDangers(diff, environment),
      ...secretDangers(head.resources),
    ],
    notes: [...window.notes, ...cleanup.notes],
  };
}
