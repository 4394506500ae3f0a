/** The maintenance-aware diff of two offline plans, as one pure function over the loaded plans. */
import { compareResources } from "./compare";
import { findDangers } from "./danger";
import { environmentOf } from "./danger/resources";
import type { Plan } from "./load";
import { renderMarkdown } from "./markdown";
import { compareSchedules } from "./schedules";

export interface PlanDiff {
  readonly markdown: string;
  readonly dangerCount: number;
}

export function diffPlans(base: Plan, head: Plan): PlanDiff {
  const environment = environmentOf(head.resources) ?? environmentOf(base.resources) ?? "unknown";
  const resources = compareResources(base.resources, head.resources);
  const dangers = findDangers(base.resources, head.resources, resources, environment);
  const schedules = compareSchedules(base.calendar, head.calendar);
  return {
    markdown: renderMarkdown({ environment, base: base.resources, head: head.resources, resources, schedules, dangers }),
    dangerCount: dangers.findings.length,
  };
}
