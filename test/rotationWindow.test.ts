/**
 * The maintenance window as a Secrets Manager rotation schedule: exact UTC
 * expressions and durations in zones with northern, southern and no daylight
 * saving time, the cadence chosen for each everyDays, the exact errors when a
 * window cannot hold a rotation, and a property: every rotation window that
 * is returned lies inside the local window on every day of 2027.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  credentialWindowProblems,
  rotationCadence,
  rotationSchedule,
  RotationWindowError,
  zoneOffsets,
  type RotationWindowInput,
} from "../components/certificates/rotationWindow";
import { instantOf, localTime } from "../components/schedule/dst";

const HORIZON = { fromYear: 2026 };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const CRON_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const win = (days: string[], start: string, durationMinutes: number): RotationWindowInput => ({ days, start, durationMinutes });
const rules = (w: RotationWindowInput, zone: string, everyDays: number) => {
  const { scheduleExpression, duration } = rotationSchedule(w, zone, everyDays, HORIZON);
  return { scheduleExpression, duration };
};

test("the offsets of a zone over the horizon: standard and daylight time, or one", () => {
  assert.deepEqual(zoneOffsets("Europe/Berlin", 2026), [60, 120]);
  assert.deepEqual(zoneOffsets("America/New_York", 2026), [-300, -240]);
  assert.deepEqual(zoneOffsets("Australia/Sydney", 2026), [600, 660]);
  assert.deepEqual(zoneOffsets("Asia/Tokyo", 2026), [540]);
});

test("Europe/Berlin sat,sun 01:30 for 4 h: 00:30–04:30 UTC in CET and 23:30–03:30 UTC in CEST share 01:00–03:00 UTC", () => {
  const w = win(["sat", "sun"], "01:30", 240);
  assert.deepEqual(rules(w, "Europe/Berlin", 7), { scheduleExpression: "cron(0 1 ? * SAT *)", duration: "2h" });
  assert.deepEqual(rules(w, "Europe/Berlin", 1), { scheduleExpression: "cron(0 1 * * ? *)", duration: "2h" });
});

test("America/New_York 22:00 for 3 h is the next UTC day, 03:00–05:00 (EST 03:00–06:00, EDT 02:00–05:00)", () => {
  assert.deepEqual(rules(win(["sat"], "22:00", 180), "America/New_York", 7), { scheduleExpression: "cron(0 3 ? * SUN *)", duration: "2h" });
});

test("America/New_York 18:00 for 4 h crosses 00:00 UTC: 23:00–02:00 UTC is cut to its longer side, 00:00–02:00 on Sunday", () => {
  assert.deepEqual(rules(win(["sat"], "18:00", 240), "America/New_York", 7), { scheduleExpression: "cron(0 0 ? * SUN *)", duration: "2h" });
});

test("Asia/Tokyo (no DST) sat 02:00 for 2 h is Friday 17:00–19:00 UTC", () => {
  assert.deepEqual(rules(win(["sat"], "02:00", 120), "Asia/Tokyo", 7), { scheduleExpression: "cron(0 17 ? * FRI *)", duration: "2h" });
});

test("Australia/Sydney (DST from October to April): sat 03:00 for 4 h is Friday 17:00–20:00 UTC (AEST 17–21, AEDT 16–20)", () => {
  assert.deepEqual(rules(win(["sat"], "03:00", 240), "Australia/Sydney", 7), { scheduleExpression: "cron(0 17 ? * FRI *)", duration: "3h" });
});

test("Australia/Sydney sat 09:00 for 4 h crosses 00:00 UTC (23:00–02:00): Saturday 00:00–02:00 UTC", () => {
  assert.deepEqual(rules(win(["sat"], "09:00", 240), "Australia/Sydney", 7), { scheduleExpression: "cron(0 0 ? * SAT *)", duration: "2h" });
});

test("when both sides of 00:00 UTC are equally long, the earlier one is kept", () => {
  assert.deepEqual(rules(win(["sat"], "23:00", 120), "Africa/Abidjan", 7), { scheduleExpression: "cron(0 23 ? * SAT *)", duration: "1h" });
});

test("cadence: the sparsest cron whose longest gap stays within everyDays", () => {
  const w = win(["sat", "sun"], "01:30", 240);
  const expression = (everyDays: number) => rules(w, "Europe/Berlin", everyDays).scheduleExpression;
  assert.equal(expression(1), "cron(0 1 * * ? *)");
  assert.equal(expression(6), "cron(0 1 * * ? *)");
  assert.equal(expression(7), "cron(0 1 ? * SAT *)");
  assert.equal(expression(30), "cron(0 1 ? * SAT *)", "monthly could leave 35 days between rotations, more than 30");
  assert.equal(expression(34), "cron(0 1 ? * SAT *)");
  assert.equal(expression(35), "cron(0 1 ? * SAT#1 *)");
  assert.equal(expression(90), "cron(0 1 ? * SAT#1 *)");
  assert.equal(rules(win(["sat"], "02:00", 120), "Asia/Tokyo", 90).scheduleExpression, "cron(0 17 ? * FRI#1 *)");
  assert.deepEqual(rotationCadence(90), { cadence: "monthly", maxDaysBetween: 35 });
  assert.throws(() => rotationCadence(0), { message: "everyDays must be a whole number of days ≥ 1 (got 0)" });
});

test("the first weekday of a month recurs after 28 or 35 days, never more", () => {
  for (const weekday of [0, 3, 6]) {
    const firings: number[] = [];
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2031, 0, 1); t += DAY) {
      const d = new Date(t);
      if (d.getUTCDay() === weekday && d.getUTCDate() <= 7) firings.push(t);
    }
    const gaps = new Set(firings.slice(1).map((t, i) => (t - firings[i]!) / DAY));
    assert.deepEqual([...gaps].sort(), [28, 35]);
  }
});

test("a window with no whole UTC hour in it is rejected with the reason and the smallest fix", () => {
  const expectError = (w: RotationWindowInput, zone: string, message: string) =>
    assert.throws(
      () => rotationSchedule(w, zone, 30, HORIZON),
      (error: unknown) => {
        assert.ok(error instanceof RotationWindowError);
        assert.equal(error.message, message);
        assert.equal(error.message, `${error.reason}; ${error.suggestion}`);
        return true;
      },
    );
  expectError(
    win(["sat"], "02:00", 60),
    "Asia/Kolkata",
    "the maintenance window 02:00–03:00 Asia/Kolkata is 20:30–21:30 UTC, which holds no whole UTC hour, and Secrets Manager rotation windows open on the hour in UTC and last at least 1 hour; " +
      "widen the window to at least 90 minutes (environment.window.durationMinutes: 90) or move its start to 01:30 (environment.window.start)",
  );
  expectError(
    win(["sat", "sun"], "01:30", 120),
    "Europe/Berlin",
    "the maintenance window 01:30–03:30 Europe/Berlin is 00:30–02:30 UTC at UTC+01:00 and 23:30–01:30 UTC at UTC+02:00, which share no whole UTC hour, and Secrets Manager rotation windows open on the hour in UTC and last at least 1 hour; " +
      "widen the window to at least 150 minutes (environment.window.durationMinutes: 150) or move its start to 01:00 (environment.window.start)",
  );
  expectError(
    win(["sun"], "00:15", 90),
    "America/New_York",
    "the maintenance window 00:15–01:45 America/New_York is 05:15–06:45 UTC at UTC-05:00 and 04:15–05:45 UTC at UTC-04:00, which share no whole UTC hour, and Secrets Manager rotation windows open on the hour in UTC and last at least 1 hour; " +
      "widen the window to at least 165 minutes (environment.window.durationMinutes: 165)",
  );
});

test("the config problem names the window once, and every credential that needs it", () => {
  const w = win(["sat"], "02:00", 60);
  assert.deepEqual(credentialWindowProblems([{ everyDays: 1 }, { everyDays: 90 }], w, "Asia/Kolkata", HORIZON), [
    {
      path: "upkeep:environment.window",
      reason:
        "cannot hold the Secrets Manager rotation of upkeep:credentials[0], upkeep:credentials[1]: the maintenance window 02:00–03:00 Asia/Kolkata is 20:30–21:30 UTC, which holds no whole UTC hour, " +
        "and Secrets Manager rotation windows open on the hour in UTC and last at least 1 hour; widen the window to at least 90 minutes (environment.window.durationMinutes: 90) or move its start to 01:30 (environment.window.start)",
    },
  ]);
  assert.deepEqual(credentialWindowProblems([{ everyDays: 30 }], win(["sat"], "02:00", 120), "Asia/Tokyo", HORIZON), []);
});

// ---- the property -------------------------------------------------------

type Ymd = readonly [number, number, number];
const addDays = ([y, m, d]: Ymd, k: number): Ymd => {
  const t = new Date(Date.UTC(y, m - 1, d + k));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
};
const weekdayOf = ([y, m, d]: Ymd) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

/** The local window that opens on local date `date`, as instants. */
function occurrence(zone: string, date: Ymd, w: RotationWindowInput): [number, number] {
  const [h, m] = w.start.split(":").map(Number) as [number, number];
  const end = h * 60 + m + w.durationMinutes;
  const [ey, em, ed] = addDays(date, Math.floor(end / 1440));
  return [instantOf(zone, date[0], date[1], date[2], h, m), instantOf(zone, ey, em, ed, Math.floor((end % 1440) / 60), end % 60)];
}

const CRON = /^cron\(0 (\d{1,2}) (\*|\?) \* (\?|([A-Z]{3})(#1)?) \*\)$/;

/** The UTC rotation windows of a schedule that open in [from, to). */
function firings(expression: string, duration: string, from: number, to: number): [number, number][] {
  const m = CRON.exec(expression);
  assert.ok(m, `unexpected expression ${expression}`);
  const hour = Number(m[1]);
  const weekday = m[4] === undefined ? undefined : CRON_DAYS.indexOf(m[4]);
  const hours = Number(/^(\d+)h$/.exec(duration)![1]);
  assert.ok(hours >= 1 && hour + hours <= 24, `${expression} ${duration} runs past 00:00 UTC`);
  const out: [number, number][] = [];
  for (let day = from; day < to; day += DAY) {
    const d = new Date(day);
    if (weekday !== undefined && d.getUTCDay() !== weekday) continue;
    if (m[5] !== undefined && d.getUTCDate() > 7) continue;
    out.push([day + hour * HOUR, day + (hour + hours) * HOUR]);
  }
  return out;
}

const ZONES = [
  "Europe/Berlin",
  "Europe/London",
  "America/New_York",
  "America/St_Johns",
  "America/Santiago",
  "Asia/Tokyo",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Pacific/Auckland",
  "Pacific/Chatham",
  "UTC",
];

const windowArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.constantFrom(0, 15, 30, 45),
  durationMinutes: fc.integer({ min: 3, max: 144 }).map((n) => n * 5),
  everyDays: fc.integer({ min: 1, max: 120 }),
});

test("property: every returned rotation window is the longest that fits, lies inside the local window on every day of 2027, and comes as often as everyDays asks", () => {
  fc.assert(
    fc.property(windowArb, ({ zone, days, hour, minute, durationMinutes, everyDays }) => {
      const w = win(days, `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`, durationMinutes);
      let schedule;
      try {
        schedule = rotationSchedule(w, zone, everyDays, HORIZON);
      } catch (error) {
        if (!(error instanceof RotationWindowError)) throw error;
        assert.equal(longestFittingHours(zone, w), 0, `${zone} ${w.start}+${durationMinutes}m was rejected, yet a whole UTC hour fits`);
        // Each suggested fix works as suggested.
        const wider = /durationMinutes: (\d+)/.exec(error.suggestion);
        if (wider) assert.doesNotThrow(() => rotationSchedule({ ...w, durationMinutes: Number(wider[1]) }, zone, everyDays, HORIZON));
        const moved = /start to (\d\d:\d\d)/.exec(error.suggestion);
        if (moved) assert.doesNotThrow(() => rotationSchedule({ ...w, start: moved[1]! }, zone, everyDays, HORIZON));
        assert.ok(wider || moved, error.suggestion);
        return;
      }
      assert.equal(schedule.duration, `${longestFittingHours(zone, w)}h`, "not the longest rotation window that fits");
      // Weekly and monthly rotations belong to the window's first day; daily ones to any day.
      const allowed = schedule.cadence === "daily" ? new Set(WEEKDAYS.map((_, i) => i)) : new Set([WEEKDAYS.indexOf(days[0]!)]);
      const opened = firings(schedule.scheduleExpression, schedule.duration, Date.UTC(2027, 0, 1), Date.UTC(2028, 0, 1));
      for (const [from, to] of opened) {
        const local = localTime(zone, from);
        const today: Ymd = [local.year, local.month, local.day];
        const inside = [today, addDays(today, -1)].some((date) => {
          if (!allowed.has(weekdayOf(date))) return false;
          const [open, close] = occurrence(zone, date, w);
          return open <= from && to <= close;
        });
        assert.ok(inside, `${zone} ${w.days} ${w.start}+${durationMinutes}m: ${schedule.scheduleExpression} ${schedule.duration} at ${new Date(from).toISOString()} is outside the window`);
      }
      const gaps = opened.slice(1).map(([t], i) => (t - opened[i]![0]) / DAY);
      assert.ok(Math.max(...gaps) <= Math.min(everyDays, schedule.maxDaysBetween), `gap ${Math.max(...gaps)} days > everyDays ${everyDays}`);
    }),
    { numRuns: 150 },
  );
});

/**
 * Independent of the implementation: the most whole UTC hours, within one UTC
 * day, that fit in both the January and the July occurrence of the window
 * (standard and daylight time in either hemisphere).
 */
function longestFittingHours(zone: string, w: RotationWindowInput): number {
  const samples: Ymd[] = [
    [2027, 1, 9],
    [2027, 7, 10],
  ];
  const windows = samples.map((date) => ({ date, span: occurrence(zone, date, w) }));
  let best = 0;
  for (let shift = -2; shift <= 2; shift++) {
    for (let h = 0; h < 24; h++) {
      for (let length = best + 1; h + length <= 24; length++) {
        const fits = windows.every(({ date, span: [open, close] }) => {
          const from = Date.UTC(date[0], date[1] - 1, date[2] + shift, h);
          return open <= from && from + length * HOUR <= close;
        });
        if (!fits) break;
        best = length;
      }
    }
  }
  return best;
}
