/**
 * Daylight saving time only where it bites: a clock change skips or repeats
 * local minutes on a few weekdays only, so only those weekdays' windows keep
 * them clear, while daily tasks (which run on them too) avoid them every day.
 *
 * Zones: America/New_York, Europe/Berlin and Australia/Sydney change on
 * Sundays; Asia/Jerusalem goes forward on a Friday; Africa/Cairo goes forward
 * at Friday 00:00 and back at Thursday 24:00; America/Santiago's change at
 * midnight splits across Saturday and Sunday. Each accepted run is proved with
 * croner over five years of real dates: it always starts at its wall time.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Cron } from "croner";
import { windowLines } from "../cli/summary";
import { clockChanges, clockChangeWeekdays, describeClockChanges } from "../components/schedule/clockBands";
import { localTime } from "../components/schedule/dst";
import { planSchedule, ScheduleError, type ScheduleWindow, type TaskRequest } from "../components/schedule/engine";
import type { Weekday } from "../components/schedule/terms";
import { weekPlan } from "../components/schedule/week";

const HORIZON = { fromYear: 2027, years: 5 };
const OPTIONS = { gapMinutes: 5, dstHorizon: HORIZON };
const DAY_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const win = (timeZone: string, start: string, durationMinutes: number, days: Weekday[]): ScheduleWindow => {
  const [h, m] = start.split(":").map(Number);
  return { days, startMinute: h! * 60 + m!, durationMinutes, timeZone };
};
const pinned = (id: string, schedule: string, durationMinutes = 20): TaskRequest => ({ id, schedule, durationMinutes, outsideWindow: false, path: `upkeep:jobs.${id}` });

function problems(window: ScheduleWindow, tasks: TaskRequest[]): string[] {
  try {
    planSchedule(window, tasks, OPTIONS);
  } catch (e) {
    if (e instanceof ScheduleError) return e.problems.map((p) => `${p.path}: ${p.reason}`);
    throw e;
  }
  return [];
}

/** Every run of a cron over the horizon starts at its wall time, once a week. */
function proveWeekly(schedule: string, zone: string): number {
  const cron = new Cron(schedule, { timezone: zone, legacyMode: true, paused: true });
  const [minute, hour] = schedule.split(" ").map(Number);
  let previous: ReturnType<typeof localTime> | undefined;
  let runs = 0;
  for (let next = cron.nextRun(new Date(Date.UTC(2027, 0, 1))); next && next.getTime() < Date.UTC(2032, 0, 1); next = cron.nextRun(next)) {
    const local = localTime(zone, next.getTime());
    assert.deepEqual([local.hour, local.minute], [hour, minute], `${schedule} in ${zone} ran at ${next.toISOString()}, local ${local.hour}:${local.minute}`);
    if (previous) {
      const days = (Date.UTC(local.year, local.month - 1, local.day) - Date.UTC(previous.year, previous.month - 1, previous.day)) / 86_400_000;
      assert.equal(days, 7, `${schedule} in ${zone}: ${days} days between runs before ${next.toISOString()}`);
    }
    previous = local;
    runs++;
  }
  return runs;
}

describe("clock changes by weekday, from the zone's own rules over the horizon", () => {
  const cases: [string, number[], string[]][] = [
    ["America/New_York", [0], ["Sun 01:00–02:00 repeated in November", "Sun 02:00–03:00 skipped in March"]],
    ["Europe/Berlin", [0], ["Sun 02:00–03:00 skipped in March and repeated in October"]],
    ["Australia/Sydney", [0], ["Sun 02:00–03:00 skipped in October and repeated in April"]],
    ["Asia/Jerusalem", [0, 5], ["Sun 01:00–02:00 repeated in October", "Fri 02:00–03:00 skipped in March"]],
    ["Africa/Cairo", [4, 5], ["Thu 23:00–24:00 repeated in October", "Fri 00:00–01:00 skipped in April"]],
    ["America/Santiago", [0, 6], ["Sun 00:00–01:00 skipped in September", "Sat 23:00–24:00 repeated in April"]],
    ["Asia/Kolkata", [], []],
    ["UTC", [], []],
  ];
  for (const [zone, weekdays, words] of cases) {
    test(`${zone}: ${words.join("; ") || "none"}`, () => {
      assert.deepEqual(clockChangeWeekdays(zone, HORIZON), weekdays);
      assert.deepEqual(describeClockChanges(clockChanges(zone, HORIZON)), words);
    });
  }

  test("checked against Intl hour by hour: every offset change happens on one of the weekdays found", () => {
    for (const [zone, weekdays] of cases) {
      const weekday = new Intl.DateTimeFormat("en-US", { timeZone: zone, weekday: "short" });
      const offset = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
      const offsetAt = (ms: number) => offset.formatToParts(ms).find((p) => p.type === "timeZoneName")!.value;
      const seen = new Set<number>();
      let last = offsetAt(Date.UTC(2027, 0, 1));
      for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2032, 0, 1); t += 3_600_000) {
        const now = offsetAt(t);
        if (now === last) continue;
        // The local weekday just before and just after the change: the skipped or repeated minutes lie between.
        for (const at of [t - 60_000, t]) seen.add(DAY_SHORT.indexOf(weekday.format(at)));
        last = now;
      }
      for (const d of seen) assert.ok(weekdays.includes(d) || weekdays.includes((d + 6) % 7), `${zone} changes next to ${DAY_SHORT[d]}, not in ${weekdays}`);
      assert.equal(seen.size > 0, weekdays.length > 0, zone);
    }
  });
});

describe("a pinned schedule in the hours a clock change touches", () => {
  const cases: { zone: string; window: ScheduleWindow; accepted: string[]; refused: [string, string][] }[] = [
    {
      zone: "America/New_York",
      // Fri 23:00 – Sat 04:00 and Sat 23:00 – Sun 04:00; the change is Sunday 01:00–03:00.
      window: win("America/New_York", "23:00", 300, ["fri", "sat"]),
      accepted: ["30 1 * * 6", "30 2 * * 6"],
      refused: [["30 1 * * 0", "Sundays"], ["30 1 * * *", "Sundays"]],
    },
    {
      zone: "Europe/Berlin",
      window: win("Europe/Berlin", "01:00", 240, ["sat", "sun"]),
      accepted: ["30 2 * * 6"],
      refused: [["30 2 * * 0", "Sundays"], ["30 2 * * *", "Sundays"]],
    },
    {
      zone: "Australia/Sydney",
      window: win("Australia/Sydney", "01:00", 240, ["sat", "sun"]),
      accepted: ["30 2 * * 6"],
      refused: [["30 2 * * 0", "Sundays"]],
    },
    {
      zone: "Asia/Jerusalem",
      // Forward at Friday 02:00; Thursday never changes, nor does Friday at 01:00 (the Sunday change is 01:00–02:00).
      window: win("Asia/Jerusalem", "01:00", 240, ["thu", "fri"]),
      accepted: ["30 2 * * 4", "0 1 * * 5"],
      refused: [["30 2 * * 5", "Fridays"], ["30 2 * * *", "Fridays"]],
    },
    {
      zone: "Africa/Cairo",
      // Wednesday's window runs to Thursday 02:00, before Thursday 23:00; Thursday's holds both changes.
      window: win("Africa/Cairo", "22:00", 240, ["wed", "thu"]),
      accepted: ["30 23 * * 3", "30 0 * * 4"],
      refused: [["30 23 * * 4", "Thursdays and Fridays"], ["30 0 * * 5", "Thursdays and Fridays"]],
    },
  ];
  for (const c of cases) {
    test(`${c.zone}: accepted where the clock never changes, refused where it does (and every day)`, () => {
      for (const schedule of c.accepted) {
        assert.deepEqual(problems(c.window, [pinned("job", schedule)]), [], `${schedule} in ${c.zone}`);
        const runs = proveWeekly(schedule, c.zone);
        assert.ok(runs >= 260 && runs <= 262, `${schedule}: ${runs} runs in five years`);
      }
      for (const [schedule, days] of c.refused) {
        const [minute, hour] = schedule.split(" ").map(Number);
        const when = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
        const other = schedule.endsWith("*") ? "" : ", or run it on another weekday";
        assert.deepEqual(problems(c.window, [pinned("job", schedule)]), [
          `upkeep:jobs.job.schedule: runs at ${when}, too close to the local time that daylight saving time skips or repeats on ${days} in ${c.zone}; move it${other}`,
        ]);
      }
    });
  }

  test("the proof fails on a weekly run at the hour New York skips: croner moves it", () => {
    assert.throws(() => proveWeekly("30 2 * * 0", "America/New_York"), /^AssertionError.*30 2 \* \* 0 in America\/New_York ran at 2027-03-14T07:30:00\.000Z, local 3:30/s);
  });
});

describe("placement: a weekly task may use the hours only on days that never change; daily tasks avoid them every day", () => {
  test("New York, Friday and Saturday 23:00 for 300 minutes: the whole Friday window is free, Saturday's loses Sunday 01:00–03:00", () => {
    const window = win("America/New_York", "23:00", 300, ["fri", "sat"]);
    const whole = planSchedule(window, [{ id: "big", cadence: "weekly", durationMinutes: 300, path: "t.big" }], OPTIONS);
    assert.deepEqual(whole.map((t) => [t.cron, t.windowDay, t.offsetMinutes]), [["0 23 * * 5", "fri", 0]]);
    assert.deepEqual(problems(window, [{ id: "big", cadence: "weekly", durationMinutes: 300, path: "t.big" }, { id: "big2", cadence: "weekly", durationMinutes: 180, path: "t.big2" }]), [
      "upkeep:environment.window.durationMinutes: big2 (t.big2) does not fit: it needs a free 180-minute slot, with the 5-minute gap after it, on one window day (fri, sat), " +
        "and the longest free slot is 120 minutes, Saturday 23:00–01:00; on Saturday tasks hold 0 of the window's 300 minutes, and the clock change takes 120; lengthen the window, add a window day, or shorten or move tasks",
    ]);
    // A daily task runs on Sundays too, so it keeps 01:00–03:00 clear on every day.
    const tasks = planSchedule(
      window,
      [
        { id: "d", cadence: "daily", durationMinutes: 115, path: "t.d" },
        { id: "d2", cadence: "daily", durationMinutes: 30, path: "t.d2" },
        { id: "w", cadence: "weekly", durationMinutes: 100, path: "t.w" },
      ],
      OPTIONS,
    );
    assert.deepEqual(tasks.map((t) => [t.id, t.cron, t.offsetMinutes, t.windowDay]), [
      ["d", "0 23 * * *", 0, undefined],
      ["d2", "5 3 * * *", 245, undefined],
      ["w", "0 1 * * 6", 120, "fri"],
    ]);
    const week = weekPlan(window, tasks, HORIZON, 5);
    assert.deepEqual(
      week.days.map((d) => [d.day, d.usedMinutes, d.availableMinutes, d.clockChange]),
      [
        ["fri", 245, 300, { minutes: 0, why: [] }],
        ["sat", 145, 180, { minutes: 120, why: ["Sun 01:00–02:00 repeated in November", "Sun 02:00–03:00 skipped in March"] }],
      ],
    );
    assert.deepEqual(windowLines(week), [
      "windows (23:00 for 300 min, America/New_York):",
      "  fri: 245/300 min (82%) d, d2, w; the clock change takes nothing on Fridays",
      "  sat: 145/180 min (81%) d, d2; the clock change takes 120 min: Sun 01:00–02:00 repeated in November; Sun 02:00–03:00 skipped in March",
      "  every day: daily tasks keep 01:00–03:00 clear, since they also run on the days the clock changes",
    ]);
  });

  test("Jerusalem: a weekly task takes Thursday 02:00–03:00, which never changes; Friday's hour stays clear", () => {
    // Daily tasks avoid Fri 02:00–03:00 and Sun 01:00–02:00: d takes 03:05. w1 needs 01:00–02:55 and finds
    // it only on Thursday; w2 fits before Friday's hour.
    const out = planSchedule(
      win("Asia/Jerusalem", "01:00", 240, ["fri", "thu"]),
      [
        { id: "d", cadence: "daily", durationMinutes: 55, path: "t.d" },
        { id: "w1", cadence: "weekly", durationMinutes: 115, path: "t.w1" },
        { id: "w2", cadence: "weekly", durationMinutes: 55, path: "t.w2" },
      ],
      OPTIONS,
    );
    assert.deepEqual(out.map((t) => [t.id, t.cron, t.windowDay]), [
      ["d", "5 3 * * *", undefined],
      ["w1", "0 1 * * 4", "thu"],
      ["w2", "0 1 * * 5", "fri"],
    ]);
    assert.equal(proveWeekly("0 1 * * 4", "Asia/Jerusalem"), 261);
  });
});
