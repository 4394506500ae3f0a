/**
 * calendar.svg, read back as data and rendered by a real browser: for every
 * committed stack, each task that runs in a window day's window has exactly
 * one labelled slot in that day's row, at its exact minutes (the same minutes
 * as its cron in calendar.json), and no slot, free stretch or clock-change band
 * overlaps another. Debian's headless Chromium then lays the picture out: each
 * label sits inside its slot, no two texts overlap, and the screenshot shows
 * the slots' colours, not a blank page.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { DatedCalendarEntry } from "../components/calendar";
import type { WeekPlan } from "../components/schedule";
import { runChromium } from "./support/chromium";
import { decodePng } from "./support/png";
import { runPlan, type PlanResult } from "./support/planChild";

const STACKS = ["dev", "staging", "prod"] as const;
const X0 = 130;
const CHART = 1050;
const plans = {} as Record<(typeof STACKS)[number], PlanResult>;
const scratch = mkdtempSync(join(tmpdir(), "upkeep-svg-"));

before(async () => {
  const done = await Promise.all(STACKS.map((stack) => runPlan({ stack, now: "2026-11-29T00:00:00Z" })));
  STACKS.forEach((stack, i) => {
    assert.equal(done[i]!.code, 0, done[i]!.stderr);
    plans[stack] = done[i]!;
  });
});

after(() => {
  for (const plan of Object.values(plans)) plan.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

interface Drawn {
  readonly day: string;
  readonly slots: { task: string; from: number; to: number; x: number; width: number }[];
  readonly labels: { task: string; text: string }[];
  readonly spans: { what: string; from: number; to: number }[];
}

/** Each row of the picture as data, from its data-* attributes and geometry. */
function rowsOf(svg: string): Drawn[] {
  return svg
    .split('<g class="row" ')
    .slice(1)
    .map((chunk) => {
      const row = chunk.split('<g class="row" ')[0]!;
      const slots = [...row.matchAll(/<g class="slot" data-task="([^"]+)" data-cadence="\w+" data-from="(\d+)" data-to="(\d+)"><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({
        task: m[1]!,
        from: Number(m[2]),
        to: Number(m[3]),
        x: Number(m[4]),
        width: Number(m[5]),
      }));
      const others = [...row.matchAll(/<rect class="(free|clock-change)" data-from="(\d+)" data-to="(\d+)"/g)].map((m) => ({ what: m[1]!, from: Number(m[2]), to: Number(m[3]) }));
      return {
        day: /^data-day="(\w+)"/.exec(row)![1]!,
        slots,
        labels: [...row.matchAll(/<text class="label" data-task="([^"]+)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ task: m[1]!, text: m[2]! })),
        spans: [...slots.map((s) => ({ what: `slot ${s.task}`, from: s.from, to: s.to })), ...others],
      };
    });
}

for (const stack of STACKS) {
  test(`${stack}: one row per window day; each task in it once, labelled, at its exact minutes; nothing overlaps`, () => {
    const plan = plans[stack];
    const svg = plan.file("calendar.svg")!;
    const week = plan.json<WeekPlan>("schedule.json");
    const calendar = plan.json<DatedCalendarEntry[]>("calendar.json");
    const [h, m] = week.window.start.split(":").map(Number);
    const start = h! * 60 + m!;
    const scale = CHART / week.window.durationMinutes;
    const rows = rowsOf(svg);
    assert.deepEqual(rows.map((r) => r.day).sort(), [...week.window.days].sort());
    let slots = 0;
    for (const row of rows) {
      const day = week.days.find((d) => d.day === row.day)!;
      assert.deepEqual(
        row.slots.map((s) => [s.task, s.from, s.to]),
        day.slots.map((s) => [s.id, s.offsetMinutes, s.offsetMinutes + s.durationMinutes]),
        `${stack} ${row.day}`,
      );
      for (const s of row.slots) {
        // Drawn at its minutes...
        assert.equal(s.x, Math.round((X0 + s.from * scale) * 100) / 100);
        assert.equal(s.width, Math.round((s.to - s.from) * scale * 100) / 100);
        // ...which are its cron's local time.
        const [minute, hour] = calendar.find((e) => e.id === s.task)!.schedule.split(" ").map(Number);
        assert.equal((start + s.from) % 1440, hour! * 60 + minute!, `${s.task} in ${stack}`);
        // One label, the task's name (cut with an ellipsis only when the slot is too small).
        const labels = row.labels.filter((l) => l.task === s.task);
        assert.equal(labels.length, 1, `${s.task} has ${labels.length} labels`);
        assert.ok(labels[0]!.text === s.task || (labels[0]!.text.endsWith("…") && s.task.startsWith(labels[0]!.text.slice(0, -1))), labels[0]!.text);
        slots++;
      }
      for (let i = 0; i < row.spans.length; i++) {
        for (let j = i + 1; j < row.spans.length; j++) {
          const [a, b] = [row.spans[i]!, row.spans[j]!];
          assert.ok(a.to <= b.from || b.to <= a.from, `${stack} ${row.day}: ${a.what} [${a.from},${a.to}) overlaps ${b.what} [${b.from},${b.to})`);
        }
      }
    }
    assert.ok(slots >= 4, `${stack}: only ${slots} slots drawn`);
    // The week's reminders and notices are marks, each named in its mark's title.
    const marked = [...svg.matchAll(/<g class="mark"[^>]*>.*?<title>([^<]*)<\/title><\/g>/g)].map((m) => m[1]!).join(" ");
    const notices = calendar.filter((e) => e.kind === "notice");
    assert.ok(notices.length > 0);
    for (const n of notices) assert.ok(marked.includes(n.id), `${n.id} is not marked`);
  });
}

test("prod: the Sunday row keeps 02:00–03:00 clear and says why; Saturday's has no band", () => {
  const rows = rowsOf(plans.prod.file("calendar.svg")!);
  assert.deepEqual(rows.find((r) => r.day === "sun")!.spans.filter((s) => s.what === "clock-change"), [{ what: "clock-change", from: 90, to: 150 }]);
  assert.deepEqual(rows.find((r) => r.day === "sat")!.spans.filter((s) => s.what === "clock-change"), []);
  assert.match(plans.prod.file("calendar.svg")!, /195 of 240 min in use; the clock change takes 60 min: Sun 02:00–03:00 skipped in March and repeated in October/);
});

test("rendered by headless Chromium: labels inside their slots, no two texts overlap, and the screenshot is not blank", async () => {
  const svg = plans.prod.file("calendar.svg")!;
  // The layout as the browser computes it, written into the page for --dump-dom to print.
  const page = join(scratch, "layout.html");
  writeFileSync(
    page,
    `<!doctype html><html><body style="margin:0">${svg}<pre id="result"></pre><script>
const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
const slots = [...document.querySelectorAll("g.slot")].map((g) => ({ task: g.dataset.task, rect: box(g.querySelector("rect")), label: box(g.querySelector("text.label")) }));
const texts = [...document.querySelectorAll("svg text")].map((t) => ({ text: t.textContent, box: box(t) }));
document.getElementById("result").textContent = JSON.stringify({ slots, texts });
</script></body></html>`,
  );
  const dumped = await runChromium(["--window-size=1200,900", "--dump-dom", `file://${page}`]);
  assert.equal(dumped.code, 0, dumped.stderr);
  const json = /<pre id="result">([^<]*)<\/pre>/.exec(dumped.stdout)?.[1];
  assert.ok(json, `no layout in Chromium's DOM: ${dumped.stdout.slice(0, 200)}`);
  const layout = JSON.parse(json.replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">")) as {
    slots: { task: string; rect: number[]; label: number[] }[];
    texts: { text: string; box: number[] }[];
  };
  assert.ok(layout.slots.length >= 10, `${layout.slots.length} slots laid out`);
  for (const s of layout.slots) {
    const [l, t, r, b] = s.rect as [number, number, number, number];
    const [ll, lt, lr, lb] = s.label as [number, number, number, number];
    assert.ok(ll >= l - 0.5 && lr <= r + 0.5 && lt >= t - 0.5 && lb <= b + 0.5, `${s.task}'s label [${s.label}] leaves its slot [${s.rect}]`);
  }
  const texts = layout.texts.filter((t) => t.box[2]! > t.box[0]!);
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const [a, b] = [texts[i]!.box, texts[j]!.box] as [number[], number[]];
      const overlap = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!) > 0.5 && Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!) > 0.5;
      assert.ok(!overlap, `"${texts[i]!.text}" overlaps "${texts[j]!.text}"`);
    }
  }

  const svgFile = join(scratch, "calendar.svg");
  writeFileSync(svgFile, svg);
  const height = Number(/height="(\d+)"/.exec(svg)![1]);
  const png = join(scratch, "calendar.png");
  const shot = await runChromium([`--window-size=1200,${height}`, `--screenshot=${png}`, `file://${svgFile}`]);
  assert.equal(shot.code, 0, shot.stderr);
  const image = decodePng(readFileSync(png));
  assert.deepEqual([image.width, image.height], [1200, height]);
  const colours = new Map<string, number>();
  for (let y = 0; y < image.height; y += 2) {
    for (let x = 0; x < image.width; x += 2) {
      const key = image.pixel(x, y).join(",");
      colours.set(key, (colours.get(key) ?? 0) + 1);
    }
  }
  const sampled = Math.ceil(image.height / 2) * Math.ceil(image.width / 2);
  const white = colours.get("255,255,255") ?? 0;
  assert.ok(white < sampled * 0.9, `${Math.round((100 * white) / sampled)}% white`);
  // The slot colours of the cadences prod has, as drawn: daily, weekly, monthly, quarterly, custom.
  const near = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    return [...colours].filter(([k]) => k.split(",").map(Number).every((v, i) => Math.abs(v - [r, g, b][i]!) <= 3)).reduce((sum, [, n]) => sum + n, 0);
  };
  for (const [cadence, hex] of [["daily", "#3b6fb6"], ["weekly", "#5a8f3c"], ["monthly", "#8a5cb8"], ["quarterly", "#b86b2c"], ["custom", "#6b6b6b"]]) {
    assert.ok(near(hex!) > 100, `no ${cadence} slot colour ${hex} in the screenshot`);
  }
});
