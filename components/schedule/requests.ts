/**
 * What the engine is asked and what it answers: the window, the tasks to
 * place (a cadence or a pinned schedule), and each placed task's cron and
 * slot. Kept apart from the engine so the parts that place and pin tasks can
 * all name them.
 */
import type { DstHorizon } from "./dst";
import { WEEKDAYS, type Cadence, type Weekday } from "./terms";

export interface ScheduleWindow {
  readonly days: readonly Weekday[];
  /** Local start, minutes after midnight. */
  readonly startMinute: number;
  readonly durationMinutes: number;
  readonly timeZone: string;
}

interface TaskBase {
  readonly id: string;
  readonly durationMinutes: number;
  /** The config key path that errors about this task name. */
  readonly path: string;
}

export interface CadenceTask extends TaskBase {
  readonly cadence: Cadence;
}

export interface CustomTask extends TaskBase {
  readonly schedule: string;
  readonly outsideWindow: boolean;
}

export type TaskRequest = CadenceTask | CustomTask;

/** Monthly and quarterly runs fire weekly; the job itself runs only in the first week. */
export type PeriodGuard = "first-week-of-month";

/** Why a task is not at its home (where it would be if no schedule were pinned). */
export interface Displacement {
  /** The pinned task on its home's minutes, or the task that took them. */
  readonly by: string;
  /** Its home. */
  readonly fromOffsetMinutes: number;
  readonly fromWindowDay?: Weekday;
  /** The window was too full to move it to minutes that are no one's home, so every task was placed around the pinned schedules. */
  readonly full?: true;
}

export interface ScheduledTask {
  readonly id: string;
  readonly cadence: Cadence | "custom";
  readonly durationMinutes: number;
  readonly cron: string;
  readonly timeZone: string;
  readonly guard?: PeriodGuard;
  /** The window day this slot belongs to, for non-daily generated tasks. */
  readonly windowDay?: Weekday;
  /** Minutes from the window start; undefined for a schedule outside the window. */
  readonly offsetMinutes?: number;
  readonly outsideWindow: boolean;
  readonly moved?: Displacement;
}

export interface ScheduleOptions {
  readonly gapMinutes: number;
  readonly dstHorizon: DstHorizon;
}

export class ScheduleError extends Error {
  constructor(readonly problems: readonly { path: string; reason: string }[]) {
    super(problems.map((p) => `${p.path}: ${p.reason}`).join("\n"));
    this.name = "ScheduleError";
  }
}

export const DAY_LABEL: Record<Weekday, string> = {
  sun: "Sunday", mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday",
};

export function hhmmToMinute(text: string): number {
  const [h, m] = text.split(":").map(Number);
  return h! * 60 + m!;
}

export function minuteToHhmm(minute: number): string {
  const m = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

export function describeWindow(w: ScheduleWindow): string {
  return `${minuteToHhmm(w.startMinute)}–${minuteToHhmm(w.startMinute + w.durationMinutes)} ${w.timeZone}`;
}

export const isCustom = (t: TaskRequest): t is CustomTask => "schedule" in t;
export const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

/** The day a window instance starts on, by index, as a word. */
export const dayLabel = (day: number) => DAY_LABEL[WEEKDAYS[day]!];
