/**
 * A task moved out of its window. The plan records each CronJob's window in
 * its `upkeep.dev/window` annotation (`<days> <HH:MM> <minutes> <zone>`), so
 * the check needs nothing but resources.json. The rule is the schedule
 * engine's: the window's hours exist every day, each run plus its slot (the
 * Job's activeDeadlineSeconds) must end by the window's end, and a schedule
 * limited to some weekdays must use window days. A finding is a run outside
 * the window in head that was not outside in base, so a task that always ran
 * outside (allowed with outsideWindow) is not news, but one that moved there is,
 * even with outsideWindow set: that flag is exactly what a reviewer must see.
 */
import { CronSyntaxError, firingMinutesOfDay, firingWeekdays, parseCron } from "../../../components/schedule";
import type { RecordedResource } from "../../mockRuntime";
import { at } from "../paths";
import { CRONJOB_TYPE, resourceIndex } from "./resources";

export const WINDOW_ANNOTATION = "upkeep.dev/window";
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAY_LABEL = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAY = 1440;

interface Window {
  readonly days: readonly number[];
  readonly start: number;
  readonly durationMinutes: number;
  readonly timeZone: string;
}

/** The window as the annotation states it (components/kubernetes/labels.ts writes it). */
export interface WindowAnnotation {
  readonly days: readonly string[];
  readonly start: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
}

export function readWindowAnnotation(text: unknown): WindowAnnotation | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^([a-z,]+) (\d\d:\d\d) (\d+) (\S+)$/.exec(text.trim());
  if (!m) return undefined;
  const days = m[1]!.split(",");
  if (days.some((d) => !DAYS.includes(d))) return undefined;
  return { days, start: m[2]!, durationMinutes: Number(m[3]), timeZone: m[4]! };
}

function parseWindow(text: unknown): Window | undefined {
  const w = readWindowAnnotation(text);
  if (!w) return undefined;
  const [hours, minutes] = w.start.split(":").map(Number);
  return { days: w.days.map((d) => DAYS.indexOf(d)), start: hours! * 60 + minutes!, durationMinutes: w.durationMinutes, timeZone: w.timeZone };
}

const clock = (minutes: number) => {
  const m = ((minutes % DAY) + DAY) % DAY;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
};

export const describeWindow = (w: Window) => `${clock(w.start)}–${clock(w.start + w.durationMinutes)} ${w.timeZone}`;

/** The runs of a CronJob outside `window`, as `HH:MM–HH:MM` (prefixed with the weekday when the day is the problem). */
export function outsideRuns(cronJob: RecordedResource, window: Window): string[] {
  const schedule = at(cronJob.inputs, "spec", "schedule");
  const deadline = at(cronJob.inputs, "spec", "jobTemplate", "spec", "activeDeadlineSeconds");
  if (typeof schedule !== "string") return [];
  let cron;
  try {
    cron = parseCron(schedule);
  } catch (e) {
    if (e instanceof CronSyntaxError) return []; // the plan validated it; a hand-edited file is not this check's concern
    throw e;
  }
  const slot = typeof deadline === "number" ? Math.ceil(deadline / 60) : 0;
  const weekdays = firingWeekdays(cron);
  const everyDay = weekdays.length === 7 && cron.daysOfMonth === undefined;
  const out: string[] = [];
  for (const minute of firingMinutesOfDay(cron)) {
    const run = `${clock(minute)}–${clock(minute + slot)}`;
    const offset = (minute - window.start + DAY) % DAY;
    if (offset + slot > window.durationMinutes) {
      out.push(run);
      continue;
    }
    if (everyDay || window.days.length === 7) continue;
    if (cron.daysOfMonth !== undefined) {
      out.push(`${run} on any day of the month`);
      continue;
    }
    // A run after midnight belongs to the window that opened the day before.
    const crossesMidnight = window.start + offset >= DAY;
    for (const w of weekdays) if (!window.days.includes(crossesMidnight ? (w + 6) % 7 : w)) out.push(`${DAY_LABEL[w]} ${run}`);
  }
  return out;
}

const windowOf = (r: RecordedResource | undefined) => (r ? parseWindow(at(r.inputs, "metadata", "annotations", WINDOW_ANNOTATION)) : undefined);
const taskOf = (r: RecordedResource) => String(at(r.inputs, "metadata", "name") ?? r.name);

export interface WindowCheck {
  readonly findings: string[];
  readonly notes: string[];
}

export function windowDangers(base: readonly RecordedResource[], head: readonly RecordedResource[]): WindowCheck {
  const baseByUrn = resourceIndex(base);
  const cronJobs = head.filter((r) => r.type === CRONJOB_TYPE);
  const unannotated = cronJobs.filter((r) => !windowOf(r));
  const findings: string[] = [];
  for (const after of cronJobs) {
    // The post-window verification is placed by the program right after the window, never by a user.
    if (at(after.inputs, "metadata", "labels", "app.kubernetes.io/component") === "verify") continue;
    const window = windowOf(after);
    if (!window) continue;
    const before = baseByUrn.get(after.urn);
    // A base plan from before the annotation existed is judged against the head's window.
    const wasOutside = new Set(before ? outsideRuns(before, windowOf(before) ?? window) : []);
    const now = outsideRuns(after, window).filter((run) => !wasOutside.has(run));
    if (now.length === 0) continue;
    const what = before ? "moved out of its window" : "added outside its window";
    findings.push(`Task \`${taskOf(after)}\` ${what}: runs ${now.join(", ")}; the window is ${describeWindow(window)}`);
  }
  const notes: string[] = [];
  if (unannotated.length > 0) {
    const which = unannotated.length === cronJobs.length ? "the head plan's CronJobs have" : `${unannotated.map(taskOf).join(", ")} in the head plan ${unannotated.length === 1 ? "has" : "have"}`;
    notes.push(`Window check skipped: ${which} no \`${WINDOW_ANNOTATION}\` annotation (a plan from an older upkeep), so a task moved out of its window cannot be seen.`);
  }
  return { findings, notes };
}
