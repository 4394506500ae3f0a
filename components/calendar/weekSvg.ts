/**
 * calendar.svg: one week of the window in local time, for a reviewer's eyes.
 * On top, the seven days with each window and the reminders and notices as
 * numbered marks; below, one row per window day: each task's slot, labelled,
 * at its exact minutes, the free stretches, and the band a clock change keeps
 * clear. Pure and deterministic: the same plan draws the same bytes.
 *
 * Every drawn thing carries data-* attributes with its minutes, so a test can
 * read the picture as data.
 */
import { hhmmToMinute, localTime, minuteToHhmm, WEEKDAYS, type WeekPlan, type WeekSlot } from "../schedule";
import type { DatedCalendarEntry } from "./entries";

const WIDTH = 1200;
const X0 = 130;
const CHART = 1050;
const STRIP_TOP = 70;
const STRIP_HEIGHT = 34;
const ROW_HEIGHT = 130;
/** Pixels per character of 10-pixel sans-serif, generous, so labels stay inside their slots. */
const CHAR_PX = 6.2;
/** Label sizes to try, largest first. */
const LABEL_SIZES = [10, 8.5];
const DAY_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const FILL: Record<string, string> = { daily: "#3b6fb6", weekly: "#5a8f3c", monthly: "#8a5cb8", quarterly: "#b86b2c", custom: "#6b6b6b" };

const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const num = (n: number) => String(Math.round(n * 100) / 100);

/** Text cut to fit a width in pixels, with an ellipsis when cut. */
function fit(text: string, px: number): string {
  const max = Math.floor(px / CHAR_PX);
  if (text.length <= max) return text;
  return max <= 1 ? "…" : `${text.slice(0, max - 1)}…`;
}

interface WeekDate {
  readonly key: string;
  readonly weekday: number;
}

/**
 * Seven local dates in the window's zone, from the first local midnight at or
 * after the plan's "now", so every weekly reminder or notice falls in the week
 * exactly once (the calendar's next runs start at "now").
 */
function weekDates(now: Date, zone: string): WeekDate[] {
  const t = localTime(zone, now.getTime());
  const first = t.hour === 0 && t.minute === 0 ? 0 : 1;
  return Array.from({ length: 7 }, (_, i) => {
    const d = new Date(Date.UTC(t.year, t.month - 1, t.day + first + i));
    return { key: d.toISOString().slice(0, 10), weekday: d.getUTCDay() };
  });
}

interface Mark {
  readonly minute: number;
  readonly label: string;
  readonly entries: readonly DatedCalendarEntry[];
}

/** Reminders and notices of the week, grouped by the minute they fire. */
function marksOf(entries: readonly DatedCalendarEntry[], dates: readonly WeekDate[]): Mark[] {
  const byMinute = new Map<number, { label: string; entries: DatedCalendarEntry[] }>();
  for (const e of entries) {
    if (e.kind !== "reminder" && e.kind !== "notice") continue;
    for (const iso of e.next) {
      const day = dates.findIndex((d) => d.key === iso.slice(0, 10));
      if (day < 0) continue;
      const minute = day * 1440 + hhmmToMinute(iso.slice(11, 16));
      const at = byMinute.get(minute) ?? { label: `${DAY_SHORT[dates[day]!.weekday]} ${iso.slice(0, 10)} ${iso.slice(11, 16)}`, entries: [] };
      at.entries.push(e);
      byMinute.set(minute, at);
    }
  }
  return [...byMinute].sort(([a], [b]) => a - b).map(([minute, m]) => ({ minute, ...m }));
}

/** Lanes so that no two labels overlap: each label takes the first lane where it starts after the last one ends. */
function lanes(items: readonly { x: number; width: number }[]): number[] {
  const ends: number[] = [];
  return items.map((item) => {
    let lane = ends.findIndex((end) => end + 4 <= item.x);
    if (lane < 0) lane = ends.length;
    ends[lane] = item.x + item.width;
    return lane;
  });
}

export interface WeekSvgInputs {
  readonly environment: string;
  readonly week: WeekPlan;
  readonly entries: readonly DatedCalendarEntry[];
  readonly now: Date;
}

export function renderWeekSvg({ environment, week, entries, now }: WeekSvgInputs): string {
  const { window } = week;
  const start = hhmmToMinute(window.start);
  const L = window.durationMinutes;
  const dates = weekDates(now, window.timeZone);
  const titles = new Map(entries.map((e) => [e.id, e]));
  const out: string[] = [];
  const y0 = STRIP_TOP;

  // The week: each day's window (darker on window days), the marks, and their legend.
  const weekX = (minute: number) => X0 + (minute * CHART) / (7 * 1440);
  out.push(`<g class="week" data-from="${dates[0]!.key}">`);
  dates.forEach((d, i) => {
    out.push(`<text x="${num(weekX(i * 1440) + 3)}" y="${y0 - 6}" class="small">${DAY_SHORT[d.weekday]} ${d.key.slice(5)}</text>`);
    out.push(`<line x1="${num(weekX(i * 1440))}" y1="${y0}" x2="${num(weekX(i * 1440))}" y2="${y0 + STRIP_HEIGHT}" class="rule"/>`);
  });
  out.push(`<rect x="${X0}" y="${y0}" width="${CHART}" height="${STRIP_HEIGHT}" class="frame"/>`);
  for (let i = -1; i < 7; i++) {
    const weekday = (dates[0]!.weekday + 7 + i) % 7;
    const from = Math.max(0, i * 1440 + start);
    const to = Math.min(7 * 1440, i * 1440 + start + L);
    if (to <= from) continue;
    const isDay = window.days.includes(WEEKDAYS[weekday]!);
    out.push(
      `<rect class="${isDay ? "window-day" : "window-other"}" data-weekday="${WEEKDAYS[weekday]}" x="${num(weekX(from))}" y="${y0 + 4}" width="${num(weekX(to) - weekX(from))}" height="${STRIP_HEIGHT - 16}"><title>${esc(`${DAY_SHORT[weekday]} window ${window.start} for ${L} min${isDay ? " (a window day)" : " (daily tasks only)"}`)}</title></rect>`,
    );
  }
  const marks = marksOf(entries, dates);
  const markLanes = lanes(marks.map((m, i) => ({ x: weekX(m.minute) - 6, width: 8 + String(i + 1).length * CHAR_PX })));
  marks.forEach((m, i) => {
    const x = weekX(m.minute);
    const y = y0 + STRIP_HEIGHT - 4 + markLanes[i]! * 12;
    const kinds = [...new Set(m.entries.map((e) => e.kind))].join(" ");
    out.push(
      `<g class="mark" data-kind="${kinds}" data-minute="${m.minute}"><path d="M${num(x)} ${y - 8} l-4 8 h8 z"/><text x="${num(x + 5)}" y="${y + 1}" class="small">${i + 1}</text><title>${esc(`${m.label}: ${m.entries.map((e) => e.id).join(", ")}`)}</title></g>`,
    );
  });
  const legendTop = y0 + STRIP_HEIGHT + 14 + Math.max(0, ...markLanes) * 12;
  marks.forEach((m, i) => {
    const what = m.entries.map((e) => `${e.kind} ${e.id}`).join(", ");
    out.push(`<text x="${X0}" y="${legendTop + 12 * (i + 1)}" class="small legend">${esc(fit(`${i + 1}  ${m.label}  ${what}`, CHART))}</text>`);
  });
  out.push("</g>");

  // One row per window day of the week, in date order.
  const scale = CHART / L;
  const x = (offset: number) => X0 + offset * scale;
  let rowTop = legendTop + 12 * marks.length + 30;
  const rowDays = dates.filter((d) => window.days.includes(WEEKDAYS[d.weekday]!));
  for (const date of rowDays) {
    const day = week.days.find((d) => d.day === WEEKDAYS[date.weekday])!;
    const slotTop = rowTop + 32;
    const slotHeight = 80;
    const clock = day.clockChange.minutes > 0 ? `the clock change takes ${day.clockChange.minutes} min: ${day.clockChange.why.join("; ")}` : "no clock change in this window";
    out.push(`<g class="row" data-day="${day.day}" data-date="${date.key}">`);
    out.push(`<text x="8" y="${slotTop + 24}" class="day">${DAY_SHORT[date.weekday]} ${date.key.slice(5)}</text>`);
    out.push(`<text x="${X0}" y="${rowTop + 10}" class="small caption">${esc(fit(`${day.usedMinutes} of ${day.availableMinutes} min in use; ${clock}`, CHART))}</text>`);
    for (let h = Math.ceil(start / 60) * 60; h <= start + L; h += 60) {
      out.push(`<line x1="${num(x(h - start))}" y1="${slotTop - 6}" x2="${num(x(h - start))}" y2="${slotTop + slotHeight}" class="tick"/>`);
      if (x(h - start) + 30 <= X0 + CHART) out.push(`<text x="${num(x(h - start) + 2)}" y="${slotTop - 8}" class="small">${minuteToHhmm(h)}</text>`);
    }
    out.push(`<rect x="${X0}" y="${slotTop}" width="${CHART}" height="${slotHeight}" class="frame"/>`);
    for (const f of day.free) {
      const label = `free ${f.to - f.from} min`;
      out.push(
        `<rect class="free" data-from="${f.from}" data-to="${f.to}" x="${num(x(f.from))}" y="${slotTop + 2}" width="${num((f.to - f.from) * scale)}" height="${slotHeight - 4}"><title>${esc(`free ${minuteToHhmm(start + f.from)}–${minuteToHhmm(start + f.to)}`)}</title></rect>`,
      );
      if (label.length * CHAR_PX + 6 <= (f.to - f.from) * scale) out.push(`<text x="${num(x(f.from) + 3)}" y="${slotTop + slotHeight - 6}" class="small free-label">${label}</text>`);
    }
    for (const b of day.bands) {
      out.push(
        `<rect class="clock-change" data-from="${b.from}" data-to="${b.to}" x="${num(x(b.from))}" y="${slotTop}" width="${num((b.to - b.from) * scale)}" height="${slotHeight}"><title>${esc(`kept clear: ${b.why.join("; ")}`)}</title></rect>`,
      );
    }
    for (const s of day.slots) {
      out.push(slotSvg(s, { x: x(s.offsetMinutes), width: s.durationMinutes * scale, top: slotTop, height: slotHeight, start, title: titles.get(s.id)?.title, weekday: date.weekday }));
    }
    out.push("</g>");
    rowTop += ROW_HEIGHT;
  }
  if (week.outside.length > 0) {
    const text = `outside the window: ${week.outside.map((o) => `${o.id} (${o.cron}, ${o.durationMinutes} min)`).join(", ")}`;
    out.push(`<text x="${X0}" y="${rowTop + 4}" class="small">${esc(fit(text, CHART))}</text>`);
    rowTop += 16;
  }
  const height = rowTop + 10;
  const title = `upkeep ${environment}: the week from ${dates[0]!.key}, ${window.timeZone} (window ${window.start} for ${L} min on ${window.days.join(", ")})`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<style>${STYLE}</style>`,
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6d5d5"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c0392b" stroke-width="2"/></pattern></defs>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="24" class="title">${esc(title)}</text>`,
    `<text x="8" y="42" class="small">Slots are drawn at their local minutes; each is followed by a ${window.gapMinutes}-minute gap. Hatched: kept clear for a clock change. Numbered marks: reminders and notices.</text>`,
    ...out,
    "</svg>",
    "",
  ].join("\n");
}

interface SlotBox {
  readonly x: number;
  readonly width: number;
  readonly top: number;
  readonly height: number;
  readonly start: number;
  readonly title?: string;
  readonly weekday: number;
}

/** A slot and its one label: across it when it fits, else upright inside it. */
function slotSvg(s: WeekSlot, box: SlotBox): string {
  const from = box.start + s.offsetMinutes;
  const when = `${minuteToHhmm(from)}–${minuteToHhmm(from + s.durationMinutes)}`;
  const guard = s.cadence === "monthly" || s.cadence === "quarterly" ? `, the first ${DAY_SHORT[box.weekday]} of ${s.cadence === "monthly" ? "each month" : "a quarter"} only` : "";
  const moved = s.moved ? `; moved from ${s.moved.fromWindowDay ? `${s.moved.fromWindowDay} ` : ""}${minuteToHhmm(box.start + s.moved.fromOffsetMinutes)} because ${s.moved.by} took its minutes` : "";
  const tip = `${s.id}${box.title ? `: ${box.title}` : ""}, ${when} (${s.cadence}${guard})${moved}`;
  // Across at the first size that fits, else upright at the first that fits (cut only when none does).
  const px = (size: number) => (CHAR_PX * size) / 10;
  const acrossSize = LABEL_SIZES.find((size) => s.id.length * px(size) + 6 <= box.width);
  const uprightSize = LABEL_SIZES.find((size) => s.id.length * px(size) + 6 <= box.height) ?? LABEL_SIZES.at(-1)!;
  const label =
    acrossSize !== undefined
      ? `<text class="label" data-task="${esc(s.id)}" font-size="${acrossSize}" x="${num(box.x + 3)}" y="${box.top + 16}">${esc(s.id)}</text>`
      : `<text class="label" data-task="${esc(s.id)}" font-size="${uprightSize}" transform="translate(${num(box.x + box.width / 2 + uprightSize / 3)} ${box.top + box.height - 3}) rotate(-90)">${esc(fit(s.id, ((box.height - 6) * 10) / uprightSize))}</text>`;
  const time = acrossSize !== undefined && minuteToHhmm(from).length * CHAR_PX + 6 <= box.width ? `<text class="small time" x="${num(box.x + 3)}" y="${box.top + 30}">${minuteToHhmm(from)}</text>` : "";
  return [
    `<g class="slot" data-task="${esc(s.id)}" data-cadence="${s.cadence}" data-from="${s.offsetMinutes}" data-to="${s.offsetMinutes + s.durationMinutes}">`,
    `<rect x="${num(box.x)}" y="${box.top + 1}" width="${num(box.width)}" height="${box.height - 2}" fill="${FILL[s.cadence]}"${guard ? ' stroke-dasharray="4 2" class="guarded"' : ""}/>`,
    label,
    time,
    `<title>${esc(tip)}</title>`,
    "</g>",
  ]
    .filter(Boolean)
    .join("");
}

const STYLE = [
  ".title{font-size:15px;font-weight:bold;fill:#222}",
  ".small{font-size:10px;fill:#444}",
  ".day{font-size:13px;font-weight:bold;fill:#222}",
  ".frame{fill:none;stroke:#999}",
  ".rule,.tick{stroke:#ddd}",
  ".window-day{fill:#9bb7dd}",
  ".window-other{fill:#dbe5f2}",
  ".mark path{fill:#d35400}",
  ".free{fill:#e3f4e0}",
  ".free-label{fill:#3c763d}",
  ".clock-change{fill:url(#hatch)}",
  ".slot rect{stroke:#ffffff}",
  ".slot .guarded{stroke:#222}",
  ".label{fill:#ffffff}",
  ".time{fill:#e8eef8}",
].join("");

