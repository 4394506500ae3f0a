/**
 * Where a zone's wall clock misbehaves. On a spring-forward day some local
 * times never happen, on a fall-back day some happen twice; a cron entry in
 * either range runs zero or two times, or overlaps the next task. The engine
 * keeps every slot clear of these ranges, so local times hold all year.
 */

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday. */
  readonly weekday: number;
}

export function localTime(zone: string, epochMs: number): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(epochMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const year = parts.year!;
  const month = parts.month!;
  const day = parts.day!;
  return {
    year,
    month,
    day,
    hour: parts.hour!,
    minute: parts.minute!,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** The zone's offset from UTC at an instant, in minutes. */
export function offsetMinutes(zone: string, epochMs: number): number {
  const t = localTime(zone, epochMs);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  return Math.round((asUtc - Math.floor(epochMs / MINUTE) * MINUTE) / MINUTE);
}

/** A half-open range of minutes after local midnight, never wrapping. */
export interface MinuteRange {
  readonly from: number;
  readonly to: number;
}

export interface DstHorizon {
  readonly fromYear: number;
  readonly years: number;
}

/** How far ahead every schedule, alert and window check looks for clock changes. */
export const DST_HORIZON_YEARS = 5;

/** The one horizon the task scheduler, the alerts, backups and rotation share. */
export const dstHorizon = (options: { readonly fromYear: number }): DstHorizon => ({ fromYear: options.fromYear, years: DST_HORIZON_YEARS });

function transitionInstant(zone: string, lo: number, hi: number): number {
  // offset(lo) != offset(hi); find the first minute with the new offset.
  const before = offsetMinutes(zone, lo);
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (offsetMinutes(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

function wallRange(startMinute: number, length: number): MinuteRange[] {
  const from = ((startMinute % 1440) + 1440) % 1440;
  const to = from + length;
  return to <= 1440 ? [{ from, to }] : [{ from, to: 1440 }, { from: 0, to: to - 1440 }];
}

const transitionsCache = new Map<string, readonly number[]>();

/**
 * The instants in [fromMs, toMs) at which the zone's offset changes, to the
 * minute. Offsets are assumed to change at most once a day, as they do.
 */
export function offsetTransitions(zone: string, fromMs: number, toMs: number): readonly number[] {
  const key = `${zone}|${fromMs}|${toMs}`;
  const hit = transitionsCache.get(key);
  if (hit) return hit;
  const out: number[] = [];
  let offset = offsetMinutes(zone, fromMs);
  for (let t = fromMs; t < toMs; t += DAY) {
    const next = Math.min(t + DAY, toMs);
    const nextOffset = offsetMinutes(zone, next);
    if (nextOffset !== offset) out.push(transitionInstant(zone, t, next));
    offset = nextOffset;
  }
  transitionsCache.set(key, out);
  return out;
}

const cache = new Map<string, readonly MinuteRange[]>();

/**
 * Local minute ranges that are skipped or repeated by any offset change in the
 * horizon, merged and sorted.
 */
export function unsafeLocalRanges(zone: string, horizon: DstHorizon): readonly MinuteRange[] {
  const key = `${zone}|${horizon.fromYear}|${horizon.years}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const ranges: MinuteRange[] = [];
  for (const at of offsetTransitions(zone, Date.UTC(horizon.fromYear, 0, 1), Date.UTC(horizon.fromYear + horizon.years, 0, 1))) {
    const after = offsetMinutes(zone, at);
    const before = offsetMinutes(zone, at - MINUTE);
    const delta = Math.abs(after - before);
    const minuteOfInstant = Math.floor(at / MINUTE);
    // Spring forward skips [old wall, new wall); fall back repeats [new wall, old wall).
    const wallStart = after > before ? minuteOfInstant + before : minuteOfInstant + after;
    ranges.push(...wallRange(wallStart, delta));
  }
  const merged = mergeRanges(ranges);
  cache.set(key, merged);
  return merged;
}

export function mergeRanges(ranges: readonly MinuteRange[]): MinuteRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const out: MinuteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) out[out.length - 1] = { from: last.from, to: Math.max(last.to, r.to) };
    else out.push({ ...r });
  }
  return out;
}

/**
 * The instant a local wall-clock time happens in a zone. For a time the clock
 * skips, the instant just after the gap; for a repeated time, the first one.
 */
export function instantOf(zone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - offsetMinutes(zone, wall) * MINUTE;
  // Two corrections settle it: the offset at the guess may differ from the offset at `wall`.
  for (let i = 0; i < 2; i++) guess = wall - offsetMinutes(zone, guess) * MINUTE;
  const earlier = wall - offsetMinutes(zone, guess - 3600 * 1000) * MINUTE;
  return earlier < guess && localMatches(zone, earlier, hour, minute) ? earlier : guess;
}

function localMatches(zone: string, epochMs: number, hour: number, minute: number): boolean {
  const t = localTime(zone, epochMs);
  return t.hour === hour && t.minute === minute;
}
