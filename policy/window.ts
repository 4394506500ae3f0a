/**
 * Rule f: every CronJob runs inside its environment's maintenance window,
 * unless it is marked as allowed outside. The window lives in stack config,
 * which a policy cannot read, so each CronJob carries it as an annotation
 * (components/kubernetes/labels.ts `windowAnnotation`). The window's hours exist every
 * day (daily tasks run in them each day), so the check is on minutes of the
 * local day: each run's start plus its slot (the Job's activeDeadlineSeconds)
 * must end by the window's end, across midnight when the window crosses it.
 */
import { CronSyntaxError, firingMinutesOfDay, parseCron } from "../components/schedule";
import { at, cronJobLabel, got, TYPES, type CheckedResource } from "./resource";

export const WINDOW_ANNOTATION = "upkeep.dev/window";
export const OUTSIDE_WINDOW_ANNOTATION = "upkeep.dev/outside-window";

const DAY_MINUTES = 24 * 60;
/** Most runs a message lists before it only counts the rest. */
const SHOWN_RUNS = 3;

export interface WindowAnnotation {
  readonly days: readonly string[];
  /** Minutes after local midnight. */
  readonly start: number;
  readonly durationMinutes: number;
  readonly timeZone: string;
}

/** `<days> <HH:MM> <minutes> <zone>`, e.g. `sat,sun 00:30 300 Europe/Berlin`; undefined when malformed. */
export function parseWindowAnnotation(text: string): WindowAnnotation | undefined {
  const match = /^((?:sun|mon|tue|wed|thu|fri|sat)(?:,(?:sun|mon|tue|wed|thu|fri|sat))*) ([01]\d|2[0-3]):([0-5]\d) (\d+) (\S+)$/.exec(text.trim());
  if (!match) return undefined;
  const durationMinutes = Number(match[4]);
  if (durationMinutes < 1 || durationMinutes > DAY_MINUTES) return undefined;
  return { days: match[1]!.split(","), start: Number(match[2]) * 60 + Number(match[3]), durationMinutes, timeZone: match[5]! };
}

const clock = (minutes: number) => {
  const m = ((minutes % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
};

export function checkScheduleInWindow(resource: CheckedResource): string[] {
  if (resource.type !== TYPES.cronJob) return [];
  const who = cronJobLabel(resource);
  const annotations = at(resource.props, "metadata", "annotations");
  if (at(annotations, OUTSIDE_WINDOW_ANNOTATION) === "true") return [];
  const text = at(annotations, WINDOW_ANNOTATION);
  if (typeof text !== "string") return [`${who} has no ${WINDOW_ANNOTATION} annotation`];
  const window = parseWindowAnnotation(text);
  if (!window) return [`${who}: annotation ${WINDOW_ANNOTATION} must be "<days> <HH:MM> <minutes> <zone>" (got ${text})`];

  const out: string[] = [];
  // Minutes of the day mean nothing unless the CronJob counts them in the window's zone.
  const zone = at(resource.props, "spec", "timeZone");
  if (zone !== window.timeZone) out.push(`${who}: spec.timeZone must be the window's zone ${window.timeZone} (${got(zone)})`);

  const schedule = at(resource.props, "spec", "schedule");
  if (typeof schedule !== "string") return [...out, `${who}: spec.schedule must be set`];
  let starts: readonly number[];
  try {
    starts = firingMinutesOfDay(parseCron(schedule));
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    return [...out, `${who}: spec.schedule "${schedule}" is not a valid cron expression: ${e.message}`];
  }
  // A missing deadline is rule a's finding; here the run then counts as a point in time.
  const deadline = at(resource.props, "spec", "jobTemplate", "spec", "activeDeadlineSeconds");
  const slot = typeof deadline === "number" && deadline > 0 ? Math.ceil(deadline / 60) : 0;
  const outside = starts.filter((start) => {
    const offset = (start - window.start + DAY_MINUTES) % DAY_MINUTES;
    return offset + slot > window.durationMinutes;
  });
  if (outside.length > 0) {
    const runs = outside.slice(0, SHOWN_RUNS).map((s) => `${clock(s)}–${clock(s + slot)}`);
    const more = outside.length > SHOWN_RUNS ? ` and ${outside.length - SHOWN_RUNS} more` : "";
    out.push(
      `${who}: spec.schedule "${schedule}" runs ${runs.join(", ")}${more}, outside the window ` +
        `${clock(window.start)}–${clock(window.start + window.durationMinutes)} ${window.timeZone} ` +
        `(set outsideWindow to allow it)`,
    );
  }
  return out;
}
