/**
 * When a stakeholder notice goes out: at the review time (`reviews.at`, a
 * working-hours time) on the latest working day that is at least
 * `noticeHours` before the window opens. Never at night, never on a weekend,
 * and never less than `noticeHours` ahead in real time: a clock change
 * between notice and window can shorten the wall-clock gap by an hour, so
 * every week of the horizon is checked in real time and the notice moves a
 * working day earlier when one week would fall short.
 *
 * Everything repeats weekly on the wall clock, so a notice is one weekday and
 * time: a cron in the zone for Kubernetes and for EventBridge Scheduler.
 * Windows whose notices fall on the same day share one notice.
 */
import { instantOf, offsetMinutes, offsetTransitions, type DstHorizon } from "./dst";
import { hhmmToMinute } from "./engine";
import { WEEKDAYS, type Weekday } from "./terms";

const DAY = 1440;
const WEEK = 7 * DAY;
const WORKING_DAYS = [1, 2, 3, 4, 5];

export interface NoticeWindow {
  readonly days: readonly Weekday[];
  /** Local `HH:MM`. */
  readonly start: string;
}

export interface NoticeSlot {
  /** The weekday the notice goes out. */
  readonly day: Weekday;
  /** Local minute of the day (the review time). */
  readonly minute: number;
  /** The window days it announces, in the order the window lists them. */
  readonly windows: readonly Weekday[];
  /** Wall-clock minutes from the notice to each window's start, in the same order. */
  readonly leadMinutes: readonly number[];
}

/** Real-time milliseconds from a notice `leadMinutes` of wall clock before each window start in the horizon: the shortest. */
function shortestRealGapMs(window: Weekday, startMinute: number, leadMinutes: number, timeZone: string, horizon: DstHorizon): number {
  let shortest = Infinity;
  const dow = WEEKDAYS.indexOf(window);
  const first = Date.UTC(horizon.fromYear, 0, 1);
  const end = Date.UTC(horizon.fromYear + horizon.years, 0, 1);
  for (let day = first + ((dow - new Date(first).getUTCDay() + 7) % 7) * 86_400_000; day < end; day += 7 * 86_400_000) {
    const d = new Date(day);
    const opens = instantOf(timeZone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), Math.floor(startMinute / 60), startMinute % 60);
    const wall = new Date(day + (startMinute - leadMinutes) * 60_000);
    const sent = instantOf(timeZone, wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes());
    shortest = Math.min(shortest, opens - sent);
  }
  return shortest;
}

/** The largest step of the zone's offset in the horizon, in minutes: how much a clock change can take from a wall-clock gap. */
function largestClockChangeMinutes(timeZone: string, horizon: DstHorizon): number {
  const from = Date.UTC(horizon.fromYear, 0, 1);
  const to = Date.UTC(horizon.fromYear + horizon.years, 0, 1);
  let largest = 0;
  for (const t of offsetTransitions(timeZone, from, to)) {
    largest = Math.max(largest, Math.abs(offsetMinutes(timeZone, t) - offsetMinutes(timeZone, t - 60_000)));
  }
  return largest;
}

/** The notice for one window day: minutes of wall clock before its start, on a working day at the review time. */
function leadFor(window: Weekday, startMinute: number, at: number, noticeHours: number, timeZone: string, horizon: DstHorizon): number {
  const opens = WEEKDAYS.indexOf(window) * DAY + startMinute;
  // Candidates walk back from the window, working day by working day, over two weeks (noticeHours ≤ 168).
  for (let back = 0; back <= 3 * WEEK; back += DAY) {
    const candidateDay = Math.floor((opens - back) / DAY);
    const sentAt = candidateDay * DAY + at;
    const lead = opens - sentAt;
    if (lead < noticeHours * 60) continue;
    if (!WORKING_DAYS.includes(((candidateDay % 7) + 7) % 7)) continue;
    // With more spare than any clock change takes, no week can fall short; otherwise check every week.
    if (lead - noticeHours * 60 >= largestClockChangeMinutes(timeZone, horizon)) return lead;
    if (shortestRealGapMs(window, startMinute, lead, timeZone, horizon) >= noticeHours * 3_600_000) return lead;
  }
  throw new Error(`no working day at ${at} minutes gives ${noticeHours} h of notice before the ${window} window`);
}

export function noticeSlots(window: NoticeWindow, timeZone: string, noticeHours: number, at: string, horizon: DstHorizon): NoticeSlot[] {
  const startMinute = hhmmToMinute(window.start);
  const atMinute = hhmmToMinute(at);
  const slots = new Map<Weekday, { windows: Weekday[]; leadMinutes: number[] }>();
  for (const day of window.days) {
    const lead = leadFor(day, startMinute, atMinute, noticeHours, timeZone, horizon);
    const sent = WEEKDAYS.indexOf(day) * DAY + startMinute - lead;
    const noticeDay = WEEKDAYS[Math.floor((((sent % WEEK) + WEEK) % WEEK) / DAY)]!;
    const slot = slots.get(noticeDay) ?? { windows: [], leadMinutes: [] };
    slot.windows.push(day);
    slot.leadMinutes.push(lead);
    slots.set(noticeDay, slot);
  }
  return [...slots.entries()].map(([day, s]) => ({ day, minute: atMinute, windows: s.windows, leadMinutes: s.leadMinutes }));
}
