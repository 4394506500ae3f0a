/**
 * Placing cadence tasks on the timelines: the earliest slot a task may take,
 * every task's home (where it goes when nothing is pinned), and, when a window
 * is too full, the slot that pushes the fewest other homes.
 */
import { ALL_DAYS, type CadenceTask, type Displacement } from "./requests";
import type { Slot, Timelines } from "./timelines";

export interface Placed extends Slot {
  readonly task: CadenceTask;
  readonly moved?: Displacement;
}

export interface Context {
  readonly limit: number;
  readonly windowDays: readonly number[];
  readonly gapMinutes: number;
}

/** The earliest slot a task may take: free on every day for a daily task (but for owners in `ignore`), else on the window day where it comes first. */
export function earliest(task: CadenceTask, t: Timelines, ctx: Context, ignore?: ReadonlySet<string>): Slot | undefined {
  const length = task.durationMinutes + ctx.gapMinutes;
  if (task.cadence === "daily") {
    const offset = t.firstFit(ALL_DAYS, length, ctx.limit, ignore);
    return offset === undefined ? undefined : { days: ALL_DAYS, offset, length };
  }
  let best: Slot | undefined;
  for (const day of ctx.windowDays) {
    const offset = t.firstFit([day], length, ctx.limit);
    if (offset !== undefined && (best === undefined || offset < best.offset)) best = { days: [day], day, offset, length };
  }
  return best;
}

export const meets = (a: { days: readonly number[]; from: number; to: number }, s: Slot) => a.from < s.offset + s.length && s.offset < a.to && a.days.some((d) => s.days.includes(d));

/**
 * Each task's home: where it goes if no schedule were pinned. Tasks are placed
 * in the order declared; a daily task takes the earliest minutes free on every
 * day of clock changes and earlier daily tasks, and the weekly, monthly or
 * quarterly tasks there make way, each to the earliest minutes left.
 */
export function placeHomes(tasks: readonly CadenceTask[], t: Timelines, ctx: Context, fail: (task: CadenceTask) => void): Map<string, Placed> {
  const slots = new Map<string, Placed>();
  const yielding = new Set<string>();
  const occupy = (task: CadenceTask, spot: Slot) => {
    t.reserve(spot.days, spot.offset, spot.offset + spot.length, task.id);
    if (task.cadence !== "daily") yielding.add(task.id);
    slots.set(task.id, { ...spot, task });
  };
  for (const task of tasks) {
    const spot = earliest(task, t, ctx, yielding);
    if (!spot) {
      fail(task);
      continue;
    }
    occupy(task, spot);
    if (task.cadence !== "daily") continue;
    const inTheWay = [...slots.values()].filter((s) => s.task.cadence !== "daily" && meets({ days: spot.days, from: spot.offset, to: spot.offset + spot.length }, s));
    for (const s of inTheWay) t.release(s.task.id);
    for (const s of inTheWay) {
      slots.delete(s.task.id);
      const again = earliest(s.task, t, ctx);
      if (again) occupy(s.task, again);
      else fail(s.task);
    }
  }
  return slots;
}

/** Whether rank `a` comes before `b`, comparing entry by entry. */
function before(a: readonly number[], b: readonly number[]): boolean {
  const i = a.findIndex((x, j) => x !== b[j]);
  return i >= 0 && a[i]! < b[i]!;
}

/** The slot that meets the fewest pushable owners (then on its home's day, then the earliest, then the day listed first); undefined when every slot meets something else. */
export function pushingSlot(task: CadenceTask, home: number | undefined, t: Timelines, ctx: Context, pushable: (owner: string) => boolean): { slot: Slot; pushed: string[] } | undefined {
  const length = task.durationMinutes + ctx.gapMinutes;
  const options = task.cadence === "daily" ? [{ days: ALL_DAYS, day: undefined }] : ctx.windowDays.map((day) => ({ days: [day], day }));
  let best: { slot: Slot; pushed: string[]; rank: number[] } | undefined;
  for (const { days, day } of options) {
    for (const offset of t.starts(days, length, ctx.limit)) {
      const hits = t.meeting(days, offset, offset + length);
      if (hits.some((i) => !pushable(i.owner))) continue;
      const pushed = [...new Set(hits.map((i) => i.owner))].sort();
      // Fewest pushed, then its home's day, then the earliest.
      const rank = [pushed.length, day === home ? 0 : 1, offset];
      if (!best || before(rank, best.rank)) {
        best = { slot: { days, ...(day !== undefined ? { day } : {}), offset, length }, pushed, rank };
      }
    }
  }
  return best;
}
