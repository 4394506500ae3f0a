/** Every Danger finding of a diff, one line each, in the order a reviewer should weigh them. */
import type { RecordedResource } from "../../mockRuntime";
import type { ResourceDiff } from "../compare";
import { alertDangers } from "./alerts";
import { pauseDangers } from "./paused";
import { secretDangers } from "./secrets";
import { retentionDangers, statefulDangers } from "./state";
import { windowDangers } from "./window";

export interface Dangers {
  readonly findings: readonly string[];
  /** Checks that could not run on these plans, and why. */
  readonly notes: readonly string[];
}

export function findDangers(base: readonly RecordedResource[], head: readonly RecordedResource[], diff: ResourceDiff, environment: string): Dangers {
  const window = windowDangers(base, head);
  return {
    findings: [
      ...window.findings,
      ...alertDangers(base, head),
      ...retentionDangers(diff),
      ...statefulDangers(diff),
      ...pauseDangers(diff, environment),
      ...secretDangers(head),
    ],
    notes: window.notes,
  };
}
