/**
 * Quiet windows: the maintenance window as an Alertmanager mute interval.
 * AlertmanagerConfig time intervals have no time zone, so the window is
 * converted to UTC; these tests read the generated intervals back the way
 * Alertmanager does (in UTC) and compare them, instant by instant, with the
 * window on the local wall clock, across five years of clock changes in
 * zones that shift by an hour, by half an hour, south of the equator and
 * not at all. amtool 0.25 cannot test routing at a given time, so the
 * routes themselves go through `amtool check-config` and `config routes test`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateObjects } from "../cli/validateObjects";
import { buildAlertmanagerConfig, toAlertmanagerYaml, type Route } from "../components/alerting/alertmanager";
import { dateSpan, windowMuteInterval, type QuietWindowInputs, type TimeInterval } from "../components/alerting/quietWindow";
import { parseMatcherSet, type AlertMatcher } from "../components/config";
import { localTime, offsetTransitions } from "../components/schedule";

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

// ---------------------------------------------------------------- Alertmanager's reading, in UTC

function inRange(value: number, text: string, names?: readonly string[]): boolean {
  const toNumber = (part: string) => (names && names.includes(part) ? names.indexOf(part) + 1 : Number(part));
  const [a, b] = text.split(":");
  return value >= toNumber(a!) && value <= toNumber(b ?? a!);
}

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Whether Alertmanager (which reads intervals without a location in UTC) mutes at this instant. */
function muted(intervals: readonly TimeInterval[], epochMs: number): boolean {
  const t = new Date(epochMs);
  const minute = t.getUTCHours() * 60 + t.getUTCMinutes();
  return intervals.some(
    (i) =>
      (i.times ?? [{ startTime: "00:00", endTime: "24:00" }]).some((r) => minute >= minuteOf(r.startTime) && minute < minuteOf(r.endTime)) &&
      (!i.daysOfMonth || i.daysOfMonth.some((d) => t.getUTCDate() >= d.start && t.getUTCDate() <= d.end)) &&
      (!i.months || i.months.some((m) => inRange(t.getUTCMonth() + 1, m, MONTHS))) &&
      (!i.years || i.years.some((y) => inRange(t.getUTCFullYear(), y))),
  );
}

/** The window on the local wall clock: every day, from its start for its duration, across midnight. */
function inWindow(w: QuietWindowInputs, epochMs: number): boolean {
  const local = localTime(w.timeZone, epochMs);
  const minute = local.hour * 60 + local.minute;
  const start = minuteOf(w.start);
  const end = start + w.durationMinutes;
  return (minute >= start && minute < end) || minute < end - 1440;
}

function assertAgrees(w: QuietWindowInputs): void {
  const { timeIntervals } = windowMuteInterval(w);
  const from = Date.UTC(w.fromYear, 0, 1);
  const to = Date.UTC(w.fromYear + 5, 0, 1);
  const wrong: string[] = [];
  const check = (t: number) => {
    if (muted(timeIntervals, t) !== inWindow(w, t) && wrong.length < 5) wrong.push(`${new Date(t).toISOString()} muted=${muted(timeIntervals, t)}`);
  };
  // Every 29 minutes for five years: an odd step reaches every minute of the day.
  for (let t = from; t < to; t += 29 * MINUTE) check(t);
  // Every minute of the two days around each clock change.
  for (const change of offsetTransitions(w.timeZone, from, to)) {
    for (let t = change - DAY; t < change + DAY; t += MINUTE) check(t);
  }
  assert.deepEqual(wrong, [], `${w.timeZone} ${w.start}+${w.durationMinutes}m`);
}

// ---------------------------------------------------------------- the intervals

test("a zone without clock changes: one daily UTC range, no dates, valid forever", () => {
  assert.deepEqual(windowMuteInterval({ start: "22:00", durationMinutes: 180, timeZone: "UTC", fromYear: 2026 }), {
    name: "maintenance-window",
    timeIntervals: [{ times: [{ startTime: "00:00", endTime: "01:00" }, { startTime: "22:00", endTime: "24:00" }] }],
  });
  // Tokyo is UTC+9 all year: 01:00–03:00 local is 16:00–18:00 UTC the day before.
  assert.deepEqual(windowMuteInterval({ start: "01:00", durationMinutes: 120, timeZone: "Asia/Tokyo", fromYear: 2026 }).timeIntervals, [
    { times: [{ startTime: "16:00", endTime: "18:00" }] },
  ]);
});

test("Europe/Berlin, one year: the UTC range moves with each clock change, pinned to its dates", () => {
  // 00:30–05:30 local: 23:30–04:30 UTC in winter, 22:30–03:30 UTC in summer (29 March to 24 October 2026).
  const winter = [{ startTime: "00:00", endTime: "04:30" }, { startTime: "23:30", endTime: "24:00" }];
  const summer = [{ startTime: "00:00", endTime: "03:30" }, { startTime: "22:30", endTime: "24:00" }];
  assert.deepEqual(windowMuteInterval({ start: "00:30", durationMinutes: 300, timeZone: "Europe/Berlin", fromYear: 2026, years: 1 }).timeIntervals, [
    { times: winter, years: ["2026"], months: ["january:february"] },
    { times: winter, years: ["2026"], months: ["march"], daysOfMonth: [{ start: 1, end: 28 }] },
    { times: summer, years: ["2026"], months: ["march"], daysOfMonth: [{ start: 29, end: 31 }] },
    { times: summer, years: ["2026"], months: ["april:september"] },
    { times: summer, years: ["2026"], months: ["october"], daysOfMonth: [{ start: 1, end: 24 }] },
    { times: winter, years: ["2026"], months: ["october"], daysOfMonth: [{ start: 25, end: 31 }] },
    { times: winter, years: ["2026"], months: ["november:december"] },
  ]);
});

test("the night of a clock change gets its own exact minutes when the change falls inside the window", () => {
  // New York, 01:00–04:00 local: the clocks change at 02:00 local, inside the window.
  // 8 March 2026 (spring): 06:00–07:00 UTC at EST, then 07:00–08:00 at EDT — 06:00–08:00, not 3 hours.
  const { timeIntervals } = windowMuteInterval({ start: "01:00", durationMinutes: 180, timeZone: "America/New_York", fromYear: 2026, years: 1 });
  const march8 = timeIntervals.find((i) => i.months?.[0] === "march" && i.daysOfMonth?.[0]?.start === 8 && i.daysOfMonth?.[0]?.end === 8);
  assert.deepEqual(march8?.times, [{ startTime: "06:00", endTime: "08:00" }]);
  // 1 November 2026 (autumn): 05:00–06:00 UTC at EDT, 06:00–09:00 at EST (01:00–02:00 happens twice) — 05:00–09:00.
  const november1 = timeIntervals.find((i) => i.months?.[0] === "november" && i.daysOfMonth?.[0]?.start === 1 && i.daysOfMonth?.[0]?.end === 1);
  assert.deepEqual(november1?.times, [{ startTime: "05:00", endTime: "09:00" }]);
});

test("date spans: partial months, whole months and year ends", () => {
  const d = (y: number, m: number, day: number) => ({ y, m, d: day });
  assert.deepEqual(dateSpan(d(2026, 3, 29), d(2026, 10, 24)), [
    { years: ["2026"], months: ["march"], daysOfMonth: [{ start: 29, end: 31 }] },
    { years: ["2026"], months: ["april:september"] },
    { years: ["2026"], months: ["october"], daysOfMonth: [{ start: 1, end: 24 }] },
  ]);
  assert.deepEqual(dateSpan(d(2026, 10, 25), d(2027, 3, 27)), [
    { years: ["2026"], months: ["october"], daysOfMonth: [{ start: 25, end: 31 }] },
    { years: ["2026"], months: ["november:december"] },
    { years: ["2027"], months: ["january:february"] },
    { years: ["2027"], months: ["march"], daysOfMonth: [{ start: 1, end: 27 }] },
  ]);
  assert.deepEqual(dateSpan(d(2028, 2, 1), d(2028, 2, 29)), [{ years: ["2028"], months: ["february"] }]);
  assert.deepEqual(dateSpan(d(2026, 3, 8), d(2026, 3, 8)), [{ years: ["2026"], months: ["march"], daysOfMonth: [{ start: 8, end: 8 }] }]);
});

const WINDOWS: readonly QuietWindowInputs[] = [
  // Berlin: the window holds the 02:00–03:00 change; New York: the change at 02:00 too, window crossing midnight.
  { start: "00:30", durationMinutes: 300, timeZone: "Europe/Berlin", fromYear: 2026 },
  { start: "22:00", durationMinutes: 360, timeZone: "America/New_York", fromYear: 2026 },
  // South of the equator: summer time over the new year.
  { start: "01:00", durationMinutes: 240, timeZone: "Australia/Sydney", fromYear: 2026 },
  // A half-hour change, and a half-hour offset with changes.
  { start: "01:30", durationMinutes: 90, timeZone: "Australia/Lord_Howe", fromYear: 2026 },
  { start: "23:45", durationMinutes: 45, timeZone: "America/St_Johns", fromYear: 2026 },
  // A half-hour offset without changes.
  { start: "03:00", durationMinutes: 120, timeZone: "Asia/Kolkata", fromYear: 2026 },
];

for (const w of WINDOWS) {
  test(`muted exactly when the ${w.timeZone} wall clock is in the window (${w.start}, ${w.durationMinutes} min), for five years`, () => {
    assertAgrees(w);
  });
}

test("negative control: a window converted at one fixed offset is wrong for half the year", () => {
  const w = WINDOWS[0]!;
  const winterOnly = { ...windowMuteInterval({ ...w, fromYear: 2026, years: 1 }), timeIntervals: [{ times: [{ startTime: "00:00", endTime: "04:30" }, { startTime: "23:30", endTime: "24:00" }] }] };
  const july = Date.UTC(2026, 6, 1, 22, 45); // 00:45 local summer time: inside the window.
  assert.equal(inWindow(w, july), true);
  assert.equal(muted(winterOnly.timeIntervals, july), false);
  assert.equal(muted(windowMuteInterval(w).timeIntervals, july), true);
});

test("past the horizon nothing is muted: the plan's next deploy extends it", () => {
  const { timeIntervals } = windowMuteInterval({ ...WINDOWS[0]!, fromYear: 2026 });
  assert.deepEqual([...new Set(timeIntervals.flatMap((i) => i.years ?? []))], ["2026", "2027", "2028", "2029", "2030"]);
  assert.equal(muted(timeIntervals, Date.UTC(2031, 0, 5, 0, 0)), false);
});

// ---------------------------------------------------------------- the AlertmanagerConfig

const NS = "upkeep-maintenance";
const WEBHOOK = "https://hooks.example.com/services/T000/B000/token";
const set = (text: string): AlertMatcher[] => parseMatcherSet(text) as AlertMatcher[];
const SETS = [set('alertname=~"PostgresHighLatency|PostgresSlowQueries", service=~"orders-db|billing-db"'), set('{alertname="PgBouncerWaiting"}')];
const quiet = () =>
  buildAlertmanagerConfig({
    environment: "prod",
    namespace: NS,
    emails: [],
    hasWebhook: true,
    quietWindow: { matcherSets: SETS, start: "00:30", durationMinutes: 300, timeZone: "Europe/Berlin", fromYear: 2026 },
  });

const SEVERITY = (mute: boolean) =>
  (["critical", "warning", "info"] as const).map((s) => ({
    receiver: s,
    matchers: [{ name: "severity", value: s, matchType: "=" }],
    ...(mute ? { muteTimeIntervals: ["maintenance-window"] } : {}),
  }));

test("routes: upkeep's own first and never muted; each matcher set muted on every route Alertmanager may stop at", () => {
  const spec = quiet().spec;
  assert.deepEqual(spec.route, {
    receiver: "none",
    groupBy: ["alertname", "task"],
    routes: [
      {
        receiver: "warning",
        matchers: [
          { name: "environment", value: "prod", matchType: "=" },
          { name: "alertname", value: "Upkeep.*", matchType: "=~" },
        ],
        routes: SEVERITY(false),
      },
      {
        receiver: "warning",
        matchers: [
          { name: "alertname", value: "PostgresHighLatency|PostgresSlowQueries", matchType: "=~" },
          { name: "service", value: "orders-db|billing-db", matchType: "=~" },
          { name: "alertname", value: "Upkeep.*", matchType: "!~" },
        ],
        muteTimeIntervals: ["maintenance-window"],
        routes: SEVERITY(true),
      },
      {
        receiver: "warning",
        matchers: [
          { name: "alertname", value: "PgBouncerWaiting", matchType: "=" },
          { name: "alertname", value: "Upkeep.*", matchType: "!~" },
        ],
        muteTimeIntervals: ["maintenance-window"],
        routes: SEVERITY(true),
      },
    ],
  });
  assert.deepEqual(spec.receivers.map((r) => r.name), ["critical", "warning", "info", "none"]);
  assert.deepEqual(spec.receivers[3], { name: "none" });
  assert.deepEqual(spec.muteTimeIntervals, [windowMuteInterval({ start: "00:30", durationMinutes: 300, timeZone: "Europe/Berlin", fromYear: 2026 })]);
  // Alertmanager checks mute intervals on the route it stops at, and child routes do not inherit them.
  const leaves = (r: Route): Route[] => (r.routes && r.routes.length > 0 ? r.routes.flatMap(leaves) : [r]);
  const [own, ...muted] = spec.route.routes!;
  assert.ok(leaves(own!).every((r) => r.muteTimeIntervals === undefined));
  assert.ok(muted.flatMap((r) => [r, ...leaves(r)]).every((r) => r.muteTimeIntervals?.[0] === "maintenance-window"));
});

test("the quiet AlertmanagerConfig passes the published schema", async () => {
  assert.deepEqual(await validateObjects([quiet()]), []);
});

const tmp = mkdtempSync(join(tmpdir(), "upkeep-quiet-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function amtool(args: string[]) {
  const r = spawnSync("/usr/bin/amtool", args, { encoding: "utf8" });
  if (r.error) throw r.error;
  return r;
}

function configFile(name: string, strategy: "OnNamespace" | "None"): string {
  const file = join(tmp, `${name}.yml`);
  writeFileSync(file, toAlertmanagerYaml(quiet(), { webhookUrl: WEBHOOK, matcherStrategy: strategy }));
  return file;
}

function routeOf(file: string, labels: Record<string, string>): string {
  const r = amtool(["config", "routes", "test", `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("amtool check-config accepts the routes and five years of UTC intervals", () => {
  const r = amtool(["check-config", configFile("quiet", "OnNamespace")]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test("amtool: with the operator's default matcher strategy, alerts from another namespace never reach upkeep's routes", () => {
  const file = configFile("on-namespace", "OnNamespace");
  const latency = { alertname: "PostgresHighLatency", service: "orders-db", severity: "critical" };
  // A database exporter's alert carries the exporter's namespace: the operator's namespace="upkeep-maintenance" matcher drops it.
  assert.equal(routeOf(file, { ...latency, namespace: "databases" }), "null");
  // In upkeep's namespace it takes the muted route, to the receiver of its severity.
  assert.equal(routeOf(file, { ...latency, namespace: NS }), `${NS}/upkeep-prod/critical`);
  // upkeep's own alert, even with labels a matcher set would take, takes upkeep's unmuted route first.
  assert.equal(routeOf(file, { alertname: "UpkeepJobFailed", environment: "prod", service: "orders-db", namespace: NS, severity: "warning" }), `${NS}/upkeep-prod/warning`);
  // Anything else in the namespace goes nowhere, as before.
  assert.equal(routeOf(file, { alertname: "KubeJobFailed", namespace: NS, severity: "warning" }), `${NS}/upkeep-prod/none`);
});

test("amtool: with alertmanagerConfigMatcherStrategy None, the database's alerts from its own namespace are routed, and so muted", () => {
  const file = configFile("none", "None");
  assert.equal(routeOf(file, { alertname: "PostgresHighLatency", service: "billing-db", severity: "warning", namespace: "databases" }), `${NS}/upkeep-prod/warning`);
  assert.equal(routeOf(file, { alertname: "PgBouncerWaiting", severity: "info", namespace: "pgbouncer" }), `${NS}/upkeep-prod/info`);
  // Not in any set: untouched.
  assert.equal(routeOf(file, { alertname: "PostgresHighLatency", service: "search-db", severity: "critical", namespace: "databases" }), `${NS}/upkeep-prod/none`);
  // upkeep's alerts of another environment stay out, as the environment matcher promises.
  assert.equal(routeOf(file, { alertname: "UpkeepJobFailed", environment: "staging", severity: "critical", namespace: "upkeep-staging" }), `${NS}/upkeep-prod/none`);
});

test("without muteDuringWindow the AlertmanagerConfig keeps the routing it always had: no 'none' receiver, no intervals", () => {
  const plain = buildAlertmanagerConfig({ environment: "prod", namespace: NS, emails: [], hasWebhook: true });
  assert.equal(plain.spec.route.receiver, "warning");
  assert.equal(plain.spec.muteTimeIntervals, undefined);
  assert.deepEqual(plain.spec.receivers.map((r) => r.name), ["critical", "warning", "info"]);
});
