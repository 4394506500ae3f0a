/**
 * Calendar entries whose timing changed, in words: the entry's own description
 * before and after, and its next runs in local time. Only the fields that make
 * the timing are compared; `next` alone differs whenever the plans were made
 * on different days, which is no change at all.
 */
import type { DatedCalendarEntry } from "../../components/calendar";

const TIMING_FIELDS = ["schedule", "timeZone", "durationMinutes", "cadence"] as const;

export interface ScheduleChange {
  readonly id: string;
  readonly title: string;
  readonly before?: DatedCalendarEntry;
  readonly after?: DatedCalendarEntry;
}

export function compareSchedules(base: readonly DatedCalendarEntry[], head: readonly DatedCalendarEntry[]): ScheduleChange[] {
  const baseById = new Map(base.map((e) => [e.id, e]));
  const headIds = new Set(head.map((e) => e.id));
  const out: ScheduleChange[] = [];
  for (const after of head) {
    const before = baseById.get(after.id);
    if (before && TIMING_FIELDS.every((f) => before[f] === after[f])) continue;
    out.push({ id: after.id, title: after.title, before, after });
  }
  for (const before of base) if (!headIds.has(before.id)) out.push({ id: before.id, title: before.title, before });
  return out;
}

/** `2026-11-30T00:30:00+01:00` → `2026-11-30 00:30`: the wall time as written, which is local time. */
export const localTime = (iso: string) => iso.slice(0, 16).replace("T", " ");

export const nextRuns = (entry: DatedCalendarEntry, count = 3) => entry.next.slice(0, count).map(localTime).join(", ") || "none";

/** What changed, in words, for the line after the entry's title. */
export function describeChange(change: ScheduleChange): string {
  const { before, after } = change;
  if (!before) return `added: ${after!.description}, ${after!.durationMinutes} min`;
  if (!after) return `removed (was ${before.description}, ${before.durationMinutes} min)`;
  const parts = [before.description === after.description ? after.description : `${before.description} → ${after.description}`];
  if (before.cadence !== after.cadence) parts.push(`cadence ${before.cadence} → ${after.cadence}`);
  if (before.durationMinutes !== after.durationMinutes) parts.push(`slot ${before.durationMinutes} → ${after.durationMinutes} min`);
  return parts.join("; ");
}
