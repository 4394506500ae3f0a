/** The maintenance-aware diff of two offline plans, as one pure function over the loaded plans. */
import { compareResources } from "./compare";
import { findDangers } from "./danger";
import { environmentOf } from "./danger/resources";
import { assertSameStack, type Plan } from "./load";
import { renderMarkdown } from "./markdown";
import { movedBecause, windowChange } from "./moves";
import { compareSchedules } from "./schedules";

export interface PlanDiff {
  readonly markdown: string;
  readonly dangerCount: number;
  /** A task's timing or the window changed: the week's picture is worth a look. */
  readonly scheduleChanged: boolean;
}

/** Throws PlanDiffUsageError for plans of two different stacks. */
export function diffPlans(base: Plan, head: Plan): PlanDiff {
  assertSameStack(base, head);
  const environment = environmentOf(head.resources) ?? environmentOf(base.resources) ?? "unknown";
  const resources = compareResources(base.resources, head.resources);
  const dangers = findDangers(base, head, resources, environment);
  const schedules = compareSchedules(base.calendar, head.calendar);
  const window = windowChange(base, head);
  return {
    markdown: renderMarkdown({ environment, base: base.resources, head: head.resources, resources, schedules, dangers, window, why: window !== undefined ? new Map() : movedBecause(base, head) }),
    dangerCount: dangers.findings.length,
    scheduleChanged: schedules.length > 0 || window !== undefined,
  };
}
