/**
 * planSchedule on small cases computed by hand. Every case uses the real
 * 5-minute gap (SCHEDULE_DEFAULTS) and spells out the whole result: cron,
 * offset, window day and guard, or the whole error text.
 *
 * Reading the numbers: a task of d minutes holds d + 5 minutes of its
 * timeline (the gap follows it); the window of L minutes offers L + 5, because
 * the last task's gap may run past the window's end. Every task takes the
 * earliest minutes it may have, counted from the window's start; daily tasks
 * look through weekly, monthly and quarterly ones, which make way for them.
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
    // One minute less and b no longer fits: the slot after a is 29 minutes, 01:35–02:04.
    assert.equal(
      scheduleError(win("UTC", "01:00", 64, ["sat"]), [cadence("a", "daily", 30), cadence("b", "daily", 30)]).message,
      "upkeep:environment.window.durationMinutes: b (upkeep:tasks.b) does not fit: a daily task needs the same free 30-minute slot, with the 5-minute gap after it, on every day, " +
        "and the longest slot free on every day is 29 minutes, 01:35–02:04; on Saturday tasks hold 30 of the window's 64 minutes; lengthen the window, or shorten or move tasks",
    );
  });

  test("keep clear of the hour daylight saving time skips or repeats, although it does so only on Sundays (Europe/Berlin, 02:00–03:00)", () => {
    // 01:30 Berlin: offsets [30,90) are 02:00–03:00 on the Sunday instance, and a daily task runs on Sundays too.
    // A slot may end where the change begins (a, 01:30–02:00); the next starts a gap after it ends (b, 03:05).
    const out = planSchedule(
      win("Europe/Berlin", "01:30", 240, ["sat"]),
      [cadence("a", "daily", 30), cadence("b", "daily", 20), cadence("c", "daily", 20)],
      OPTIONS,
    );
    assert.deepEqual(
      out.map((t) => [t.id, t.cron, t.offsetMinutes]),
      [
        ["a", "30 1 * * *", 0],
        ["b", "5 3 * * *", 95],
        ["c", "30 3 * * *", 120],
      ],
    );
  });
});

describe("weekly, monthly and quarterly tasks", () => {
  test("take the earliest free minutes on the window day where they come first; ties go to the day listed first", () => {
    // 01:00–05:00 UTC on sat and sun; d holds [0,35) on every day.
    //   w1 (30+5): sat 35, sun 35 → sat [35,70) = 01:35
    //   w2 (30+5): sat 70, sun 35 → sun [35,70)
    //   m  (60+5): sat 70, sun 70 → sat [70,135) = 02:10
    //   q  (20+5): sat 135, sun 70 → sun [70,95) = 02:10
    const out = planSchedule(
      win("UTC", "01:00", 240, ["sat", "sun"]),
      [cadence("d", "daily", 30), cadence("w1", "weekly", 30), cadence("w2", "weekly", 30), cadence("m", "monthly", 60), cadence("q", "quarterly", 20)],
      OPTIONS,
    );
    const base = { timeZone: "UTC", outsideWindow: false };
    assert.deepEqual(out, [
      { ...base, id: "d", cadence: "daily", durationMinutes: 30, offsetMinutes: 0, cron: "0 1 * * *" },
      { ...base, id: "w1", cadence: "weekly", durationMinutes: 30, offsetMinutes: 35, windowDay: "sat", cron: "35 1 * * 6" },
      { ...base, id: "w2", cadence: "weekly", durationMinutes: 30, offsetMinutes: 35, windowDay: "sun", cron: "35 1 * * 0" },
      { ...base, id: "m", cadence: "monthly", durationMinutes: 60, offsetMinutes: 70, windowDay: "sat", cron: "10 2 * * 6", guard: "first-week-of-month" },
      { ...base, id: "q", cadence: "quarterly", durationMinutes: 20, offsetMinutes: 70, windowDay: "sun", cron: "10 2 * 1,4,7,10 0", guard: "first-week-of-month" },
    ] satisfies ScheduledTask[]);
  });

  test("the order of the window's days breaks ties", () => {
    const out = planSchedule(win("UTC", "01:00", 240, ["sun", "sat"]), [cadence("w1", "weekly", 30), cadence("w2", "weekly", 30)], OPTIONS);
    assert.deepEqual(
      out.map((t) => [t.windowDay, t.cron]),
      [
        ["sun", "0 1 * * 0"],
        ["sat", "0 1 * * 6"],
      ],
    );
  });

  test("a daily task declared later takes the first minutes; the weekly task there makes way, to the earliest minutes left", () => {
    const window = win("UTC", "01:00", 240, ["sat"]);
    assert.deepEqual(planSchedule(window, [cadence("w", "weekly", 30)], OPTIONS).map((t) => [t.id, t.cron, t.offsetMinutes]), [["w", "0 1 * * 6", 0]]);
    assert.deepEqual(
      planSchedule(window, [cadence("w", "weekly", 30), cadence("d", "daily", 50)], OPTIONS).map((t) => [t.id, t.cron, t.offsetMinutes, t.moved]),
      [
        ["w", "55 1 * * 6", 55, undefined],
        ["d", "0 1 * * *", 0, undefined],
      ],
    );
  });

  test("a window crossing midnight: a slot after midnight fires on the next weekday, one before it on the window day", () => {
    // Fri 23:00 – Sat 04:00 UTC (300 minutes, 305 with the last gap).
    //   d daily  (30+5):  [0,35)    = 23:00 every day
    //   w weekly (30+5):  [35,70)   = Fri 23:35
    //   m monthly(60+5):  [70,135)  = Sat 00:10
    //   q quarterly (45+5): [135,185) = Sat 01:15
    //   late weekly (100+5): [185,290) = Sat 02:05
    const out = planSchedule(
      win("UTC", "23:00", 300, ["fri"]),
      [cadence("d", "daily", 30), cadence("w", "weekly", 30), cadence("m", "monthly", 60), cadence("q", "quarterly", 45), cadence("late", "weekly", 100)],
      OPTIONS,
    );
    assert.deepEqual(
      out.map((t) => [t.id, t.cron, t.offsetMinutes, t.windowDay, t.guard]),
      [
        ["d", "0 23 * * *", 0, undefined, undefined],
        ["w", "35 23 * * 5", 35, "fri", undefined],
        ["m", "10 0 * * 6", 70, "fri", "first-week-of-month"],
        ["q", "15 1 * 1,4,7,10 6", 135, "fri", "first-week-of-month"],
        ["late", "5 2 * * 6", 185, "fri", undefined],
      ],
    );
  });

  test("a Saturday window crossing midnight fires after midnight on Sunday (day 0), not day 7", () => {
    const out = planSchedule(win("UTC", "22:00", 240, ["sat"]), [cadence("d", "daily", 115), cadence("w", "weekly", 60)], OPTIONS);
    assert.deepEqual(out.map((t) => [t.cron, t.offsetMinutes, t.windowDay]), [
      ["0 22 * * *", 0, undefined],
      ["0 0 * * 0", 120, "sat"],
    ]);
  });
});

describe("custom schedules", () => {
  test("inside the window: accepted, normalised, and its minutes are taken first; a task whose home it takes moves to minutes that are no one's home, and says why", () => {
    // 01:00–05:00 UTC. Without the pins d's home is [0,35) and w's [35,70) on sat. c1, every day at 01:00,
    // takes [0,35): d moves past w's home to [70,105) = 02:10. c2 on Saturday 04:00 holds [180,215).
    const out = planSchedule(
      win("UTC", "01:00", 240, ["sat"]),
      [cadence("d", "daily", 30), custom("c1", "0 1 * * *", 30), cadence("w", "weekly", 30), custom("c2", " 0  4 * *   6 ", 30)],
      OPTIONS,
    );
    assert.deepEqual(out, [
      { id: "d", cadence: "daily", durationMinutes: 30, timeZone: "UTC", offsetMinutes: 70, outsideWindow: false, cron: "10 2 * * *", moved: { by: "c1", fromOffsetMinutes: 0 } },
      { id: "c1", cadence: "custom", durationMinutes: 30, cron: "0 1 * * *", timeZone: "UTC", offsetMinutes: 0, outsideWindow: false },
      { id: "w", cadence: "weekly", durationMinutes: 30, timeZone: "UTC", offsetMinutes: 35, outsideWindow: false, windowDay: "sat", cron: "35 1 * * 6" },
      { id: "c2", cadence: "custom", durationMinutes: 30, cron: "0 4 * * 6", timeZone: "UTC", offsetMinutes: 180, outsideWindow: false },
    ] satisfies ScheduledTask[]);
  });

  test("a pinned schedule moves only the tasks whose minutes it takes, monthly ones on their own day when there is room", () => {
    // Without pin: d [0,35) everywhere, m sat [35,100), w sun [35,70), w2 sun [70,105).
    const window = win("UTC", "01:00", 240, ["sat", "sun"]);
    const tasks = [cadence("d", "daily", 30), cadence("m", "monthly", 60), cadence("w", "weekly", 30), cadence("w2", "weekly", 30)];
    const before = planSchedule(window, tasks, OPTIONS);
    assert.deepEqual(before.map((t) => [t.id, t.cron, t.offsetMinutes, t.windowDay]), [
      ["d", "0 1 * * *", 0, undefined],
      ["m", "35 1 * * 6", 35, "sat"],
      ["w", "35 1 * * 0", 35, "sun"],
      ["w2", "10 2 * * 0", 70, "sun"],
    ]);
    // A job pinned on Saturday 01:35 for 50 minutes takes [35,90) on sat: m moves to 02:30 on sat; nothing else moves.
    const after = planSchedule(window, [...tasks, custom("pin", "35 1 * * 6", 50)], OPTIONS);
    assert.deepEqual(after.map((t) => [t.id, t.cron, t.offsetMinutes, t.windowDay, t.moved]), [
      ["d", "0 1 * * *", 0, undefined, undefined],
      ["m", "30 2 * * 6", 90, "sat", { by: "pin", fromOffsetMinutes: 35, fromWindowDay: "sat" }],
      ["w", "35 1 * * 0", 35, "sun", undefined],
      ["w2", "10 2 * * 0", 70, "sun", undefined],
      ["pin", "35 1 * * 6", 35, undefined, undefined],
    ]);
  });

  test("a pinned schedule on a daily task's minutes moves only the daily task, past the weekly tasks' homes", () => {
    const out = planSchedule(
      win("UTC", "01:00", 240, ["sat", "sun"]),
      [cadence("d", "daily", 30), cadence("w", "weekly", 30), cadence("w2", "weekly", 30), custom("pin", "0 1 * * *", 20)],
      OPTIONS,
    );
    assert.deepEqual(out.map((t) => [t.id, t.cron, t.offsetMinutes, t.windowDay, t.moved]), [
      ["d", "10 2 * * *", 70, undefined, { by: "pin", fromOffsetMinutes: 0 }],
      ["w", "35 1 * * 6", 35, "sat", undefined],
      ["w2", "35 1 * * 0", 35, "sun", undefined],
      ["pin", "0 1 * * *", 0, undefined, undefined],
    ]);
  });

  test("a pinned schedule declared before the tasks it displaces moves them just the same: homes know no pins", () => {
    const tasks = [cadence("d", "daily", 30), cadence("m", "monthly", 60), cadence("w", "weekly", 30)];
    const window = win("UTC", "01:00", 240, ["sat", "sun"]);
    const first = planSchedule(window, [custom("pin", "35 1 * * 6", 50), ...tasks], OPTIONS);
    const last = planSchedule(window, [...tasks, custom("pin", "35 1 * * 6", 50)], OPTIONS);
    assert.deepEqual(first.slice(1), last.slice(0, 3));
  });

  test("too full to move off others' homes: the moved task takes the slot that pushes the fewest, and the pushed one says who took its minutes", () => {
    // 01:00–03:20 UTC on sat. Homes: d [0,35), w1 [35,70), w2 [70,115). The pin takes [35,60): the only free
    // minutes left, [115,145), are too few for w1, so w1 takes [60,95) and pushes w2 to [95,140).
    const out = planSchedule(
      win("UTC", "01:00", 140, ["sat"]),
      [cadence("d", "daily", 30), cadence("w1", "weekly", 30), cadence("w2", "weekly", 40), custom("pin", "35 1 * * 6", 20)],
      OPTIONS,
    );
    assert.deepEqual(out.map((t) => [t.id, t.cron, t.offsetMinutes, t.moved]), [
      ["d", "0 1 * * *", 0, undefined],
      ["w1", "0 2 * * 6", 60, { by: "pin", fromOffsetMinutes: 35, fromWindowDay: "sat", full: true }],
      ["w2", "35 2 * * 6", 95, { by: "w1", fromOffsetMinutes: 70, fromWindowDay: "sat" }],
      ["pin", "35 1 * * 6", 35, undefined],
    ]);
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

  test("at 02:30 on a Sunday in Europe/Berlin: the daylight saving time error; on a Saturday: accepted", () => {
    const e = scheduleError(win("Europe/Berlin", "01:00", 240, ["sun"]), [custom("dst", "30 2 * * 0", 20)]);
    assert.equal(
      e.message,
      "upkeep:jobs.dst.schedule: runs at 02:30, too close to the local time that daylight saving time skips or repeats on Sundays in Europe/Berlin; move it, or run it on another weekday",
    );
    // 01:31–02:01 runs into it; 03:00 starts with no gap after it (in March, 02:00 and 03:00 are the same instant).
    for (const [schedule, at] of [["31 1 * * 0", "01:31"], ["0 3 * * 0", "03:00"]]) {
      assert.equal(
        scheduleError(win("Europe/Berlin", "01:00", 240, ["sun"]), [custom("close", schedule!, 30)]).message,
        `upkeep:jobs.close.schedule: runs at ${at}, too close to the local time that daylight saving time skips or repeats on Sundays in Europe/Berlin; move it, or run it on another weekday`,
      );
    }
    // 01:30–02:00 ends where the change begins, 03:05 starts a gap after it: both accepted.
    const ok = planSchedule(win("Europe/Berlin", "01:00", 240, ["sun"]), [custom("a", "30 1 * * 0", 30), custom("b", "5 3 * * 0", 30)], OPTIONS);
    assert.deepEqual(ok.map((t) => t.offsetMinutes), [30, 125]);
    // Berlin never changes its clocks on a Saturday.
    const saturday = planSchedule(win("Europe/Berlin", "01:00", 240, ["sat"]), [custom("dst", "30 2 * * 6", 20)], OPTIONS);
    assert.deepEqual(saturday.map((t) => [t.cron, t.offsetMinutes]), [["30 2 * * 6", 90]]);
    // Every day includes Sundays, and the message says there is no other weekday to run it on.
    assert.equal(
      scheduleError(win("Europe/Berlin", "01:00", 240, ["sat"]), [custom("daily", "30 2 * * *", 20)]).message,
      "upkeep:jobs.daily.schedule: runs at 02:30, too close to the local time that daylight saving time skips or repeats on Sundays in Europe/Berlin; move it",
    );
  });

  test("a day of the month in a window that is not every day: the exact error", () => {
    assert.equal(
      scheduleError(win("UTC", "01:00", 240, ["sat"]), [custom("dom", "0 2 1 * *", 30)]).message,
      "upkeep:jobs.dom.schedule: runs on a day of the month, whatever the weekday, but weekly and longer tasks must run on a window day (sat); use cadence: monthly, or set outsideWindow: true",
    );
  });
});

describe("tasks that do not fit", () => {
  test("weekly tasks: the message leads with the slot it needs, then the longest free slot, then how full the day is", () => {
    const e = scheduleError(win("UTC", "01:00", 120, ["sat"]), [cadence("a", "weekly", 60), cadence("b", "weekly", 60)]);
    assert.equal(
      e.message,
      "upkeep:environment.window.durationMinutes: b (upkeep:tasks.b) does not fit: it needs a free 60-minute slot, with the 5-minute gap after it, on one window day (sat), " +
        "and the longest free slot is 55 minutes, Saturday 02:05–03:00; on Saturday tasks hold 60 of the window's 120 minutes; lengthen the window, add a window day, or shorten or move tasks",
    );
  });

  test("on a Sunday in Europe/Berlin the clock change's hour is taken; on a Saturday the same tasks fit", () => {
    // Berlin 01:00–04:00: [60,120) is 02:00–03:00, kept clear only on Sundays. a takes [0,65) (01:00–02:00); b finds 03:05–04:00.
    const e = scheduleError(win("Europe/Berlin", "01:00", 180, ["sun"]), [cadence("a", "weekly", 60), cadence("b", "weekly", 70)]);
    assert.deepEqual(e.problems, [
      {
        path: "upkeep:environment.window.durationMinutes",
        reason:
          "b (upkeep:tasks.b) does not fit: it needs a free 70-minute slot, with the 5-minute gap after it, on one window day (sun), " +
          "and the longest free slot is 55 minutes, Sunday 03:05–04:00; on Sunday tasks hold 60 of the window's 180 minutes, and the clock change takes 60; " +
          "lengthen the window, add a window day, or shorten or move tasks",
      },
    ]);
    const saturday = planSchedule(win("Europe/Berlin", "01:00", 180, ["sat"]), [cadence("a", "weekly", 60), cadence("b", "weekly", 70)], OPTIONS);
    assert.deepEqual(saturday.map((t) => [t.cron, t.offsetMinutes]), [
      ["0 1 * * 6", 0],
      ["5 2 * * 6", 65],
    ]);
  });

  test("a daily task: the message says it needs the minutes free on every day, and what the clock change keeps clear", () => {
    // Berlin 00:00–04:00 on sat: d0 [0,85); w [85,115) on sat; daily tasks keep 02:00–03:00 clear; d1 needs 105.
    const e = scheduleError(win("Europe/Berlin", "00:00", 240, ["sat"]), [cadence("d0", "daily", 80), cadence("w", "weekly", 25), cadence("d1", "daily", 100)]);
    assert.equal(
      e.message,
      "upkeep:environment.window.durationMinutes: d1 (upkeep:tasks.d1) does not fit: a daily task needs the same free 100-minute slot, with the 5-minute gap after it, on every day, " +
        "and the longest slot free on every day is 55 minutes, 03:05–04:00; on Saturday tasks hold 105 of the window's 240 minutes, and daily tasks keep 60 clear for the clock change; " +
        "lengthen the window, or shorten or move tasks",
    );
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
      { path: "upkeep:jobs.dst.schedule", reason: "runs at 02:30, too close to the local time that daylight saving time skips or repeats on Sundays in Europe/Berlin; move it" },
      {
        path: "upkeep:environment.window.durationMinutes",
        reason:
          "big (upkeep:tasks.big) does not fit: it needs a free 200-minute slot, with the 5-minute gap after it, on one window day (sat), " +
          "and the longest free slot is 180 minutes, Saturday 01:00–04:00; on Saturday tasks hold 0 of the window's 180 minutes; " +
          "lengthen the window, add a window day, or shorten or move tasks",
      },
    ];
    assert.deepEqual(e.problems, expected);
    assert.equal(e.message, expected.map((p) => `${p.path}: ${p.reason}`).join("\n"));
    assert.equal(e.name, "ScheduleError");
  });
});
