/**
 * Reads one offline plan (the directory `npm run plan` writes): resources.json
 * and calendar.json, which every plan has, and schedule.json and tasks.json,
 * which plans from before upkeep 0.4 lack (the checks that need them then say
 * they were skipped). A missing or malformed plan is an error naming it, never
 * an "empty plan": diffing against nothing would report every resource as
 * added and hide the mistake.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { DatedCalendarEntry } from "../../components/calendar";
import type { WeekPlan } from "../../components/schedule";
import type { TaskRecord } from "../../components/tasks";
import type { RecordedResource } from "../mockRuntime";

export interface Plan {
  readonly dir: string;
  /** The stack the plan was made for, from its URNs. */
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
  readonly calendar: readonly DatedCalendarEntry[];
  /** Where each task sits, per window day; absent in older plans. */
  readonly schedule?: WeekPlan;
  /** Each task's kind, key and cleanup tables; absent in older plans. */
  readonly tasks?: readonly TaskRecord[];
}

/** A problem with the command line or its input: one line, exit code 2. */
export class PlanDiffUsageError extends Error {}

function readJson(dir: string, file: string, role: string): unknown {
  const path = join(dir, file);
  if (!existsSync(path)) throw new PlanDiffUsageError(`${role} plan ${dir} has no ${file}; write it with npm run plan -- --stack <env> --out ${dir}`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new PlanDiffUsageError(`${role} plan ${path} is not valid JSON: ${(e as Error).message.split("\n")[0]}`);
  }
}

function readJsonArray(dir: string, file: string, role: string): unknown[] {
  const parsed = readJson(dir, file, role);
  if (!Array.isArray(parsed)) throw new PlanDiffUsageError(`${role} plan ${join(dir, file)} must hold a JSON array`);
  return parsed;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function isResource(v: unknown): v is RecordedResource {
  return isRecord(v) && typeof v.urn === "string" && typeof v.type === "string" && typeof v.name === "string" && typeof v.parent === "string" && isRecord(v.inputs) && isRecord(v.options);
}

function isCalendarEntry(v: unknown): v is DatedCalendarEntry {
  return isRecord(v) && typeof v.id === "string" && typeof v.schedule === "string" && typeof v.description === "string" && Array.isArray(v.next);
}

/** `role` is "base" or "head", so the message says which argument was wrong. */
export function loadPlan(dir: string, role: string): Plan {
  if (!existsSync(dir)) throw new PlanDiffUsageError(`${role} plan ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new PlanDiffUsageError(`${role} plan ${dir} is not a directory`);
  const resources = readJsonArray(dir, "resources.json", role);
  const calendar = readJsonArray(dir, "calendar.json", role);
  const badResource = resources.findIndex((r) => !isResource(r));
  if (badResource >= 0) throw new PlanDiffUsageError(`${role} plan ${join(dir, "resources.json")}: entry ${badResource} is not a recorded resource (urn, type, name, parent, inputs, options)`);
  const badEntry = calendar.findIndex((e) => !isCalendarEntry(e));
  if (badEntry >= 0) throw new PlanDiffUsageError(`${role} plan ${join(dir, "calendar.json")}: entry ${badEntry} is not a calendar entry`);
  const stack = /^urn:pulumi:([^:]+)::/.exec((resources[0] as RecordedResource | undefined)?.urn ?? "")?.[1];
  if (stack === undefined) throw new PlanDiffUsageError(`${role} plan ${join(dir, "resources.json")} has no resource with a stack URN`);
  const schedule = existsSync(join(dir, "schedule.json")) ? readJson(dir, "schedule.json", role) : undefined;
  if (schedule !== undefined && !(isRecord(schedule) && isRecord(schedule.window) && Array.isArray(schedule.days))) {
    throw new PlanDiffUsageError(`${role} plan ${join(dir, "schedule.json")} is not a schedule (window, days)`);
  }
  const tasks = existsSync(join(dir, "tasks.json")) ? readJsonArray(dir, "tasks.json", role) : undefined;
  const badTask = tasks?.findIndex((t) => !(isRecord(t) && typeof t.id === "string" && typeof t.kind === "string")) ?? -1;
  if (badTask >= 0) throw new PlanDiffUsageError(`${role} plan ${join(dir, "tasks.json")}: entry ${badTask} is not a task (id, kind)`);
  return {
    dir,
    stack,
    resources: resources as RecordedResource[],
    calendar: calendar as DatedCalendarEntry[],
    ...(schedule !== undefined ? { schedule: schedule as unknown as WeekPlan } : {}),
    ...(tasks !== undefined ? { tasks: tasks as TaskRecord[] } : {}),
  };
}

/** Two plans of different stacks share nothing: their diff would show every resource removed and added. */
export function assertSameStack(base: Plan, head: Plan): void {
  if (base.stack !== head.stack) {
    throw new PlanDiffUsageError(`base plan ${base.dir} is of stack ${base.stack} but head plan ${head.dir} is of stack ${head.stack}; compare two plans of the same stack`);
  }
}
