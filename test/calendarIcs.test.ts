/**
 * calendar.ics is checked by a real iCalendar library: ical.js parses it,
 * expands every RRULE in its zone, and the first six occurrences must be the
 * same instants as calendar.json's `next`, which croner computed from the
 * CronJobs' crons and guards.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import ICAL from "ical.js";
import { rrulesForCron } from "../components/calendar/ics";
import { runPlan } from "./support/planChild";

type Entry = { id: string; next: string[]; timeZone: string };

function expand(ics: string): Map<string, number[]> {
  const root = new ICAL.Component(ICAL.parse(ics));
  for (const vtz of root.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(vtz);
  const out = new Map<string, number[]>();
  for (const vevent of root.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(vevent);
    const it = event.iterator();
    const starts: number[] = [];
    for (let t = it.next(); t && starts.length < 6; t = it.next()) starts.push(t.toJSDate().getTime());
    out.set(event.uid, starts);
  }
  return out;
}

for (const [stack, now] of [
  ["prod", "2027-03-20T00:00:00Z"],
  ["staging", "2027-10-25T00:00:00Z"],
  ["dev", "2026-11-29T00:00:00Z"],
] as const) {
  test(`calendar.ics of ${stack} parses and its occurrences equal calendar.json's next runs (across a DST change)`, async () => {
    const plan = await runPlan({ stack, now });
    try {
      assert.equal(plan.code, 0, plan.stderr);
      const entries = plan.json<Entry[]>("calendar.json");
      const expanded = expand(plan.file("calendar.ics")!);
      assert.equal(expanded.size, entries.length);
      for (const entry of entries) {
        const fromIcs = expanded.get(`${entry.id}@upkeep.${stack}`);
        assert.deepEqual(fromIcs, entry.next.map((iso) => Date.parse(iso)), entry.id);
      }
      assert.match(plan.file("calendar.ics")!, /^BEGIN:VCALENDAR\r?\n/);
    } finally {
      plan.cleanup();
    }
  });
}

test("RRULEs say what the cron and its guard do together", () => {
  assert.deepEqual(rrulesForCron("30 0 * * *"), ["FREQ=DAILY"]);
  assert.deepEqual(rrulesForCron("25 4 * * 0"), ["FREQ=WEEKLY;BYDAY=SU"]);
  assert.deepEqual(rrulesForCron("30 4 * * 6", "first-week-of-month"), ["FREQ=MONTHLY;BYDAY=1SA"]);
  assert.deepEqual(rrulesForCron("25 3 * 1,4,7,10 6", "first-week-of-month"), ["FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=1SA"]);
  assert.deepEqual(rrulesForCron("0 2,4 1 * *"), ["FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=2,4;BYMINUTE=0"]);
  assert.deepEqual(rrulesForCron("0 3 1 * 1"), ["FREQ=MONTHLY;BYMONTHDAY=1", "FREQ=WEEKLY;BYDAY=MO"]);
});
