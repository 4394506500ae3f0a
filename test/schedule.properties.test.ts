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
 *
 * Stability, the promise a reviewer relies on, is checked for each change a
 * stack file sees: a task appended, a job pinned, the window lengthened, a
 * window day added. After each, every earlier task keeps its slot, or the
 * plan says which task took its minutes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { firingWeekdays, parseCron } from "../components/schedule/cronFields";
import { instanceBands } from "../components/schedule/clockBands";
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

/** Whether two slots share a window instance and minutes (gaps included). */
function meet(w: ScheduleWindow, a: ScheduledTask, b: ScheduledTask): boolean {
  if (a.offsetMinutes === undefined || b.offsetMinutes === undefined) return false;
  if (!instanceDays(w, a).some((d) => instanceDays(w, b).includes(d))) return false;
  return a.offsetMinutes < b.offsetMinutes + b.durationMinutes + GAP && b.offsetMinutes < a.offsetMinutes + a.durationMinutes + GAP;
}

const where = (t: ScheduledTask) => JSON.stringify([t.cron, t.offsetMinutes, t.windowDay]);

/** Where a task's turn put it before a pinned job moved it (its home), as a slot. */
const home = (t: ScheduledTask): ScheduledTask =>
  t.moved ? { ...t, offsetMinutes: t.moved.fromOffsetMinutes, ...(t.moved.fromWindowDay ? { windowDay: t.moved.fromWindowDay } : {}) } : t;

test("stability: appending a task that still fits moves no earlier task, but weekly tasks making way for a daily one, and tasks a pinned job moves", () => {
  let compared = 0;
  let madeWay = 0;
  fc.assert(
    fc.property(inputArb, fc.array(cadenceArb, { minLength: 1, maxLength: 4 }), ({ w, requests }, extras) => {
      const base = fittingPrefix(w, requests);
      extras.forEach((extra, j) => {
        const more = [...base.tasks, toRequest(w, extra, 100 + j)];
        const plan = tryPlan(w, more);
        if (!plan) return;
        compared++;
        const added = plan.at(-1)!;
        base.plan.forEach((before, i) => {
          const after = plan[i]!;
          if (where(after) === where(before)) return;
          const context = `appending ${JSON.stringify(more.at(-1))} moved ${before.id} in ${JSON.stringify(w)} with ${JSON.stringify(base.tasks)}: ${JSON.stringify(plan)}`;
          // Daily tasks come first: a weekly, monthly or quarterly task on the new daily task's minutes makes way.
          const madeWayForIt = added.cadence === "daily" && before.cadence !== "daily" && before.cadence !== "custom" && (meet(w, before, added) || meet(w, before, home(added)));
          // A task a pinned job moves is placed around the others; it says so.
          assert.ok(madeWayForIt || before.moved !== undefined || after.moved !== undefined, context);
          madeWay++;
        });
      });
    }),
    { numRuns: RUNS * 3, examples: STABILITY_EXAMPLES },
  );
  // The property must have been exercised, not skipped by inputs that never fit.
  assert.ok(compared > RUNS, `only ${compared} appended plans compared`);
  assert.ok(madeWay > 10, `only ${madeWay} tasks made way`);
});

const pinnedArb: fc.Arbitrary<CustomSpec> = fc.record({
  kind: fc.constant("custom" as const),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  duration: fc.integer({ min: 5, max: 90 }),
  day: fc.oneof(fc.constant("every" as const), fc.nat({ max: 6 })),
  outside: fc.constant(false),
});

test("stability: a pinned job, wherever declared, moves only the tasks whose home it takes, or that one had moved; each says so", () => {
  let compared = 0;
  let moved = 0;
  fc.assert(
    fc.property(inputArb, pinnedArb, fc.nat(), ({ w, requests }, spec, at) => {
      const base = fittingPrefix(w, requests);
      // Anywhere in the list: a job is declared before the checks upkeep adds.
      const position = at % (base.tasks.length + 1);
      const pin = toRequest(w, spec, 200);
      const tasks = [...base.tasks.slice(0, position), pin, ...base.tasks.slice(position)];
      const plan = tryPlan(w, tasks);
      if (!plan) return;
      compared++;
      const after = plan.filter((t) => t.id !== pin.id);
      base.plan.forEach((before, i) => {
        const now = after[i]!;
        if (where(now) === where(before)) return;
        // Only a task whose home a pinned job takes moves, to minutes that are no one's home; it says which pin.
        // It says why, or it had moved and now returns home.
        assert.ok(now.moved !== undefined || before.moved !== undefined, `pinning ${JSON.stringify(pin)} at ${position} moved ${before.id} without saying why, in ${JSON.stringify(w)} with ${JSON.stringify(base.tasks)}: ${JSON.stringify(plan)}`);
        // Its home is where the pin runs, or where the task that took its minutes went.
        if (before.moved === undefined && now.moved !== undefined) assert.ok(meet(w, home(now), plan.find((t) => t.id === now.moved!.by)!), `${now.id}'s home is not where ${now.moved.by} runs: ${JSON.stringify(plan)}`);
        moved++;
      });
    }),
    { numRuns: RUNS * 2 },
  );
  assert.ok(compared > RUNS / 2, `only ${compared} pinned plans compared`);
  assert.ok(moved > 20, `only ${moved} tasks moved by a pin`);
});

test("stability: a longer window (a later end) moves no task, unless the window was too full for a pin's move", () => {
  let compared = 0;
  fc.assert(
    fc.property(inputArb, fc.integer({ min: 1, max: 400 }), ({ w, requests }, extra) => {
      const base = fittingPrefix(w, requests);
      const longer = { ...w, durationMinutes: Math.min(720, w.durationMinutes + extra) };
      if (longer.durationMinutes === w.durationMinutes || base.tasks.length === 0) return;
      // A task that had to push others' homes (moved.full) may return to room the longer window gives.
      if (base.plan.some((t) => t.moved?.full)) return;
      compared++;
      assert.deepEqual(tryPlan(longer, base.tasks), base.plan, `lengthening ${JSON.stringify(w)} to ${longer.durationMinutes} with ${JSON.stringify(base.tasks)}`);
    }),
    { numRuns: RUNS * 2 },
  );
  assert.ok(compared > RUNS, `only ${compared} lengthened plans compared`);
});

test("stability: a window day added changes nothing until a task takes it; after that the window change is why", () => {
  let compared = 0;
  let untouched = 0;
  fc.assert(
    fc.property(inputArb, fc.nat({ max: 6 }), ({ w, requests }, pick) => {
      const missing = WEEKDAYS.filter((d) => !w.days.includes(d));
      if (missing.length === 0) return;
      const wider = { ...w, days: [...w.days, missing[pick % missing.length]!] };
      const base = fittingPrefix(w, requests);
      for (let m = 1; m <= base.tasks.length; m++) {
        const plan = tryPlan(wider, base.tasks.slice(0, m));
        // A task whose home is on the new day counts too, even when a pinned job moved it off.
        if (!plan || plan.some((t) => t.windowDay === wider.days.at(-1) || t.moved?.fromWindowDay === wider.days.at(-1))) break;
        compared++;
        assert.deepEqual(plan, tryPlan(w, base.tasks.slice(0, m)), `adding ${wider.days.at(-1)} to ${JSON.stringify(w)} with ${JSON.stringify(base.tasks.slice(0, m))}`);
        if (m === base.tasks.length) untouched++;
      }
    }),
    { numRuns: RUNS },
  );
  assert.ok(compared > RUNS, `only ${compared} prefixes compared`);
  assert.ok(untouched > 50, `only ${untouched} plans where no task took the new day`);
});

test("no overlap: slots sharing a window instance never intersect, gap included, nor touch a clock change of a weekday they run on", () => {
  let pairs = 0;
  fc.assert(
    fc.property(inputArb, ({ w, requests }) => {
      const { plan } = fittingPrefix(w, requests);
      const inside = plan.filter((t) => t.offsetMinutes !== undefined);
      const bands = instanceBands(w.startMinute, w.timeZone, HORIZON);
      for (const t of inside) {
        const from = t.offsetMinutes!;
        for (const day of instanceDays(w, t)) {
          // Never in the band, and a gap after it (so a slot before it is a gap away in real time, even in spring).
          const hit = bands[day]!.find((b) => from + t.durationMinutes > b.from && from < b.to + GAP);
          assert.equal(hit, undefined, `${t.id} (${t.cron}) touches the clock change ${JSON.stringify(hit)} of ${WEEKDAYS[day]}'s window in ${JSON.stringify(w)}`);
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
