/**
 * Properties of planSchedule over random windows and task lists (fast-check).
 *
 * Inputs: a window in one of several zones (with and without daylight saving
 * time, with the clock change at 00:00, 01:00, 02:00 or 02:00 by 30 minutes),
 * any start minute, 15–720 minutes, any non-empty list of window days in any
 * order; tasks of every cadence, and custom schedules placed inside the window
 * (every day, or on a window day) or outside it with outsideWindow: true.
 * Random lists often do not fit, so each property keeps the longest prefix of
 * the list that does.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { firingWeekdays, parseCron } from "../components/schedule/cronFields";
import { unsafeLocalRanges } from "../components/schedule/dst";
import { planSchedule, ScheduleError, type ScheduledTask, type ScheduleWindow, type TaskRequest } from "../components/schedule/engine";
import { cronProblem } from "../components/config/validators";
import { WEEKDAYS, type Cadence, type Weekday } from "../components/schedule/terms";

const GAP = 5;
const HORIZON = { fromYear: 2027, years: 5 };
const OPTIONS = { gapMinutes: GAP, dstHorizon: HORIZON };
const RUNS = 1000;

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/Santiago", "Australia/Lord_Howe"];

const windowArb: fc.Arbitrary<ScheduleWindow> = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  // Starts near the clock changes and around midnight are the interesting ones.
  startMinute: fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.constantFrom(0, 30, 60, 90, 100, 120, 150, 1320, 1380, 1410, 1435)),
  durationMinutes: fc.oneof(fc.integer({ min: 15, max: 720 }), fc.integer({ min: 60, max: 300 })),
  days: fc.shuffledSubarray([...WEEKDAYS] as Weekday[], { minLength: 1 }),
});

type CadenceSpec = { kind: "cadence"; cadence: Cadence; duration: number };
/** A custom schedule at a fraction of the room in the window, every day or on the nth window day. */
type CustomSpec = { kind: "custom"; at: number; duration: number; day: number | "every"; outside: boolean };
type Spec = CadenceSpec | CustomSpec;

const cadenceArb: fc.Arbitrary<CadenceSpec> = fc.record({
  kind: fc.constant("cadence" as const),
  cadence: fc.constantFrom<Cadence>("daily", "weekly", "monthly", "quarterly"),
  duration: fc.oneof(fc.integer({ min: 5, max: 60 }), fc.integer({ min: 5, max: 240 })),
});
const customArb: fc.Arbitrary<CustomSpec> = fc.record({
  kind: fc.constant("custom" as const),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  duration: fc.integer({ min: 5, max: 90 }),
  day: fc.oneof(fc.constant("every" as const), fc.nat({ max: 6 })),
  outside: fc.boolean(),
});
const specsArb = fc.array(fc.oneof({ weight: 4, arbitrary: cadenceArb }, { weight: 1, arbitrary: customArb }), { minLength: 1, maxLength: 8 });

function toRequest(w: ScheduleWindow, spec: Spec, i: number): TaskRequest {
  const id = `t${i}`;
  const path = `upkeep:tasks[${i}]`;
  if (spec.kind === "cadence") return { id, path, cadence: spec.cadence, durationMinutes: spec.duration };
  // Inside the window unless outsideWindow is set, in which case anywhere in the day.
  const offset = spec.outside ? Math.floor(spec.at * 1439) : Math.floor(spec.at * Math.max(0, w.durationMinutes - spec.duration));
  const minute = (w.startMinute + offset) % 1440;
  let dow = "*";
  if (spec.day !== "every") {
    const windowDay = WEEKDAYS.indexOf(w.days[spec.day % w.days.length]!);
    dow = String((windowDay + (w.startMinute + offset >= 1440 ? 1 : 0)) % 7);
  }
  return { id, path, schedule: `${minute % 60} ${Math.floor(minute / 60)} * * ${dow}`, durationMinutes: spec.duration, outsideWindow: spec.outside };
}

function tryPlan(w: ScheduleWindow, tasks: readonly TaskRequest[]): ScheduledTask[] | undefined {
  try {
    return planSchedule(w, tasks, OPTIONS);
  } catch (e) {
    if (e instanceof ScheduleError) return undefined;
    throw e;
  }
}

/** The longest prefix of the requests that is scheduled without error, and its plan. */
function fittingPrefix(w: ScheduleWindow, requests: readonly TaskRequest[]): { tasks: TaskRequest[]; plan: ScheduledTask[] } {
  let best = { tasks: [] as TaskRequest[], plan: [] as ScheduledTask[] };
  for (let k = 1; k <= requests.length; k++) {
    const plan = tryPlan(w, requests.slice(0, k));
    if (!plan) break;
    best = { tasks: requests.slice(0, k), plan };
  }
  return best;
}

/** The window instances (by the weekday each starts on) whose timeline a slot uses. */
function instanceDays(w: ScheduleWindow, t: ScheduledTask): number[] {
  if (t.cadence === "daily") return [0, 1, 2, 3, 4, 5, 6];
  if (t.cadence !== "custom") return [WEEKDAYS.indexOf(t.windowDay!)];
  const cron = parseCron(t.cron);
  if (cron.daysOfWeek === undefined) return [0, 1, 2, 3, 4, 5, 6];
  const crosses = w.startMinute + t.offsetMinutes! >= 1440;
  return firingWeekdays(cron).map((d) => (crosses ? (d + 6) % 7 : d));
}

const NY: ScheduleWindow = { timeZone: "America/New_York", startMinute: 1434, durationMinutes: 255, days: ["thu"] };

const inputArb = fc.tuple(windowArb, specsArb).map(([w, specs]) => ({ w, requests: specs.map((s, i) => toRequest(w, s, i)) }));

/** Inputs on which placing the daily tasks first moved an earlier task when a daily one was appended. */
const STABILITY_EXAMPLES: [{ w: ScheduleWindow; requests: TaskRequest[] }, CadenceSpec[]][] = [
  [
    {
      w: NY,
      requests: [toRequest(NY, { kind: "cadence", cadence: "quarterly", duration: 28 }, 0), toRequest(NY, { kind: "cadence", cadence: "quarterly", duration: 11 }, 1)],
    },
    [{ kind: "cadence", cadence: "daily", duration: 69 }],
  ],
  [
    {
      w: { timeZone: "UTC", startMinute: 0, durationMinutes: 100, days: ["sat", "sun"] },
      requests: [
        { id: "t0", path: "upkeep:tasks[0]", schedule: "0 0 * * 6", durationMinutes: 35, outsideWindow: false },
        { id: "t1", path: "upkeep:tasks[1]", cadence: "weekly", durationMinutes: 25 },
      ],
    },
    [{ kind: "cadence", cadence: "daily", duration: 40 }],
  ],
];

test("stability: appending a task that still fits never changes an existing task's cron (or slot)", () => {
  let compared = 0;
  fc.assert(
    fc.property(inputArb, fc.array(cadenceArb, { minLength: 1, maxLength: 4 }), ({ w, requests }, extras) => {
      const base = fittingPrefix(w, requests);
      extras.forEach((extra, j) => {
        const more = [...base.tasks, toRequest(w, extra, 100 + j)];
        const plan = tryPlan(w, more);
        if (!plan) return;
        compared++;
        assert.deepEqual(
          plan.slice(0, base.plan.length).map((t) => t.cron),
          base.plan.map((t) => t.cron),
          `appending ${JSON.stringify(more.at(-1))} to ${JSON.stringify(base.tasks)} in ${JSON.stringify(w)}`,
        );
        assert.deepEqual(plan.slice(0, base.plan.length), base.plan);
      });
    }),
    { numRuns: RUNS * 3, examples: STABILITY_EXAMPLES },
  );
  // The property must have been exercised, not skipped by inputs that never fit.
  assert.ok(compared > RUNS, `only ${compared} appended plans compared`);
});

test("no overlap: slots sharing a window instance never intersect, gap included, nor touch the clock change", () => {
  let pairs = 0;
  fc.assert(
    fc.property(inputArb, ({ w, requests }) => {
      const { plan } = fittingPrefix(w, requests);
      const inside = plan.filter((t) => t.offsetMinutes !== undefined);
      const unsafe = unsafeLocalRanges(w.timeZone, HORIZON);
      for (const t of inside) {
        const from = t.offsetMinutes!;
        for (let x = from; x < Math.min(from + t.durationMinutes + GAP, w.durationMinutes); x++) {
          const wall = (w.startMinute + x) % 1440;
          assert.ok(!unsafe.some((r) => wall >= r.from && wall < r.to), `${t.id} (${t.cron}) touches ${JSON.stringify(unsafe)} at offset ${x} in ${JSON.stringify(w)}`);
        }
      }
      for (let i = 0; i < inside.length; i++) {
        for (let j = i + 1; j < inside.length; j++) {
          const a = inside[i]!;
          const b = inside[j]!;
          if (!instanceDays(w, a).some((d) => instanceDays(w, b).includes(d))) continue;
          pairs++;
          const aEnd = a.offsetMinutes! + a.durationMinutes + GAP;
          const bEnd = b.offsetMinutes! + b.durationMinutes + GAP;
          assert.ok(
            aEnd <= b.offsetMinutes! || bEnd <= a.offsetMinutes!,
            `${a.id} [${a.offsetMinutes},${aEnd}) and ${b.id} [${b.offsetMinutes},${bEnd}) intersect in ${JSON.stringify(w)}`,
          );
        }
      }
    }),
    { numRuns: RUNS },
  );
  assert.ok(pairs > RUNS, `only ${pairs} pairs compared`);
});

test("everything inside: each slot ends by the window's end and each cron is a valid weekday-only cron matching its slot", () => {
  fc.assert(
    fc.property(inputArb, ({ w, requests }) => {
      const { tasks, plan } = fittingPrefix(w, requests);
      assert.equal(plan.length, tasks.length);
      plan.forEach((t, i) => {
        const request = tasks[i]!;
        assert.equal(t.id, request.id);
        assert.equal(t.timeZone, w.timeZone);
        assert.equal(cronProblem(t.cron), undefined);
        const cron = parseCron(t.cron);
        assert.equal(cron.daysOfMonth, undefined, `${t.cron}: day-of-month must be *`);
        if ("schedule" in request) {
          assert.equal(t.cadence, "custom");
          assert.equal(t.cron, request.schedule);
          assert.equal(t.outsideWindow, request.outsideWindow);
          assert.equal(t.offsetMinutes === undefined, request.outsideWindow);
          if (t.offsetMinutes !== undefined) assert.ok(t.offsetMinutes + t.durationMinutes <= w.durationMinutes);
          return;
        }
        const offset = t.offsetMinutes!;
        assert.ok(Number.isInteger(offset) && offset >= 0, `offset ${offset}`);
        assert.ok(offset + t.durationMinutes <= w.durationMinutes, `${t.id} ends at ${offset + t.durationMinutes} > ${w.durationMinutes}`);
        const start = w.startMinute + offset;
        assert.deepEqual([cron.hours, cron.minutes], [[Math.floor((start % 1440) / 60)], [start % 60]]);
        assert.equal(t.cadence, request.cadence);
        assert.equal(t.outsideWindow, false);
        if (request.cadence === "daily") {
          assert.equal(t.windowDay, undefined);
          assert.equal(cron.daysOfWeek, undefined);
          assert.equal(cron.months, undefined);
          assert.equal(t.guard, undefined);
          return;
        }
        assert.ok(w.days.includes(t.windowDay!), `${t.windowDay} is not a window day`);
        assert.deepEqual(cron.daysOfWeek, [(WEEKDAYS.indexOf(t.windowDay!) + (start >= 1440 ? 1 : 0)) % 7]);
        assert.deepEqual(cron.months, request.cadence === "quarterly" ? [1, 4, 7, 10] : undefined);
        assert.equal(t.guard, request.cadence === "weekly" ? undefined : "first-week-of-month");
      });
    }),
    { numRuns: RUNS },
  );
});

test("determinism: the same input gives a deep-equal plan, or the same problems", () => {
  const outcome = (w: ScheduleWindow, requests: readonly TaskRequest[]) => {
    try {
      return { plan: planSchedule(w, requests, OPTIONS) };
    } catch (e) {
      if (e instanceof ScheduleError) return { problems: e.problems };
      throw e;
    }
  };
  fc.assert(
    fc.property(inputArb, ({ w, requests }) => {
      const first = outcome(w, requests);
      const second = outcome(structuredClone(w), structuredClone(requests));
      assert.deepEqual(second, first);
    }),
    { numRuns: RUNS },
  );
});
