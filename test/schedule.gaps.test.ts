/**
 * The longest gap between runs of a custom schedule, which sets its
 * missed-run alert. The fast path steps the cron only around clock changes and
 * over one clean period; it must equal stepping the whole 400-day horizon.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { longestGapSeconds, longestGapSecondsByStepping } from "../components/schedule/gaps";

const HOUR = 3600;
const DAY = 24 * HOUR;
const FROM = new Date("2026-11-29T04:00:00Z");
const custom = (cron: string, timeZone: string) => ({ cron, timeZone });

test("a daily run is 24 h apart, 25 h across a fall-back night", () => {
  assert.equal(longestGapSeconds(custom("30 14 * * *", "UTC"), FROM), DAY);
  assert.equal(longestGapSeconds(custom("30 14 * * *", "Europe/Berlin"), FROM), DAY + HOUR);
  assert.equal(longestGapSeconds(custom("30 14 * * *", "Asia/Kolkata"), FROM), DAY);
  // Lord Howe moves its clocks by half an hour.
  assert.equal(longestGapSeconds(custom("30 14 * * *", "Australia/Lord_Howe"), FROM), DAY + HOUR / 2);
});

test("weekdays: the longest stretch between them, plus the fall-back hour", () => {
  // Thursday to Monday is four days; Monday to Thursday three.
  assert.equal(longestGapSeconds(custom("0 13 * * 1,4", "UTC"), FROM), 4 * DAY);
  assert.equal(longestGapSeconds(custom("0 13 * * 1,4", "America/New_York"), FROM), 4 * DAY + HOUR);
});

test("several runs a day: the overnight stretch is the longest", () => {
  assert.equal(longestGapSeconds(custom("15 8,12,18 * * *", "UTC"), FROM), 14 * HOUR);
});

test("a day of the month is stepped over the whole horizon", () => {
  // The 31st skips the short months: 31 May to 31 Jul (and 31 Aug to 31 Oct) is the longest wait.
  assert.equal(longestGapSeconds(custom("0 6 31 * *", "UTC"), FROM), 61 * DAY);
  assert.equal(longestGapSeconds(custom("0 6 29 2 *", "UTC"), FROM), 366 * DAY);
});

test("runs inside the hours a clock change skips or repeats are measured as croner fires them", () => {
  for (const cron of ["30 2 * * *", "*/20 1-3 * * *", "0 1,2,3 * * 0"]) {
    for (const zone of ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"]) {
      assert.equal(longestGapSeconds(custom(cron, zone), FROM), longestGapSecondsByStepping(custom(cron, zone), FROM), `${cron} in ${zone}`);
    }
  }
});

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Santiago", "Australia/Lord_Howe", "Africa/Casablanca", "Antarctica/Troll"];

const list = (min: number, max: number, maxLength: number) =>
  fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength }).map((xs) => xs.sort((a, b) => a - b).join(","));

const scheduleArb = fc.record({
  minutes: list(0, 59, 2),
  // Hours near midnight and the usual change times are the interesting ones.
  hours: fc.oneof(list(0, 23, 3), list(0, 4, 2)),
  weekdays: fc.option(list(0, 6, 3), { nil: undefined }),
  timeZone: fc.constantFrom(...ZONES),
  fromDay: fc.integer({ min: 0, max: 730 }),
});

test("property: the fast path equals stepping the whole horizon", () => {
  fc.assert(
    fc.property(scheduleArb, (s) => {
      const schedule = custom(`${s.minutes} ${s.hours} * * ${s.weekdays ?? "*"}`, s.timeZone);
      const from = new Date(Date.UTC(2026, 0, 1) + s.fromDay * DAY + 7 * 60_000);
      assert.equal(longestGapSeconds(schedule, from), longestGapSecondsByStepping(schedule, from), `${schedule.cron} in ${s.timeZone} from ${from.toISOString()}`);
    }),
    { numRuns: 60 },
  );
});
