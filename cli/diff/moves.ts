/**
 * Why tasks moved. A window change (its days, start, length or zone) moves
 * tasks by itself, so it gets a line of its own before the schedule changes.
 * Otherwise a task that moved names whoever holds its old minutes now (a
 * pinned job, a daily task that came first); failing that, the tasks declared
 * before it that changed, since the engine places each task after those
 * (there is no other cause). Both read the plans' schedule.json and
 * tasks.json; older plans have only the CronJobs' window annotation, which is
 * enough for the window line.
 */
import type { WeekPlan } from "../../components/schedule";
import type { Plan } from "./load";
import { at } from "./paths";
import { CRONJOB_TYPE } from "./danger/resources";
import { readWindowAnnotation, WINDOW_ANNOTATION, type WindowAnnotation } from "./danger/window";

function windowOf(plan: Plan): WindowAnnotation | undefined {
  if (plan.schedule) return plan.schedule.window;
  for (const r of plan.resources) {
    if (r.type !== CRONJOB_TYPE) continue;
    const w = readWindowAnnotation(at(r.inputs, "metadata", "annotations", WINDOW_ANNOTATION));
    if (w) return w;
  }
  return undefined;
}

/** The one line that says the window changed, or undefined when it did not. */
export function windowChange(base: Plan, head: Plan): string | undefined {
  const a = windowOf(base);
  const b = windowOf(head);
  if (!a || !b) return undefined;
  const parts: string[] = [];
  if (a.days.join(",") !== b.days.join(",")) parts.push(`days ${a.days.join(", ")} → ${b.days.join(", ")}`);
  if (a.start !== b.start) parts.push(`start ${a.start} → ${b.start}`);
  if (a.durationMinutes !== b.durationMinutes) parts.push(`length ${a.durationMinutes} → ${b.durationMinutes} min`);
  if (a.timeZone !== b.timeZone) parts.push(`time zone ${a.timeZone} → ${b.timeZone}`);
  if (parts.length === 0) return undefined;
  return `**The window changed:** ${parts.join(", ")} (now ${b.days.join(", ")} from ${b.start} for ${b.durationMinutes} min, ${b.timeZone}); the schedule changes below follow from it.`;
}

interface Placed {
  readonly days: ReadonlySet<string>;
  readonly from: number;
  readonly to: number;
}

/** Where it starts, on which days: a slot that only got longer or shorter did not move. */
const samePlace = (a: Placed, b: Placed) => a.from === b.from && sameDays(a.days, b.days);

/** Each task's slot in the week: the window days it sits on and its minutes, gap included. */
function placements(week: WeekPlan): Map<string, Placed> {
  const out = new Map<string, { days: Set<string>; from: number; to: number }>();
  for (const day of week.days) {
    for (const s of day.slots) {
      const p = out.get(s.id) ?? { days: new Set<string>(), from: s.offsetMinutes, to: s.offsetMinutes + s.durationMinutes + week.window.gapMinutes };
      p.days.add(day.day);
      out.set(s.id, p);
    }
  }
  return out;
}

const sameDays = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((d) => b.has(d));

/**
 * Why each task that moved did, by id, when both plans say where tasks sit.
 * Call it only when the window is unchanged: else the window line says why.
 */
export function movedBecause(base: Plan, head: Plan): Map<string, string> {
  const out = new Map<string, string>();
  if (!base.schedule || !head.schedule) return out;
  const before = placements(base.schedule);
  const after = placements(head.schedule);
  // The order the engine placed them in; outside-window tasks hold no minutes and change nothing.
  const order = (head.tasks ?? []).map((t) => t.id).filter((id) => after.has(id));
  const changed = (id: string) => {
    const was = before.get(id);
    const now = after.get(id)!;
    if (!was) return `\`${id}\` (new)`;
    if (!samePlace(was, now)) return `\`${id}\` (moved)`;
    if (was.to - was.from !== now.to - now.from) return `\`${id}\` (${was.to - was.from > now.to - now.from ? "shorter" : "longer"})`;
    return undefined;
  };
  for (const [id, was] of before) {
    const now = after.get(id);
    if (!now || samePlace(now, was)) continue;
    const takers = [...after]
      .filter(([other, p]) => other !== id && p.from < was.to && was.from < p.to && [...p.days].some((d) => was.days.has(d)))
      .map(([other]) => `\`${other}\``);
    if (takers.length > 0) {
      out.set(id, `its minutes now go to ${takers.join(", ")}`);
      continue;
    }
    const removed = [...before.keys()].filter((other) => !after.has(other)).map((other) => `\`${other}\` (removed)`);
    const earlier = order.slice(0, Math.max(0, order.indexOf(id))).map(changed).filter((c): c is string => c !== undefined);
    const causes = [...earlier, ...removed];
    if (causes.length > 0) out.set(id, `it is placed after the tasks before it, which changed: ${causes.join(", ")}`);
  }
  return out;
}
