/**
 * The proof, over two years of real dates: 2027-01-01 .. 2028-12-31.
 *
 * For each zone and window the engine schedules a daily, a weekly, a monthly
 * and a quarterly task plus a custom schedule; croner (the same library the
 * calendar uses) enumerates every firing of each cron in the zone, and
 * passesGuard (the TypeScript twin of period-guard.sh) drops the runs the job
 * would skip. Then, for every run that passes:
 *   - the local wall clock shows the cron's hour:minute (no clock change moved it);
 *   - it starts inside a window instance, and a non-daily task inside the one
 *     that began on its window day;
 *   - there is exactly one per period: per local day (daily), per window week
 *     (weekly), per calendar month (monthly), per quarter (quarterly);
 *   - no two tasks' runs overlap in real time, and the gap between them holds.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Cron } from "croner";
import { parseCron } from "../components/schedule/cronFields";
import { passesGuard } from "../components/schedule/describe";
import { localTime, unsafeLocalRanges, type LocalTime } from "../components/schedule/dst";
import { planSchedule, type ScheduledTask, type ScheduleWindow, type TaskRequest } from "../components/schedule/engine";
import { WEEKDAYS, type Weekday } from "../components/schedule/terms";

const GAP = 5;
const HORIZON = { fromYear: 2027, years: 2 };
const FIRST = "2027-01-01";
const LAST = "2028-12-31";
const MINUTE = 60_000;

const ZONES = [
  "Europe/Berlin", // 02:00 → 03:00 in March, 03:00 → 02:00 in October
  "America/New_York", // 02:00 → 03:00, 02:00 → 01:00: an unsafe range of two hours
  "Australia/Sydney", // southern hemisphere: forward in October, back in April
  "Asia/Kolkata", // no daylight saving time
  "America/Santiago", // the change happens at midnight
  "Australia/Lord_Howe", // a 30-minute change
  "Asia/Jerusalem", // forward on a Friday, back on a Sunday
  "Africa/Cairo", // forward at Friday 00:00, back at Thursday 24:00
  "UTC",
];

interface WindowCase {
  readonly name: string;
  readonly start: number;
  readonly durationMinutes: number;
  readonly days: readonly Weekday[];
  /** Inside the window and clear of every zone's clock change. */
  readonly custom: { readonly schedule: string; readonly durationMinutes: number };
}

const WINDOWS: readonly WindowCase[] = [
  // Friday and Saturday nights; Santiago's midnight change and Berlin's 02:00 both fall inside.
  { name: "23:00 for 300 minutes on fri, sat (crosses midnight)", start: 23 * 60, durationMinutes: 300, days: ["fri", "sat"], custom: { schedule: "20 3 * * *", durationMinutes: 20 } },
  // The 02:00 change of Berlin, Sydney and New York is inside the window.
  { name: "01:30 for 240 minutes on sat, sun (the clock change inside)", start: 90, durationMinutes: 240, days: ["sat", "sun"], custom: { schedule: "10 3 * * 0", durationMinutes: 20 } },
  // One window day; midnight is the window's start.
  { name: "00:00 for 360 minutes on wed", start: 0, durationMinutes: 360, days: ["wed"], custom: { schedule: "30 4 * * *", durationMinutes: 20 } },
];

const TASKS = (w: WindowCase): TaskRequest[] => [
  { id: "daily", cadence: "daily", durationMinutes: 30, path: "t.daily" },
  { id: "weekly", cadence: "weekly", durationMinutes: 25, path: "t.weekly" },
  { id: "monthly", cadence: "monthly", durationMinutes: 40, path: "t.monthly" },
  { id: "quarterly", cadence: "quarterly", durationMinutes: 20, path: "t.quarterly" },
  { id: "custom", schedule: w.custom.schedule, durationMinutes: w.custom.durationMinutes, outsideWindow: false, path: "t.custom" },
];

const pad = (n: number) => String(n).padStart(2, "0");
const dateKey = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
/** The calendar date `days` after y-m-d, and its weekday. */
function shiftDate(y: number, m: number, d: number, days: number): { key: string; weekday: number } {
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return { key: dateKey(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()), weekday: t.getUTCDay() };
}
/** Every calendar date of the proof, with its weekday. */
const ALL_DATES: { key: string; weekday: number }[] = [];
for (let i = 0; ; i++) {
  const d = shiftDate(2027, 1, 1, i);
  if (d.key > LAST) break;
  ALL_DATES.push(d);
}

interface Run {
  readonly task: ScheduledTask;
  readonly at: number;
  readonly local: LocalTime;
  /** The date and weekday on which the window instance holding this run began. */
  readonly instance: { key: string; weekday: number };
}

/** Every firing croner computes around the proof's two years, with the guard applied. */
function passingRuns(task: ScheduledTask, window: ScheduleWindow): { runs: Run[]; fired: number } {
  const cron = new Cron(task.cron, { timezone: task.timeZone, legacyMode: true, paused: true });
  const end = Date.UTC(2029, 0, 8);
  const runs: Run[] = [];
  let fired = 0;
  for (let next = cron.nextRun(new Date(Date.UTC(2026, 11, 24))); next && next.getTime() < end; next = cron.nextRun(next)) {
    fired++;
    if (!passesGuard(task, next.getTime())) continue;
    const local = localTime(task.timeZone, next.getTime());
    const minute = local.hour * 60 + local.minute;
    // Before the window's start time of day, the run belongs to the instance that began the day before.
    const instance = shiftDate(local.year, local.month, local.day, minute >= window.startMinute ? 0 : -1);
    runs.push({ task, at: next.getTime(), local, instance });
  }
  return { runs, fired };
}

const runDate = (r: Run) => dateKey(r.local.year, r.local.month, r.local.day);
const inProof = (key: string) => key >= FIRST && key <= LAST;

function assertOnePer(runs: readonly Run[], keyOf: (r: Run) => string, expected: readonly string[], what: string): void {
  const seen = new Map<string, number>();
  for (const r of runs) seen.set(keyOf(r), (seen.get(keyOf(r)) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  assert.deepEqual(twice, [], `${what}: more than one run in ${twice.join(", ")}`);
  assert.deepEqual([...seen.keys()].sort(), [...expected].sort(), `${what}: a period without a run, or a run outside every period`);
}

/**
 * Checks every run of one task in the proof's two years and returns those runs
 * (by local date). Throws, saying which run and why, when a check fails.
 */
function proveTask(task: ScheduledTask, window: ScheduleWindow): Run[] {
  const { runs, fired } = passingRuns(task, window);
  const cron = parseCron(task.cron);
  const label = `${task.id} (${task.cron}, ${window.timeZone})`;
  const everyDay = task.cadence === "daily" || (task.cadence === "custom" && cron.daysOfWeek === undefined);
  for (const r of runs) {
    const when = `${label} at ${new Date(r.at).toISOString()}`;
    // The wall clock shows the cron's time: no clock change shifted the run.
    assert.deepEqual([r.local.hour, r.local.minute], [cron.hours[0], cron.minutes[0]], `${when}: wall time moved`);
    // Inside a window instance: its start minute leaves room for the whole task.
    const offset = (r.local.hour * 60 + r.local.minute - window.startMinute + 1440) % 1440;
    assert.ok(offset <= window.durationMinutes - task.durationMinutes, `${when}: starts ${offset} minutes into the window`);
    assert.equal(offset, task.offsetMinutes, `${when}: not at its slot`);
    if (everyDay) continue;
    // Non-daily runs sit in an instance that began on a window day (for generated tasks, the one given).
    assert.ok(window.days.includes(WEEKDAYS[r.instance.weekday]!), `${when}: in the window of ${WEEKDAYS[r.instance.weekday]}, not a window day`);
    if (task.windowDay) assert.equal(WEEKDAYS[r.instance.weekday], task.windowDay, `${when}: not in its window day's instance`);
  }
  const inRange = (keyOf: (r: Run) => string) => runs.filter((r) => inProof(keyOf(r)));
  switch (task.cadence) {
    case "daily":
      assertOnePer(inRange(runDate), runDate, ALL_DATES.map((d) => d.key), `${label} per local day`);
      assert.equal(inRange(runDate).length, 731);
      break;
    case "custom":
      if (everyDay) {
        assertOnePer(inRange(runDate), runDate, ALL_DATES.map((d) => d.key), `${label} per local day`);
      } else {
        const shift = window.startMinute + task.offsetMinutes! >= 1440 ? 1 : 0;
        const days = ALL_DATES.filter((d) => cron.daysOfWeek!.includes((d.weekday + shift) % 7)).map((d) => d.key);
        assertOnePer(inRange((r) => r.instance.key), (r) => r.instance.key, days, `${label} per window week`);
      }
      break;
    case "weekly": {
      // One run in the window of each week's window day, so one per window week.
      const days = ALL_DATES.filter((d) => WEEKDAYS[d.weekday] === task.windowDay).map((d) => d.key);
      assert.ok(days.length === 104 || days.length === 105);
      assertOnePer(inRange((r) => r.instance.key), (r) => r.instance.key, days, `${label} per window week`);
      break;
    }
    case "monthly": {
      const months = [2027, 2028].flatMap((y) => Array.from({ length: 12 }, (_, i) => `${y}-${pad(i + 1)}`));
      const month = (r: Run) => `${r.local.year}-${pad(r.local.month)}`;
      assertOnePer(inRange(runDate), month, months, `${label} per calendar month`);
      for (const r of inRange(runDate)) assert.ok(r.local.day <= 7);
      // The cron fires every week; the guard lets about one in four through.
      assert.ok(fired >= 104 && fired <= 112, `${label} fired ${fired} times`);
      break;
    }
    case "quarterly": {
      const quarters = ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4", "2028-Q1", "2028-Q2", "2028-Q3", "2028-Q4"];
      const quarter = (r: Run) => `${r.local.year}-Q${Math.ceil(r.local.month / 3)}`;
      assertOnePer(inRange(runDate), quarter, quarters, `${label} per quarter`);
      for (const r of inRange(runDate)) assert.ok([1, 4, 7, 10].includes(r.local.month) && r.local.day <= 7);
      break;
    }
  }
  return inRange(runDate);
}

/** No two runs overlap in real time, and the gap between them holds even across clock changes. */
function proveNoOverlap(runs: readonly Run[]): void {
  const all = [...runs].sort((a, b) => a.at - b.at);
  let last: Run | undefined;
  for (const cur of all) {
    if (last) {
      const lastEnd = last.at + last.task.durationMinutes * MINUTE;
      assert.ok(
        cur.at >= lastEnd + GAP * MINUTE,
        `${last.task.id} at ${new Date(last.at).toISOString()} runs into ${cur.task.id} at ${new Date(cur.at).toISOString()} (${cur.task.timeZone})`,
      );
    }
    if (!last || cur.at + cur.task.durationMinutes * MINUTE > last.at + last.task.durationMinutes * MINUTE) last = cur;
  }
}

for (const zone of ZONES) {
  describe(`two years of runs in ${zone}`, () => {
    for (const wc of WINDOWS) {
      test(wc.name, () => {
        const window: ScheduleWindow = { days: wc.days, startMinute: wc.start, durationMinutes: wc.durationMinutes, timeZone: zone };
        const plan = planSchedule(window, TASKS(wc), { gapMinutes: GAP, dstHorizon: HORIZON });
        assert.deepEqual(plan.map((t) => t.cadence), ["daily", "weekly", "monthly", "quarterly", "custom"]);
        proveNoOverlap(plan.flatMap((task) => proveTask(task, window)));
      });
    }
  });
}

describe("the proof's checks fail on schedules that break the rules", () => {
  const berlin: ScheduleWindow = { days: ["sat", "sun"], startMinute: 90, durationMinutes: 240, timeZone: "Europe/Berlin" };
  const task = (over: Partial<ScheduledTask>): ScheduledTask => ({
    id: "x",
    cadence: "daily",
    durationMinutes: 20,
    cron: "0 4 * * *",
    timeZone: "Europe/Berlin",
    offsetMinutes: 150,
    outsideWindow: false,
    ...over,
  });
  test("a daily run at 02:30 in Berlin, the hour the clock skips and repeats", () => {
    // croner moves the skipped 02:30 of 28 March 2027 to 03:30 CEST (and runs the repeated one once).
    assert.throws(() => proveTask(task({ cron: "30 2 * * *", offsetMinutes: 60 }), berlin), {
      message: /^x \(30 2 \* \* \*, Europe\/Berlin\) at 2027-03-28T01:30:00\.000Z: wall time moved(\n|$)/,
    });
  });
  test("a monthly cron without its guard runs every week", () => {
    assert.throws(() => proveTask(task({ cadence: "monthly", cron: "0 4 * * 6", windowDay: "sat" }), berlin), /more than one run in 2027-01/);
  });
  test("a 'first Saturday' cron with a day-of-month runs on days 1-7 and on every Saturday", () => {
    const orCron = task({ cadence: "monthly", cron: "0 4 1-7 * 6", windowDay: "sat", guard: undefined });
    // Day-of-month OR day-of-week: Friday 1 January 2027 04:00 is one of its runs.
    assert.throws(() => proveTask(orCron, berlin), { message: "x (0 4 1-7 * 6, Europe/Berlin) at 2027-01-01T03:00:00.000Z: in the window of fri, not a window day" });
  });
  test("a slot after midnight that keeps the window day's weekday lands in the next week's window", () => {
    const friNight: ScheduleWindow = { days: ["fri"], startMinute: 23 * 60, durationMinutes: 300, timeZone: "UTC" };
    assert.throws(() => proveTask(task({ cadence: "weekly", cron: "0 2 * * 5", windowDay: "fri", offsetMinutes: 180 }), friNight), /in the window of thu, not a window day/);
  });
  test("two tasks whose runs overlap, or keep less than the gap", () => {
    const a = proveTask(task({ id: "a", cron: "0 4 * * *", offsetMinutes: 150 }), berlin);
    const b = proveTask(task({ id: "b", cron: "24 4 * * *", offsetMinutes: 174 }), berlin);
    assert.throws(() => proveNoOverlap([...a, ...b]), /a at 2027-01-01T03:00:00.000Z runs into b at 2027-01-01T03:24:00.000Z/);
    const c = proveTask(task({ id: "c", cron: "25 4 * * *", offsetMinutes: 175 }), berlin);
    proveNoOverlap([...a, ...c]);
  });
});

describe("unsafeLocalRanges: local minutes that a clock change skips or repeats", () => {
  const ranges = (zone: string) => unsafeLocalRanges(zone, HORIZON);
  test("Europe/Berlin: 02:00–03:00 skipped in March, repeated in October", () => {
    assert.deepEqual(ranges("Europe/Berlin"), [{ from: 120, to: 180 }]);
  });
  test("America/New_York: 02:00–03:00 skipped, 01:00–02:00 repeated, merged", () => {
    assert.deepEqual(ranges("America/New_York"), [{ from: 60, to: 180 }]);
  });
  test("Australia/Sydney: the same hour, in the other half of the year", () => {
    assert.deepEqual(ranges("Australia/Sydney"), [{ from: 120, to: 180 }]);
  });
  test("Asia/Kolkata and UTC: none", () => {
    assert.deepEqual(ranges("Asia/Kolkata"), []);
    assert.deepEqual(ranges("UTC"), []);
  });
  test("America/Santiago: at midnight, split where the day ends", () => {
    assert.deepEqual(ranges("America/Santiago"), [
      { from: 0, to: 60 },
      { from: 1380, to: 1440 },
    ]);
  });
  test("Australia/Lord_Howe: 02:00–02:30 skipped, 01:30–02:00 repeated", () => {
    assert.deepEqual(ranges("Australia/Lord_Howe"), [{ from: 90, to: 150 }]);
  });
});
