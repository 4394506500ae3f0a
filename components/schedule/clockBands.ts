/**
 * Where a zone's clock changes bite, by weekday. A clock change skips or
 * repeats some local minutes on one local date; over the horizon those dates
 * fall on a few weekdays only (Sundays in Europe, the Americas and Australia,
 * a Friday in Asia/Jerusalem, a Thursday and a Friday in Africa/Cairo). A task
 * that runs on other weekdays never meets them, so only those weekdays' window
 * instances keep the minutes clear; a daily task runs on all of them and
 * avoids every band.
 */
import { mergeRanges, offsetMinutes, offsetTransitions, type DstHorizon, type MinuteRange } from "./dst";

const MINUTE = 60_000;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAY_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Local minutes that one kind of clock change skips or repeats on one weekday. */
export interface ClockChange {
  /** The local weekday the minutes belong to, 0 = Sunday. */
  readonly weekday: number;
  /** Minutes after local midnight, half-open, never wrapping. */
  readonly from: number;
  readonly to: number;
  readonly kind: "skipped" | "repeated";
  /** The months (1–12) in which it happens over the horizon, ascending. */
  readonly months: readonly number[];
}

const cache = new Map<string, readonly ClockChange[]>();

/** Every skipped or repeated local range of the horizon, by weekday, sorted. */
export function clockChanges(zone: string, horizon: DstHorizon): readonly ClockChange[] {
  const key = `${zone}|${horizon.fromYear}|${horizon.years}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const found = new Map<string, { weekday: number; from: number; to: number; kind: ClockChange["kind"]; months: Set<number> }>();
  const add = (wallMinute: number, length: number, kind: ClockChange["kind"]) => {
    // wallMinute counts local wall-clock minutes since 1970-01-01 00:00, so UTC arithmetic gives the local date.
    const date = new Date(wallMinute * MINUTE);
    const weekday = date.getUTCDay();
    const from = date.getUTCHours() * 60 + date.getUTCMinutes();
    const k = `${weekday}|${from}|${from + length}|${kind}`;
    const entry = found.get(k) ?? { weekday, from, to: from + length, kind, months: new Set<number>() };
    entry.months.add(date.getUTCMonth() + 1);
    found.set(k, entry);
  };
  const start = Date.UTC(horizon.fromYear, 0, 1);
  const end = Date.UTC(horizon.fromYear + horizon.years, 0, 1);
  for (const at of offsetTransitions(zone, start, end)) {
    const after = offsetMinutes(zone, at);
    const before = offsetMinutes(zone, at - MINUTE);
    const delta = Math.abs(after - before);
    const minuteOfInstant = Math.floor(at / MINUTE);
    // Spring forward skips [old wall, new wall); fall back repeats [new wall, old wall).
    const kind = after > before ? "skipped" : "repeated";
    const wallStart = after > before ? minuteOfInstant + before : minuteOfInstant + after;
    // A range across local midnight is two ranges, each on its own date.
    const firstPart = Math.min(delta, 1440 - (((wallStart % 1440) + 1440) % 1440));
    add(wallStart, firstPart, kind);
    if (firstPart < delta) add(wallStart + firstPart, delta - firstPart, kind);
  }
  const out = [...found.values()]
    .map((e) => ({ weekday: e.weekday, from: e.from, to: e.to, kind: e.kind, months: [...e.months].sort((a, b) => a - b) }))
    .sort((a, b) => a.weekday - b.weekday || a.from - b.from || a.to - b.to || (a.kind < b.kind ? -1 : 1));
  cache.set(key, out);
  return out;
}

/** The weekdays (0 = Sunday) whose local clock changes in the horizon. */
export function clockChangeWeekdays(zone: string, horizon: DstHorizon): number[] {
  return [...new Set(clockChanges(zone, horizon).map((c) => c.weekday))].sort((a, b) => a - b);
}

/** One instance of the window: the minutes it must keep clear, as offsets from its start. */
export interface InstanceBand extends MinuteRange {
  /** The clock changes behind this range, for saying why. */
  readonly changes: readonly ClockChange[];
}

/**
 * Per window instance (indexed by the weekday it starts on), the offsets from
 * the window start that a clock change skips or repeats, merged. A local range
 * before the window's start time belongs to the instance that began the day
 * before. Offsets run to 1440, past any window's end, so the bands do not
 * depend on the window's length.
 */
export function instanceBands(startMinute: number, zone: string, horizon: DstHorizon): InstanceBand[][] {
  const pieces: { day: number; from: number; to: number; change: ClockChange }[] = [];
  for (const change of clockChanges(zone, horizon)) {
    const split = startMinute > change.from && startMinute < change.to ? [change.from, startMinute, change.to] : [change.from, change.to];
    for (let i = 0; i + 1 < split.length; i++) {
      const from = split[i]!;
      const to = split[i + 1]!;
      if (from >= startMinute) pieces.push({ day: change.weekday, from: from - startMinute, to: to - startMinute, change });
      else pieces.push({ day: (change.weekday + 6) % 7, from: from + 1440 - startMinute, to: to + 1440 - startMinute, change });
    }
  }
  return Array.from({ length: 7 }, (_, day) => {
    const mine = pieces.filter((p) => p.day === day);
    return mergeRanges(mine).map((r) => ({
      ...r,
      changes: mine.filter((p) => p.from < r.to && r.from < p.to).map((p) => p.change),
    }));
  });
}

/** `HH:MM`; the end of a range at midnight reads 24:00. */
const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const monthList = (months: readonly number[]) => {
  const names = months.map((m) => MONTHS[m - 1]!);
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
};

/**
 * One phrase per local range, e.g. `Sun 02:00–03:00 skipped in March and
 * repeated in October`: what the plan summary and calendar.svg say why.
 */
export function describeClockChanges(changes: readonly ClockChange[]): string[] {
  const byRange = new Map<string, ClockChange[]>();
  for (const c of [...changes].sort((a, b) => a.weekday - b.weekday || a.from - b.from || (a.kind < b.kind ? 1 : -1))) {
    const key = `${DAY_SHORT[c.weekday]} ${clock(c.from)}–${clock(c.to)}`;
    byRange.set(key, [...(byRange.get(key) ?? []), c]);
  }
  return [...byRange].map(([range, cs]) => `${range} ${[...new Set(cs.map((c) => `${c.kind} in ${monthList(c.months)}`))].join(" and ")}`);
}
