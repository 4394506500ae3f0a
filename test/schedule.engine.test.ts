/**
 * planSchedule on small cases computed by hand. Every case uses the real
 * 5-minute gap (SCHEDULE_DEFAULTS) and spells out the whole result: cron,
 * offset, window day and guard, or the whole error text.
 *
 * Reading the numbers: a task of d minutes holds d + 5 minutes of its
 * timeline (the gap follows it); the window of L minutes offers L + 5, because
 * the last task's gap may run past the window's end.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  planSchedule,
  ScheduleError,
  type ScheduledTask,
  type ScheduleWindow,
  type TaskRequest,
} from "../components/schedule/engine";
import type { Cadence, Weekday } from "../components/schedule/terms";
import { SCHEDULE_DEFAULTS } from "../components/config/tiers";

const OPTIONS = { gapMinutes: 5, dstHorizon: { fromYear: 2027, years: 5 } } as const;

const win = (timeZone: string, start: string, durationMinutes: number, days: Weekday[]): ScheduleWindow => {
  const [h, m] = start.split(":").map(Number);
  return { days, startMinute: h! * 60 + m!, durationMinutes, timeZone };
};
const cadence = (id: string, c: Cadence, durationMinutes: number): TaskRequest => ({ id, cadence: c, durationMinutes, path: `upkeep:tasks.${id}` });
const custom = (id: string, schedule: string, durationMinutes: number, outsideWindow = false): TaskRequest => ({
  id,
  schedule,
  outsideWindow,
  durationMinutes,
  path: `upkeep:jobs.${id}`,
});

/** Runs planSchedule and returns its ScheduleError, failing if it returns. */
function scheduleError(window: ScheduleWindow, tasks: TaskRequest[]): ScheduleError {
  try {
    planSchedule(window, tasks, OPTIONS);
  } catch (e) {
    assert.ok(e instanceof ScheduleError, `expected a ScheduleError, got ${String(e)}`);
    return e;
  }
  assert.fail("planSchedule accepted the tasks");
}

test("the tests use the gap the program uses", () => {
  assert.equal(SCHEDULE_DEFAULTS.gapMinutes, OPTIONS.gapMinutes);
});

describe("daily tasks", () => {
  test("pack from the window start in the order declared, each followed by the 5-minute gap", () => {
    // 01:00–05:00 UTC: a holds [0,35), b [35,60), c [60,75).
    const out = planSchedule(win("UTC", "01:00", 240, ["sat"]), [cadence("a", "daily", 30), cadence("b", "daily", 20), cadence("c", "daily", 10)], OPTIONS);
    assert.deepEqual(out, [
      { id: "a", cadence: "daily", durationMinutes: 30, timeZone: "UTC", offsetMinutes: 0, outsideWindow: false, cron: "0 1 * * *" },
      { id: "b", cadence: "daily", durationMinutes: 20, timeZone: "UTC", offsetMinutes: 35, outsideWindow: false, cron: "35 1 * * *" },
      { id: "c", cadence: "daily", durationMinutes: 10, timeZone: "UTC", offsetMinutes: 60, outsideWindow: false, cron: "0 2 * * *" },
    ]);
  });

  test("the gap sits between tasks but the last one may end exactly at the window's end", () => {
    // 30 + 5 + 30 = 65 minutes: b runs 01:35–02:05, the window ends at 02:05.
    const out = planSchedule(win("UTC", "01:00", 65, ["sat"]), [cadence("a", "daily", 30), cadence("b", "daily", 30)], OPTIONS);
    assert.deepEqual(
      out.map((t) => [t.cron, t.offsetMinutes]),
      [
        ["0 1 * * *", 0],
        ["35 1 * * *", 35],
      ],
    );
    // One minute less and b no longer fits: 70 minutes needed, 64 + 5 offered.
    assert.equal(
      scheduleError(win("UTC", "01:00", 64, ["sat"]), [cadence("a", "daily", 30), cadence("b", "daily", 30)]).message,
      "upkeep:environment.window.durationMinutes: the tasks need 70 minutes in the Sunday window (each with a 5-minute gap, b included) " +
        "but only 69 are available (64 minutes plus the last gap), and the longest free stretch left is 34 minutes against the 35 it needs; lengthen the window, add a window day, or shorten or move tasks",
    );
  });

  test("skip the hour that daylight saving time skips or repeats (Europe/Berlin, 02:00–03:00)", () => {
    // 01:30 Berlin: offsets [30,90) are 02:00–03:00. a [0,35) would reach 02:05, so a starts at 03:00;
    // b (20+5) ends, gap included, exactly at 02:00, so it takes the minutes before the hour.
    const out = planSchedule(
      win("Europe/Berlin", "01:30", 240, ["sat"]),
      [cadence("a", "daily", 30), cadence("b", "daily", 20), cadence("c", "daily", 20)],
      OPTIONS,
    );
    assert.deepEqual(
      out.map((t) => [t.id, t.cron, t.offsetMinutes]),
      [
        ["a", "0 3 * * *", 90],
        ["b", "30 1 * * *", 0],
        ["c", "35 3 * * *", 125],
      ],
    );
  });
});

describe("weekly, monthly and quarterly tasks", () => {
  test("pack from the window end onto the window day with the latest free slot; ties go to the day listed first", () => {
    // 01:00–05:00 UTC on sat and sun, 245 minutes with the last gap.
    //   w1 (30+5): sat and sun both end free → sat, [210,245) = 04:30
    //   w2 (30+5): sat's latest is 175, sun's 210 → sun, 04:30
    //   m  (60+5): sat 145, sun 145 → sat, [145,210) = 03:25
    //   q  (20+5): sat 120, sun 185 → sun, [185,210) = 04:05
    //   d  daily, declared last, still starts the window: [0,35) = 01:00
    const out = planSchedule(
      win("UTC", "01:00", 240, ["sat", "sun"]),
      [cadence("w1", "weekly", 30), cadence("w2", "weekly", 30), cadence("m", "monthly", 60), cadence("q", "quarterly", 20), cadence("d", "daily", 30)],
      OPTIONS,
    );
    const base = { timeZone: "UTC", outsideWindow: false };
    assert.deepEqual(out, [
      { ...base, id: "w1", cadence: "weekly", durationMinutes: 30, offsetMinutes: 210, windowDay: "sat", cron: "30 4 * * 6" },
      { ...base, id: "w2", cadence: "weekly", durationMinutes: 30, offsetMinutes: 210, windowDay: "sun", cron: "30 4 * * 0" },
      { ...base, id: "m", cadence: "monthly", durationMinutes: 60, offsetMinutes: 145, windowDay: "sat", cron: "25 3 * * 6", guard: "first-week-of-month" },
      { ...base, id: "q", cadence: "quarterly", durationMinutes: 20, offsetMinutes: 185, windowDay: "sun", cron: "5 4 * 1,4,7,10 0", guard: "first-week-of-month" },
      { ...base, id: "d", cadence: "daily", durationMinutes: 30, offsetMinutes: 0, cron: "0 1 * * *" },
    ] satisfies ScheduledTask[]);
  });

  test("the order of the window's days breaks ties", () => {
    const out = planSchedule(win("UTC", "01:00", 240, ["sun", "sat"]), [cadence("w1", "weekly", 30), cadence("w2", "weekly", 30)], OPTIONS);
    assert.deepEqual(
      out.map((t) => [t.windowDay, t.cron]),
      [
        ["sun", "30 4 * * 0"],
        ["sat", "30 4 * * 6"],
      ],
    );
  });

  test("a window crossing midnight: a slot after midnight fires on the next weekday, one before it on the window day", () => {
    // Fri 23:00 – Sat 04:00 UTC (300 minutes, 305 with the last gap).
    //   d daily  (30+5):  [0,35)    = 23:00 every day
    //   w weekly (30+5):  [270,305) = Sat 03:30
    //   m monthly(60+5):  [205,270) = Sat 02:25
    //   q quarterly (45+5): [155,205) = Sat 01:35
    //   late weekly (100+5): [50,155) = Fri 23:50, still before midnight
    const out = planSchedule(
      win("UTC", "23:00", 300, ["fri"]),
      [cadence("d", "daily", 30), cadence("w", "weekly", 30), cadence("m", "monthly", 60), cadence("q", "quarterly", 45), cadence("late", "weekly", 100)],
      OPTIONS,
    );
    assert.deepEqual(
      out.map((t) => [t.id, t.cron, t.offsetMinutes, t.windowDay, t.guard]),
      [
        ["d", "0 23 * * *", 0, undefined, undefined],
        ["w", "30 3 * * 6", 270, "fri", undefined],
        ["m", "25 2 * * 6", 205, "fri", "first-week-of-month"],
        ["q", "35 1 * 1,4,7,10 6", 155, "fri", "first-week-of-month"],
        ["late", "50 23 * * 5", 50, "fri", undefined],
      ],
    );
  });

  test("a Saturday window crossing midnight fires after midnight on Sunday (day 0), not day 7", () => {
    const out = planSchedule(win("UTC", "22:00", 240, ["sat"]), [cadence("w", "weekly", 60)], OPTIONS);
    assert.deepEqual(out.map((t) => [t.cron, t.offsetMinutes, t.windowDay]), [["0 1 * * 0", 180, "sat"]]);
  });
});

describe("stability: tasks are placed in the order declared", () => {
  test("a daily task declared after a weekly one never moves it into the hole before the clock change", () => {
    // Berlin 00:00–05:00 on sat; [120,180) is 02:00–03:00. d0 holds [0,85), w [275,305) = 04:35.
    const window = win("Europe/Berlin", "00:00", 300, ["sat"]);
    const before = planSchedule(window, [cadence("d0", "daily", 80), cadence("w", "weekly", 25)], OPTIONS);
    assert.deepEqual(before.map((t) => [t.id, t.cron, t.offsetMinutes]), [
      ["d0", "0 0 * * *", 0],
      ["w", "35 4 * * 6", 275],
    ]);
    // A 20-minute daily task fits between 03:00 and 04:35 and leaves both alone.
    const after = planSchedule(window, [cadence("d0", "daily", 80), cadence("w", "weekly", 25), cadence("d1", "daily", 20)], OPTIONS);
    assert.deepEqual(after.map((t) => [t.id, t.cron, t.offsetMinutes]), [
      ["d0", "0 0 * * *", 0],
      ["w", "35 4 * * 6", 275],
      ["d1", "25 1 * * *", 85],
    ]);
    // A 100-minute one would fit only by moving w to 01:30, so it is an error instead. The numbers
    // count minutes, not the shape of the free space: [85,120) and [180,275) are both too short.
    assert.equal(
      scheduleError(window, [cadence("d0", "daily", 80), cadence("w", "weekly", 25), cadence("d1", "daily", 100)]).message,
      "upkeep:environment.window.durationMinutes: the tasks need 220 minutes in the Saturday window (each with a 5-minute gap, d1 included) " +
        "but only 245 are available (300 minutes plus the last gap, less 60 around the hour that daylight saving time skips or repeats in Europe/Berlin), " +
        "and the longest free stretch left is 95 minutes against the 105 it needs; " +
        "lengthen the window, add a window day, or shorten or move tasks",
    );
  });
});

describe("custom schedules", () => {
  test("inside the window: accepted, normalised, and its minutes are reserved", () => {
    // 01:00–05:00 UTC. c1 every day at 01:00 holds [0,35) everywhere; c2 on Saturday 04:00 holds [180,215) on sat.
    // The daily task starts after c1; the weekly one ends before c2 on sat: [145,180) = 03:25.
    const out = planSchedule(
      win("UTC", "01:00", 240, ["sat"]),
      [cadence("d", "daily", 30), custom("c1", "0 1 * * *", 30), cadence("w", "weekly", 30), custom("c2", " 0  4 * *   6 ", 30)],
      OPTIONS,
    );
    assert.deepEqual(out, [
      { id: "d", cadence: "daily", durationMinutes: 30, timeZone: "UTC", offsetMinutes: 35, outsideWindow: false, cron: "35 1 * * *" },
      { id: "c1", cadence: "custom", durationMinutes: 30, cron: "0 1 * * *", timeZone: "UTC", offsetMinutes: 0, outsideWindow: false },
      { id: "w", cadence: "weekly", durationMinutes: 30, timeZone: "UTC", offsetMinutes: 145, outsideWindow: false, windowDay: "sat", cron: "25 3 * * 6" },
      { id: "c2", cadence: "custom", durationMinutes: 30, cron: "0 4 * * 6", timeZone: "UTC", offsetMinutes: 180, outsideWindow: false },
    ] satisfies ScheduledTask[]);
  });

  test("exactly 5 minutes after another custom schedule is accepted; 4 minutes is not", () => {
    const ok = planSchedule(win("UTC", "01:00", 240, ["sat"]), [custom("a", "0 1 * * *", 30), custom("b", "35 1 * * *", 30)], OPTIONS);
    assert.deepEqual(ok.map((t) => t.offsetMinutes), [0, 35]);
    assert.deepEqual(scheduleError(win("UTC", "01:00", 240, ["sat"]), [custom("a", "0 1 * * *", 30), custom("b", "34 1 * * *", 30)]).problems, [
      { path: "upkeep:jobs.b.schedule", reason: "overlaps a (with the 5-minute gap); move one of them" },
    ]);
  });

  test("outside the window: the exact error", () => {
    const e = scheduleError(win("UTC", "01:00", 240, ["sat"]), [custom("late", "30 4 * * *", 60)]);
    assert.equal(
      e.message,
      "upkeep:jobs.late.schedule: runs 04:30–05:30, outside the maintenance window 01:00–05:00 UTC; move it inside or set outsideWindow: true",
    );
    assert.deepEqual(e.problems, [
      {
        path: "upkeep:jobs.late.schedule",
        reason: "runs 04:30–05:30, outside the maintenance window 01:00–05:00 UTC; move it inside or set outsideWindow: true",
      },
    ]);
  });

  test("outside the window with outsideWindow: true: accepted, with no offset and no reserved minutes", () => {
    // The custom task runs 00:30–05:30, over the whole window; the daily task still starts at 01:00.
    const out = planSchedule(win("UTC", "01:00", 240, ["sat"]), [custom("scan", "30 0 * * *", 300, true), cadence("d", "daily", 30)], OPTIONS);
    assert.deepEqual(out, [
      { id: "scan", cadence: "custom", durationMinutes: 300, cron: "30 0 * * *", timeZone: "UTC", offsetMinutes: undefined, outsideWindow: true },
      { id: "d", cadence: "daily", durationMinutes: 30, timeZone: "UTC", offsetMinutes: 0, outsideWindow: false, cron: "0 1 * * *" },
    ] satisfies ScheduledTask[]);
  });

  test("inside the window with outsideWindow: true: accepted but reserves nothing", () => {
    const out = planSchedule(win("UTC", "01:00", 240, ["sat"]), [custom("c", "0 1 * * *", 30, true), cadence("d", "daily", 30)], OPTIONS);
    assert.deepEqual(out.map((t) => [t.cron, t.offsetMinutes, t.outsideWindow]), [
      ["0 1 * * *", undefined, true],
      ["0 1 * * *", 0, false],
    ]);
  });

  test("on a weekday that is not a window day: the exact error", () => {
    const e = scheduleError(win("UTC", "01:00", 240, ["sat", "sun"]), [custom("mid", "0 2 * * 3", 30)]);
    assert.equal(
      e.message,
      "upkeep:jobs.mid.schedule: runs in the window of Wednesday, which is not a window day (sat, sun); run it every day or on a window day, or set outsideWindow: true",
    );
  });

  test("after midnight, a custom schedule belongs to the window that started the day before", () => {
    // Window Fri 23:00 – Sat 04:00. Saturday 01:00 is in Friday's window; Friday 01:00 is in Thursday's.
    const ok = planSchedule(win("UTC", "23:00", 300, ["fri"]), [custom("sat1", "0 1 * * 6", 30)], OPTIONS);
    assert.deepEqual(ok.map((t) => [t.cron, t.offsetMinutes]), [["0 1 * * 6", 120]]);
    assert.equal(
      scheduleError(win("UTC", "23:00", 300, ["fri"]), [custom("fri1", "0 1 * * 5", 30)]).message,
      "upkeep:jobs.fri1.schedule: runs in the window of Thursday, which is not a window day (fri); run it every day or on a window day, or set outsideWindow: true",
    );
  });

  test("overlapping custom schedules: the exact error, on the later one", () => {
    const e = scheduleError(win("UTC", "01:00", 240, ["sat"]), [custom("first", "0 2 * * 6", 60), custom("second", "30 2 * * *", 30)]);
    assert.equal(e.message, "upkeep:jobs.second.schedule: overlaps first (with the 5-minute gap); move one of them");
  });

  test("at 02:30 in Europe/Berlin: the daylight saving time error", () => {
    const e = scheduleError(win("Europe/Berlin", "01:00", 240, ["sat"]), [custom("dst", "30 2 * * 6", 20)]);
    assert.equal(
      e.message,
      "upkeep:jobs.dst.schedule: runs at 02:30, too close to the hour that daylight saving time skips or repeats in Europe/Berlin; move it",
    );
    // Ending at 02:00 leaves no room for the gap either.
    assert.equal(
      scheduleError(win("Europe/Berlin", "01:00", 240, ["sat"]), [custom("close", "30 1 * * 6", 30)]).message,
      "upkeep:jobs.close.schedule: runs at 01:30, too close to the hour that daylight saving time skips or repeats in Europe/Berlin; move it",
    );
    // 01:25–01:55 plus the gap ends exactly at 02:00: accepted. So is 03:00.
    const ok = planSchedule(win("Europe/Berlin", "01:00", 240, ["sat"]), [custom("a", "25 1 * * 6", 30), custom("b", "0 3 * * 6", 30)], OPTIONS);
    assert.deepEqual(ok.map((t) => t.offsetMinutes), [25, 120]);
  });

  test("a day of the month in a window that is not every day: the exact error", () => {
    assert.equal(
      scheduleError(win("UTC", "01:00", 240, ["sat"]), [custom("dom", "0 2 1 * *", 30)]).message,
      "upkeep:jobs.dom.schedule: runs on a day of the month, whatever the weekday, but weekly and longer tasks must run on a window day (sat); use cadence: monthly, or set outsideWindow: true",
    );
  });
});

describe("tasks that do not fit", () => {
  test("weekly tasks: the whole message names the window day, the need and what is available", () => {
    const e = scheduleError(win("UTC", "01:00", 120, ["sat"]), [cadence("a", "weekly", 60), cadence("b", "weekly", 60)]);
    assert.equal(
      e.message,
      "upkeep:environment.window.durationMinutes: the tasks need 130 minutes in the Saturday window (each with a 5-minute gap, b included) " +
        "but only 125 are available (120 minutes plus the last gap), and the longest free stretch left is 60 minutes against the 65 it needs; lengthen the window, add a window day, or shorten or move tasks",
    );
  });

  test("with the daylight saving time hour inside the window, the message subtracts it", () => {
    // Berlin 01:00–04:00: [60,120) is lost to 02:00–03:00. a takes [120,185); b (70+5) has only [0,60) left.
    const e = scheduleError(win("Europe/Berlin", "01:00", 180, ["sat"]), [cadence("a", "weekly", 60), cadence("b", "weekly", 70)]);
    assert.deepEqual(e.problems, [
      {
        path: "upkeep:environment.window.durationMinutes",
        reason:
          "the tasks need 140 minutes in the Saturday window (each with a 5-minute gap, b included) but only 125 are available " +
          "(180 minutes plus the last gap, less 60 around the hour that daylight saving time skips or repeats in Europe/Berlin), " +
          "and the longest free stretch left is 60 minutes against the 75 it needs; " +
          "lengthen the window, add a window day, or shorten or move tasks",
      },
    ]);
  });

  test("ScheduleError.problems lists every problem at once, customs first, and the message joins them", () => {
    const e = scheduleError(win("Europe/Berlin", "01:00", 180, ["sat"]), [
      cadence("big", "weekly", 200),
      custom("out", "30 3 * * *", 60),
      custom("wed", "0 1 * * 3", 10),
      custom("one", "15 1 * * *", 10),
      custom("two", "20 1 * * *", 10),
      custom("dst", "30 2 * * *", 10),
    ]);
    const expected = [
      { path: "upkeep:jobs.out.schedule", reason: "runs 03:30–04:30, outside the maintenance window 01:00–04:00 Europe/Berlin; move it inside or set outsideWindow: true" },
      {
        path: "upkeep:jobs.wed.schedule",
        reason: "runs in the window of Wednesday, which is not a window day (sat); run it every day or on a window day, or set outsideWindow: true",
      },
      { path: "upkeep:jobs.two.schedule", reason: "overlaps one (with the 5-minute gap); move one of them" },
      { path: "upkeep:jobs.dst.schedule", reason: "runs at 02:30, too close to the hour that daylight saving time skips or repeats in Europe/Berlin; move it" },
      {
        path: "upkeep:environment.window.durationMinutes",
        reason:
          "the tasks need 220 minutes in the Saturday window (each with a 5-minute gap, big included) but only 125 are available " +
          "(180 minutes plus the last gap, less 60 around the hour that daylight saving time skips or repeats in Europe/Berlin), " +
          "and the longest free stretch left is 65 minutes against the 205 it needs; " +
          "lengthen the window, add a window day, or shorten or move tasks",
      },
    ];
    assert.deepEqual(e.problems, expected);
    assert.equal(e.message, expected.map((p) => `${p.path}: ${p.reason}`).join("\n"));
    assert.equal(e.name, "ScheduleError");
  });
});
