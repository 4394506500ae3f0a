/**
 * A strict reader of the five-field cron dialect that the Kubernetes CronJob
 * controller accepts. We expand the fields ourselves because the window check
 * needs the exact set of times of day and weekdays a schedule fires on, which
 * no cron library exposes.
 */

export type CronField = "minute" | "hour" | "day-of-month" | "month" | "day-of-week";

export interface ParsedCron {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** undefined when the field is `*` or `?` (unrestricted). */
  readonly daysOfMonth?: readonly number[];
  readonly months?: readonly number[];
  /** 0 = Sunday … 6 = Saturday; undefined when unrestricted. */
  readonly daysOfWeek?: readonly number[];
}

const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  readonly name: CronField;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly namesStartAt?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES, namesStartAt: 1 },
  // 7 is accepted as Sunday, as robfig/cron does.
  { name: "day-of-week", min: 0, max: 7, names: DAY_NAMES, namesStartAt: 0 },
];

export class CronSyntaxError extends Error {}

function parseValue(text: string, spec: FieldSpec): number {
  const lower = text.toLowerCase();
  const named = spec.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (spec.namesStartAt ?? 0);
  if (!/^\d+$/.test(text)) {
    throw new CronSyntaxError(`${spec.name} field has "${text}", which is not a number${spec.names ? " or a name" : ""}`);
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new CronSyntaxError(`${spec.name} field has ${value}, outside ${spec.min}-${spec.max}`);
  }
  return value;
}

function expandField(text: string, spec: FieldSpec): number[] | undefined {
  if (text === "*" || text === "?") return undefined;
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [rangeText, stepText, extra] = part.split("/");
    if (extra !== undefined || rangeText === "") throw new CronSyntaxError(`${spec.name} field has malformed "${part}"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw new CronSyntaxError(`${spec.name} field has step "${stepText}", which must be a positive number`);
      }
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (rangeText === "*") {
      lo = spec.min;
      hi = spec.max;
    } else if (rangeText.includes("-")) {
      const [a, b, more] = rangeText.split("-");
      if (more !== undefined || a === undefined || b === undefined) {
        throw new CronSyntaxError(`${spec.name} field has malformed range "${rangeText}"`);
      }
      lo = parseValue(a, spec);
      hi = parseValue(b, spec);
      if (lo > hi) throw new CronSyntaxError(`${spec.name} field has backwards range "${rangeText}"`);
    } else {
      lo = parseValue(rangeText, spec);
      hi = stepText === undefined ? lo : spec.max;
    }
    for (let v = lo; v <= hi; v += step) values.add(spec.name === "day-of-week" && v === 7 ? 0 : v);
  }
  return [...values].sort((a, b) => a - b);
}

/** Parses a five-field cron expression or throws CronSyntaxError saying why. */
export function parseCron(expression: string): ParsedCron {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new CronSyntaxError(`must have exactly 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  }
  const [minute, hour, dom, month, dow] = fields.map((f, i) => expandField(f, FIELDS[i]!));
  return {
    minutes: minute ?? range(0, 59),
    hours: hour ?? range(0, 23),
    daysOfMonth: dom,
    months: month,
    daysOfWeek: dow,
  };
}

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/**
 * The weekdays a schedule can fire on. Cron ORs day-of-month with day-of-week
 * when both are restricted, and a day-of-month alone lands on any weekday, so
 * only a schedule restricted by weekday alone names specific weekdays.
 */
export function firingWeekdays(cron: ParsedCron): readonly number[] {
  if (cron.daysOfMonth === undefined && cron.daysOfWeek !== undefined) return cron.daysOfWeek;
  return range(0, 6);
}

/** Minutes after local midnight at which the schedule fires, ascending. */
export function firingMinutesOfDay(cron: ParsedCron): readonly number[] {
  const out: number[] = [];
  for (const h of cron.hours) for (const m of cron.minutes) out.push(h * 60 + m);
  return out.sort((a, b) => a - b);
}
