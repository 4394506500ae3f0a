/**
 * The minutes each window instance has taken, and what to say when a task
 * finds none. A window is at most 720 minutes and every slot is at least a
 * minute plus the gap, so a timeline holds a bounded number of intervals;
 * placing a task is quadratic in that bound, never in the number of tasks.
 */
import type { InstanceBand } from "./clockBands";

export const CLOCK_OWNER = "daylight saving time";
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];

interface Interval {
  readonly from: number;
  readonly to: number;
  readonly owner: string;
}

/** Where a task sits: the instances it holds, the window day for a non-daily task, its offset and length (gap included). */
export interface Slot {
  readonly days: readonly number[];
  readonly day?: number;
  readonly offset: number;
  readonly length: number;
}

export interface Stretch {
  readonly from: number;
  readonly to: number;
}

export class Timelines {
  private readonly days: Interval[][] = Array.from({ length: 7 }, () => []);

  reserve(dayIndexes: readonly number[], from: number, to: number, owner: string): void {
    for (const d of dayIndexes) this.days[d]!.push({ from, to, owner });
  }

  release(owner: string): void {
    for (let d = 0; d < 7; d++) this.days[d] = this.days[d]!.filter((i) => i.owner !== owner);
  }

  /** The first interval on the given days that meets [from, to), leaving out those whose owner is in `ignore`. */
  conflict(dayIndexes: readonly number[], from: number, to: number, ignore?: ReadonlySet<string>): Interval | undefined {
    for (const d of dayIndexes) {
      const hit = this.days[d]!.find((i) => i.from < to && from < i.to && !ignore?.has(i.owner));
      if (hit) return hit;
    }
    return undefined;
  }

  /** Every interval on the given days that meets [from, to). */
  meeting(dayIndexes: readonly number[], from: number, to: number): Interval[] {
    return dayIndexes.flatMap((d) => this.days[d]!.filter((i) => i.from < to && from < i.to));
  }

  /** Starts worth trying on the given days: 0, each interval's end, and each start that ends where an interval begins or at `limit`. */
  starts(dayIndexes: readonly number[], length: number, limit: number): number[] {
    const out = new Set<number>([0, limit - length]);
    for (const d of dayIndexes) for (const i of this.days[d]!) out.add(i.to).add(i.from - length);
    return [...out].filter((s) => s >= 0 && s + length <= limit).sort((a, b) => a - b);
  }

  /** The earliest start ≥ 0 where [start, start+length) ends by `limit` and is free on every given day (but for owners in `ignore`). */
  firstFit(dayIndexes: readonly number[], length: number, limit: number, ignore?: ReadonlySet<string>): number | undefined {
    const candidates = new Set<number>([0]);
    for (const d of dayIndexes) for (const i of this.days[d]!) if (!ignore?.has(i.owner)) candidates.add(i.to);
    for (const start of [...candidates].sort((a, b) => a - b)) {
      // Candidates ascend, so once one runs past the limit every later one does.
      if (start + length > limit) return undefined;
      if (!this.conflict(dayIndexes, start, start + length, ignore)) return start;
    }
    return undefined;
  }

  /** The stretches below `limit` that are free on every given day, ascending. */
  free(dayIndexes: readonly number[], limit: number): Stretch[] {
    const taken = dayIndexes.flatMap((d) => this.days[d]!).sort((a, b) => a.from - b.from);
    const out: Stretch[] = [];
    let cursor = 0;
    for (const i of taken) {
      if (i.from > cursor && cursor < limit) out.push({ from: cursor, to: Math.min(i.from, limit) });
      cursor = Math.max(cursor, i.to);
    }
    if (cursor < limit) out.push({ from: cursor, to: limit });
    return out;
  }

  /** Minutes of task slots (their gaps left out) that start before `length` on one timeline. */
  taskMinutes(dayIndex: number, length: number, gap: number): number {
    return this.days[dayIndex]!.filter((i) => i.owner !== CLOCK_OWNER && i.from < length).reduce((sum, i) => sum + i.to - i.from - gap, 0);
  }
}

/** The longest stretch; the earliest of equals. */
export function longestStretch(stretches: readonly Stretch[]): Stretch {
  return stretches.reduce((best, s) => (s.to - s.from > best.to - best.from ? s : best), { from: 0, to: 0 });
}

const hhmm = (minute: number) => {
  const m = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
};

export interface DoesNotFit {
  readonly window: { readonly days: readonly string[]; readonly startMinute: number; readonly durationMinutes: number };
  readonly task: { readonly id: string; readonly path: string; readonly cadence: string; readonly durationMinutes: number };
  readonly gapMinutes: number;
  readonly timelines: Timelines;
  readonly windowDays: readonly number[];
  readonly bands: readonly InstanceBand[][];
  readonly dayLabel: (day: number) => string;
}

/**
 * Why a task found no room, leading with the constraint that failed (a daily
 * task needs its minutes free on every day; any other task, on one window
 * day), then the longest free slot there is, then how full that day is.
 * Timeline stretches include the gap after a slot, so a slot is a stretch
 * less the gap.
 */
export function doesNotFit(a: DoesNotFit): string {
  const { window, task, gapMinutes: gap, timelines } = a;
  const limit = window.durationMinutes + gap;
  const daily = task.cadence === "daily";
  const S = window.startMinute;
  const otherDays = ALL_DAYS.filter((d) => !a.windowDays.includes(d));
  let best = { day: a.windowDays[0]!, stretch: longestStretch(timelines.free(daily ? ALL_DAYS : [a.windowDays[0]!], limit)) };
  if (!daily) {
    for (const day of a.windowDays) {
      const stretch = longestStretch(timelines.free([day], limit));
      if (stretch.to - stretch.from > best.stretch.to - best.stretch.from) best = { day, stretch };
    }
  }
  const slot = Math.max(0, best.stretch.to - best.stretch.from - gap);
  const at = slot > 0 ? `, ${daily ? "" : `${a.dayLabel(best.day)} `}${hhmm(S + best.stretch.from)}–${hhmm(S + best.stretch.from + slot)}` : "";
  const failed = daily
    ? `a daily task needs the same free ${task.durationMinutes}-minute slot, with the ${gap}-minute gap after it, on every day, and the longest slot free on every day is ${slot} minutes${at}`
    : `it needs a free ${task.durationMinutes}-minute slot, with the ${gap}-minute gap after it, on one window day (${window.days.join(", ")}), and the longest free slot is ${slot} minutes${at}`;
  // How full: the busiest day (window days first) for a daily task, the day of the longest slot for any other.
  const held = (d: number) => timelines.taskMinutes(d, window.durationMinutes, gap);
  const day = daily ? [...a.windowDays, ...otherDays].reduce((b, d) => (held(d) > held(b) ? d : b)) : best.day;
  const clock = clockMinutes(daily ? a.bands.flat() : a.bands[day]!, window.durationMinutes);
  const clockText = clock === 0 ? "" : daily ? `, and daily tasks keep ${clock} clear for the clock change` : `, and the clock change takes ${clock}`;
  const full = `on ${a.dayLabel(day)} tasks hold ${held(day)} of the window's ${window.durationMinutes} minutes${clockText}`;
  return `${task.id} (${task.path}) does not fit: ${failed}; ${full}; lengthen the window, ${daily ? "" : "add a window day, "}or shorten or move tasks`;
}

/** Minutes of the window the bands cover (for a daily task, those of every day: it runs on all of them). */
function clockMinutes(bands: readonly InstanceBand[], length: number): number {
  const t = new Timelines();
  for (const r of bands) t.reserve([0], r.from, r.to, CLOCK_OWNER);
  return length - t.free([0], length).reduce((sum, s) => sum + s.to - s.from, 0);
}
