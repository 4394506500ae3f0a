/**
 * The EventBridge Scheduler crons upkeep writes, read back: their next runs
 * (for the calendar) and their RRULE (for calendar.ics). Only the forms the
 * routine produces are understood; anything else is refused loudly.
 */
import { instantOf, localTime } from "../schedule";

const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const ICAL = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

export interface SchedulerCron {
  readonly minute: number;
  readonly hour: number;
  /** The n of `nW`: the weekday nearest day n of the month. */
  readonly nearestWeekdayTo?: number;
  readonly months?: readonly number[];
  /** 0 = Sunday. */
  readonly weekdays?: readonly number[];
  /** The n of `DAY#n`: only the nth such weekday of the month. */
  readonly nthWeekday?: number;
}

/** A day-of-week as AWS writes it: a name (SUN) or a number (1 = SUN … 7 = SAT). */
const dayIndex = (d: string): number => (/^[1-7]$/.test(d) ? Number(d) - 1 : DAYS.indexOf(d));

function weekdayList(field: string): number[] {
  return field.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(dayIndex);
    if (from === undefined || from < 0 || (to !== undefined && to < 0)) throw new Error(`unsupported day-of-week ${JSON.stringify(field)}`);
    const out: number[] = [];
    for (let d = from; d <= (to ?? from); d++) out.push(d);
    return out;
  });
}

export function parseSchedulerCron(expression: string): SchedulerCron {
  const m = /^cron\((\d+) (\d+) (\S+) (\S+) (\S+) \*\)$/.exec(expression);
  if (!m) throw new Error(`unsupported Scheduler expression ${JSON.stringify(expression)}`);
  const [, minute, hour, dom, month, dow] = m;
  const months = month === "*" ? undefined : month!.split(",").map(Number);
  if (dom === "*" && dow === "?") return { minute: Number(minute), hour: Number(hour), months, weekdays: [0, 1, 2, 3, 4, 5, 6] };
  const nth = /^([A-Z]{3}|[1-7])#([1-5])$/.exec(dow!);
  if (dom === "?" && nth) return { minute: Number(minute), hour: Number(hour), months, weekdays: weekdayList(nth[1]!), nthWeekday: Number(nth[2]) };
  if (dom === "?") return { minute: Number(minute), hour: Number(hour), months, weekdays: weekdayList(dow!) };
  const w = /^(\d+)W$/.exec(dom!);
  if (!w || dow !== "?") throw new Error(`unsupported Scheduler expression ${JSON.stringify(expression)}`);
  return { minute: Number(minute), hour: Number(hour), months, nearestWeekdayTo: Number(w[1]) };
}

/** The weekday nearest day n, without leaving the month (Scheduler's `nW`). */
function nearestWeekday(year: number, month: number, n: number): number {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(n, lastDay);
  const dow = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (dow === 6) return day === 1 ? 3 : day - 1;
  if (dow === 0) return day === lastDay ? day - 2 : day + 1;
  return day;
}

export function schedulerNextRuns(expression: string, timeZone: string, from: Date, count: number): Date[] {
  const cron = parseSchedulerCron(expression);
  const start = localTime(timeZone, from.getTime());
  const out: Date[] = [];
  // Walk local calendar days; 800 covers two quarters of quarterly runs many times over.
  for (let i = 0; out.length < count && i < 800; i++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + i));
    const [y, mo, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (cron.months && !cron.months.includes(mo)) continue;
    const matches = cron.weekdays
      ? cron.weekdays.includes(date.getUTCDay()) && (cron.nthWeekday === undefined || Math.ceil(d / 7) === cron.nthWeekday)
      : d === nearestWeekday(y, mo, cron.nearestWeekdayTo!);
    if (!matches) continue;
    const at = instantOf(timeZone, y, mo, d, cron.hour, cron.minute);
    if (at > from.getTime()) out.push(new Date(at));
  }
  return out;
}

export function schedulerRrule(expression: string): string {
  const cron = parseSchedulerCron(expression);
  const months = cron.months ? `;BYMONTH=${cron.months.join(",")}` : "";
  if (cron.nthWeekday !== undefined) return `FREQ=MONTHLY${months};BYDAY=${cron.weekdays!.map((d) => `${cron.nthWeekday}${ICAL[d]}`).join(",")}`;
  if (cron.weekdays?.length === 7) return `FREQ=DAILY${months}`;
  if (cron.weekdays) return `FREQ=WEEKLY${months};BYDAY=${cron.weekdays.map((d) => ICAL[d]).join(",")}`;
  if (cron.nearestWeekdayTo !== 1) throw new Error(`only 1W has an RRULE here (got ${expression})`);
  // The first weekday of the month is exactly what 1W selects.
  return `FREQ=MONTHLY${months};BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1`;
}
