/**
 * Reads one offline plan (the directory `npm run plan` writes). Only the two
 * files the diff needs are read: resources.json and calendar.json. A missing
 * or malformed plan is an error naming it, never an "empty plan": diffing
 * against nothing would report every resource as added and hide the mistake.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { DatedCalendarEntry } from "../../components/calendar";
import type { RecordedResource } from "../mockRuntime";

export interface Plan {
  readonly dir: string;
  readonly resources: readonly RecordedResource[];
  readonly calendar: readonly DatedCalendarEntry[];
}

/** A problem with the command line or its input: one line, exit code 2. */
export class PlanDiffUsageError extends Error {}

function readJsonArray(dir: string, file: string, role: string): unknown[] {
  const path = join(dir, file);
  if (!existsSync(path)) throw new PlanDiffUsageError(`${role} plan ${dir} has no ${file}; write it with npm run plan -- --stack <env> --out ${dir}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new PlanDiffUsageError(`${role} plan ${path} is not valid JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!Array.isArray(parsed)) throw new PlanDiffUsageError(`${role} plan ${path} must hold a JSON array`);
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
  return { dir, resources: resources as RecordedResource[], calendar: calendar as DatedCalendarEntry[] };
}
