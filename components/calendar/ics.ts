/**
 * calendar.ics: one event series per task, with an RRULE in the environment's
 * zone, so the team can subscribe to its maintenance in any calendar app.
 * The RRULE says what the CronJob and its in-job guard do together: "the first
 * Saturday of the month" is `FREQ=MONTHLY;BYDAY=1SA`, which no cron can say.
 */
import { TZDate } from "@date-fns/tz";
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import ical from "ical-generator";
import type { DatedCalendarEntry } from "./entries";
import { schedulerRrule } from "../routine";
import { parseCron } from "../schedule";

const ICAL_DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];


function timesOfDay(minutes: readonly number[], hours: readonly number[]): string {
  // DTSTART carries a single time; several need explicit lists.
  return minutes.length * hours.length > 1 ? `;BYHOUR=${hours.join(",")};BYMINUTE=${minutes.join(",")}` : "";
}

/** The RRULEs (usually one) that produce exactly the runs of a Kubernetes cron plus its guard. */
export function rrulesForCron(cron: string, guard?: string): string[] {
  const c = parseCron(cron);
  const times = timesOfDay(c.minutes, c.hours);
  const months = c.months ? `;BYMONTH=${c.months.join(",")}` : "";
  const days = (c.daysOfWeek ?? []).map((d) => ICAL_DAYS[d]);
  if (guard === "first-week-of-month") return [`FREQ=MONTHLY${months};BYDAY=${days.map((d) => `1${d}`).join(",")}${times}`];
  if (c.daysOfMonth && c.daysOfWeek) {
    // Cron ORs the two day fields; iCalendar ANDs BY parts, so it takes two rules.
    return [`FREQ=MONTHLY${months};BYMONTHDAY=${c.daysOfMonth.join(",")}${times}`, `FREQ=WEEKLY${months};BYDAY=${days.join(",")}${times}`];
  }
  if (c.daysOfMonth) return [`FREQ=MONTHLY${months};BYMONTHDAY=${c.daysOfMonth.join(",")}${times}`];
  if (c.daysOfWeek) return [`FREQ=WEEKLY${months};BYDAY=${days.join(",")}${times}`];
  return [`FREQ=DAILY${months}${times}`];
}

/** Kubernetes crons (CronJobs) and Scheduler crons (reminders, notices) alike. */
export function rrulesFor(entry: DatedCalendarEntry): string[] {
  return entry.schedule.startsWith("cron(") ? [schedulerRrule(entry.schedule)] : rrulesForCron(entry.schedule, entry.guard);
}

/**
 * Renders the calendar. `stamp` is the plan's reference time, so the file is
 * the same on every run of the same day. Entries with no upcoming run are left
 * out, as a calendar cannot start a series without a first event.
 */
export function renderIcs(environment: string, entries: readonly DatedCalendarEntry[], stamp: Date): string {
  const cal = ical({
    name: `upkeep ${environment} maintenance`,
    prodId: { company: "upkeep", product: "maintenance-calendar", language: "EN" },
    // No calendar-wide zone (DTSTAMP stays UTC); each event's TZID gets its VTIMEZONE.
    timezone: { name: null, generator: getVtimezoneComponent },
  });
  for (const entry of entries) {
    const first = entry.next[0];
    if (!first) continue;
    // TZDate reads as wall-clock time in the zone, which is what TZID needs.
    const start = new TZDate(new Date(first).getTime(), entry.timeZone);
    const [rule, ...moreRules] = rrulesFor(entry);
    const event = cal.createEvent({
      id: `${entry.id}@upkeep.${environment}`,
      start,
      end: new TZDate(start.getTime() + entry.durationMinutes * 60_000, entry.timeZone),
      timezone: entry.timeZone,
      stamp,
      summary: entry.title,
      description: `${entry.description}\nMechanism: ${entry.mechanism}\nAlerts: ${entry.alerts.join(", ") || "none"}`,
      repeating: rule ?? null,
    });
    for (const extra of moreRules) event.x([{ key: "X-UPKEEP-RRULE", value: extra }]);
  }
  return cal.toString();
}
