/**
 * The routine's reminders and the stakeholder notices: the exact plan,
 * expressions and messages; a simulation of EventBridge Scheduler's cron
 * semantics over every instant of 2027–2028 proving reminders land on the
 * first working day of their period; the notice's wall-clock arithmetic across
 * clock changes; and the Schedule inputs under Pulumi's mocks.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import fc from "fast-check";
import { ConfigError, parseConfig, type UpkeepConfig } from "../components/config";
import { ROUTINE } from "../components/config/routineCatalog";
import {
  reminderExpression,
  reminderMessage,
  routinePlan,
  routineReminders,
  stakeholderNotices,
  type RoutineEntry,
} from "../components/routine/reminders";
import { localTime, offsetMinutes } from "../components/schedule/dst";
import { planTasks } from "../components/tasks/maintenanceTasks";
import { CADENCES, WEEKDAYS, type Cadence } from "../components/schedule/terms";
import { installComponentMocks, type ComponentMocks } from "./support/componentMocks";
import { referenceConfig } from "./support/configs";

type Raw = Record<string, any>;
const parse = (raw: Raw): UpkeepConfig => parseConfig(raw, new Set());

function config(edit: (raw: Raw) => void = () => {}): UpkeepConfig {
  const raw = referenceConfig();
  edit(raw);
  return parse(raw);
}

const DB_MECHANISM = "vacuum, reindex and cleanup CronJobs in upkeep-maintenance (orders)";
const VERIFY_MECHANISM = "Kubernetes CronJob upkeep-maintenance/post-maintenance-verify after each window";

/** [id, cadence, mechanism or reminder expression]; title and checklist come from the catalog. */
function expectedPlan(rows: readonly [string, Cadence, string][]): RoutineEntry[] {
  return rows.map(([id, cadence, how]) => {
    const task = ROUTINE.find((t) => t.id === id)!;
    const base = { id, title: task.title, cadence, checklist: task.checklist };
    return how.startsWith("cron(")
      ? { ...base, mechanism: "reminder", reminder: { expression: how, timeZone: "Europe/Berlin" } }
      : { ...base, mechanism: how };
  });
}

const DAILY = "cron(30 9 ? * MON-FRI *)";
const WEEKLY = "cron(30 9 ? * MON *)";
const MONTHLY = "cron(30 9 1W * ? *)";
const QUARTERLY = "cron(30 9 1W 1,4,7,10 ? *)";

describe("routinePlan", () => {
  test("reference config with overrides: update-documentation monthly, capacity-planning removed, database work automated", () => {
    const plan = routinePlan(
      config((raw) => {
        raw.reviews = { overrides: [{ task: "update-documentation", cadence: "monthly" }, { task: "capacity-planning", enabled: false }] };
      }),
    );
    assert.deepEqual(
      plan,
      expectedPlan([
        ["review-service-health", "daily", DAILY],
        ["check-alerts", "daily", DAILY],
        ["review-error-logs", "daily", DAILY],
        ["verify-backups", "daily", DAILY],
        ["performance-metrics", "weekly", WEEKLY],
        ["resource-utilization", "weekly", WEEKLY],
        ["security-logs", "weekly", WEEKLY],
        ["update-documentation", "monthly", MONTHLY],
        ["security-patch-updates", "monthly", MONTHLY],
        ["dependency-updates", "monthly", MONTHLY],
        ["capacity-review", "monthly", MONTHLY],
        ["performance-optimization", "monthly", DB_MECHANISM],
        ["security-review", "quarterly", QUARTERLY],
        ["disaster-recovery-test", "quarterly", QUARTERLY],
        ["documentation-audit", "quarterly", QUARTERLY],
      ]),
    );
  });

  test("endpoints switch service-health review to the verify CronJob; no databases makes performance optimization a reminder", () => {
    const plan = routinePlan(
      config((raw) => {
        raw.endpoints = [{ url: "https://api.example.com/healthz" }];
        delete raw.databases;
        delete raw.jobs;
        raw.reviews = { at: "08:05" };
      }),
    );
    const how = Object.fromEntries(plan.map((e) => [e.id, e.reminder?.expression ?? e.mechanism]));
    assert.equal(plan.length, ROUTINE.length);
    assert.deepEqual(how, {
      "review-service-health": VERIFY_MECHANISM,
      "check-alerts": "cron(5 8 ? * MON-FRI *)",
      "review-error-logs": "cron(5 8 ? * MON-FRI *)",
      "verify-backups": "cron(5 8 ? * MON-FRI *)",
      "performance-metrics": "cron(5 8 ? * MON *)",
      "resource-utilization": "cron(5 8 ? * MON *)",
      "security-logs": "cron(5 8 ? * MON *)",
      "update-documentation": "cron(5 8 ? * MON *)",
      "security-patch-updates": "cron(5 8 1W * ? *)",
      "dependency-updates": "cron(5 8 1W * ? *)",
      "capacity-review": "cron(5 8 1W * ? *)",
      "performance-optimization": "cron(5 8 1W * ? *)",
      "security-review": "cron(5 8 1W 1,4,7,10 ? *)",
      "disaster-recovery-test": "cron(5 8 1W 1,4,7,10 ? *)",
      "capacity-planning": "cron(5 8 1W 1,4,7,10 ? *)",
      "documentation-audit": "cron(5 8 1W 1,4,7,10 ? *)",
    });
    // An automated task's cadence override still applies, and it still gets no reminder.
    const overridden = routinePlan(config((raw) => (raw.reviews = { overrides: [{ task: "performance-optimization", cadence: "weekly" }] })));
    assert.deepEqual(overridden.find((e) => e.id === "performance-optimization"), expectedPlan([["performance-optimization", "weekly", DB_MECHANISM]])[0]);
  });

  test("dump verification or AWS Backup restore testing marks backup verification and the DR test as done by upkeep", () => {
    const backups = (edit: (raw: Raw) => void) => {
      const plan = routinePlan(config(edit));
      return [plan.find((e) => e.id === "verify-backups")!, plan.find((e) => e.id === "disaster-recovery-test")!].map((e) => e.reminder?.expression ?? e.mechanism);
    };
    const DUMPS = "dump verification CronJobs in upkeep-maintenance (orders-dump-verify)";
    const RESTORE = "AWS Backup restore testing (monthly) of vault orders-vault";
    const dump = { database: "orders", location: "s3://orders-dumps/nightly/", maxAgeHours: 26 };
    const oidc = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    const aws = { vaultName: "orders-vault", retentionDays: 35, selectionTags: { backup: "daily" } };
    assert.deepEqual(backups(() => {}), [DAILY, QUARTERLY]);
    assert.deepEqual(backups((raw) => ((raw.backups = { dumps: [dump] }), (raw.kubernetes = { oidcProviderArn: oidc }))), [DUMPS, DUMPS]);
    assert.deepEqual(
      backups((raw) => (raw.backups = { aws: { ...aws, restoreTesting: { cadence: "monthly", resourceTypes: ["RDS"] } } })),
      [RESTORE, RESTORE],
    );
    assert.deepEqual(
      backups((raw) => ((raw.backups = { dumps: [dump], aws: { ...aws, restoreTesting: { cadence: "monthly", resourceTypes: ["RDS"] } } }), (raw.kubernetes = { oidcProviderArn: oidc }))),
      [`${DUMPS} and ${RESTORE}`, `${DUMPS} and ${RESTORE}`],
    );
  });

  test("each cadence's exact expression", () => {
    assert.deepEqual(
      CADENCES.map((c) => reminderExpression(c, "09:30")),
      [DAILY, WEEKLY, MONTHLY, QUARTERLY],
    );
    assert.equal(reminderExpression("monthly", "00:00"), "cron(0 0 1W * ? *)");
  });

  test("an override of an unknown task is one exact config error line", () => {
    const raw = referenceConfig();
    raw.reviews = { overrides: [{ task: "nope" }] };
    assert.throws(
      () => parse(raw),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.message.split("\n"), [
          'upkeep:reviews.overrides[0].task: is not a routine task (got "nope"); known tasks: review-service-health, check-alerts, review-error-logs, verify-backups, performance-metrics, resource-utilization, security-logs, update-documentation, security-patch-updates, dependency-updates, capacity-review, performance-optimization, security-review, disaster-recovery-test, capacity-planning, documentation-audit',
        ]);
        return true;
      },
    );
  });

  test("the reminder message: subject line, checklist, runbook", () => {
    const task = routinePlan(config()).find((e) => e.id === "security-review")!;
    assert.equal(
      reminderMessage(task, { environment: "prod", runbookBaseUrl: "https://github.com/acme/upkeep/blob/main/docs/runbooks/" }),
      [
        "[upkeep prod] Quarterly review due: Comprehensive security review",
        "",
        "- [ ] Review access lists and service accounts",
        "- [ ] Rotate long-lived credentials",
        "- [ ] Re-run threat model for changed systems",
        "",
        "Runbook: https://github.com/acme/upkeep/blob/main/docs/runbooks/routine/security-review.md",
      ].join("\n"),
    );
    const reminders = routineReminders(config());
    assert.deepEqual(reminders.map((r) => r.id), routinePlan(config()).filter((e) => e.reminder).map((e) => e.id));
    assert.equal(reminders.find((r) => r.id === "security-review")!.message.split("\n").at(-1), "Runbook: docs/runbooks/routine/security-review.md");
  });
});

// ---- EventBridge Scheduler cron semantics, simulated ----

const DOW = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Ymd {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const weekdayOf = (d: Ymd) => new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const key = (d: Ymd) => `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;

/** `nW`: the weekday nearest day n, never leaving the month (AWS's rule). */
function nearestWeekday(year: number, month: number, n: number): number {
  const wd = weekdayOf({ year, month, day: n });
  if (wd === 6) return n > 1 ? n - 1 : n + 2;
  if (wd === 0) return n < daysIn(year, month) ? n + 1 : n - 2;
  return n;
}

function matchList(field: string, value: number, names: readonly string[] = []): boolean {
  if (field === "*" || field === "?") return true;
  const num = (s: string) => (names.includes(s) ? names.indexOf(s) : Number(s));
  return field.split(",").some((part) => {
    const [a, b] = part.split("-");
    return b === undefined ? num(a!) === value : num(a!) <= value && value <= num(b);
  });
}

/** Whether a Scheduler cron fires at a local date and time; supports what upkeep emits. */
function schedulerFires(expression: string, t: { year: number; month: number; day: number; hour: number; minute: number }): boolean {
  const [min, hour, dom, month, dow, year] = /^cron\((.*)\)$/.exec(expression)![1]!.split(" ");
  assert.ok((dom === "?") !== (dow === "?"), `exactly one day field must be ?: ${expression}`);
  const domOk = dom!.endsWith("W") ? t.day === nearestWeekday(t.year, t.month, Number(dom!.slice(0, -1))) : matchList(dom!, t.day);
  return (
    matchList(min!, t.minute) && matchList(hour!, t.hour) && domOk && matchList(month!, t.month) &&
    matchList(dow!, weekdayOf(t), DOW) && matchList(year!, t.year)
  );
}

/** Every calendar date of the given years. */
function datesOf(years: readonly number[]): Ymd[] {
  const out: Ymd[] = [];
  for (const year of years) for (let month = 1; month <= 12; month++) for (let day = 1; day <= daysIn(year, month); day++) out.push({ year, month, day });
  return out;
}

const isWorkingDay = (d: Ymd) => weekdayOf(d) >= 1 && weekdayOf(d) <= 5;

/** The earliest Mon–Fri date of each period, computed directly from the calendar. */
function firstWorkingDays(cadence: Cadence, years: readonly number[]): string[] {
  const periodOf: Record<Cadence, (d: Ymd) => string | undefined> = {
    daily: (d) => key(d),
    // Weeks run Monday to Sunday; a week that began before the first year is not counted (its Monday is outside).
    weekly: (d) => {
      const monday = addDays(d, -((weekdayOf(d) + 6) % 7));
      return years.includes(monday.year) ? key(monday) : undefined;
    },
    monthly: (d) => `${d.year}-${d.month}`,
    // Only the first month of a quarter can host its first working day (the 1st–3rd is always in it).
    quarterly: (d) => (d.month % 3 === 1 ? `${d.year}-${d.month}` : undefined),
  };
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of datesOf(years)) {
    const period = periodOf[cadence](d);
    if (period === undefined || !isWorkingDay(d) || seen.has(period)) continue;
    seen.add(period);
    out.push(key(d));
  }
  return out;
}

function addDays(d: Ymd, n: number): Ymd {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

describe("reminders land on the first working day of their period (every instant of 2027–2028)", () => {
  const YEARS = [2027, 2028];
  for (const zone of ["Europe/Berlin", "America/New_York"]) {
    test(zone, () => {
      const ats = ["09:30", "02:30", "23:45"];
      const fired = new Map<string, string[]>();
      // Walk real instants in 15-minute steps and let the zone decide the local time, as Scheduler does.
      for (let t = Date.UTC(2026, 11, 31); t < Date.UTC(2029, 0, 2); t += 15 * 60_000) {
        const local = localTime(zone, t);
        if (!YEARS.includes(local.year)) continue;
        for (const at of ats) {
          for (const cadence of CADENCES) {
            if (schedulerFires(reminderExpression(cadence, at), local)) {
              const k = `${at} ${cadence}`;
              fired.set(k, [...(fired.get(k) ?? []), key(local)]);
            }
          }
        }
      }
      for (const at of ats) {
        for (const cadence of CADENCES) {
          const dates = fired.get(`${at} ${cadence}`) ?? [];
          // Exactly once per period (no date twice), never a weekend, and the period's first working day.
          assert.deepEqual(dates, firstWorkingDays(cadence, YEARS), `${zone} ${at} ${cadence}`);
        }
      }
      assert.equal(fired.get("09:30 daily")!.length, 521);
      assert.equal(fired.get("09:30 weekly")![0], "2027-01-04");
      assert.deepEqual(fired.get("09:30 quarterly"), ["2027-01-01", "2027-04-01", "2027-07-01", "2027-10-01", "2028-01-03", "2028-04-03", "2028-07-03", "2028-10-02"]);
    });
  }
});

// ---- Stakeholder notices ----

function noticeConfig(window: Raw, noticeHours: number, edit: (raw: Raw) => void = () => {}): UpkeepConfig {
  return config((raw) => {
    raw.environment.window = window;
    raw.notify = { noticeHours };
    edit(raw);
  });
}

const noticesOf = (c: UpkeepConfig) => stakeholderNotices(c, planTasks(c, { fromYear: 2027 }));
const PROD_WINDOW = { days: ["sat", "sun"], start: "00:30", durationMinutes: 300 };

describe("stakeholderNotices", () => {
  test("prod-like window (Sat and Sun 00:30, 300 min, 24 h notice): Friday and Saturday 00:30 with each window's tasks", () => {
    assert.deepEqual(noticesOf(noticeConfig(PROD_WINDOW, 24)), [
      {
        day: "sat",
        expression: "cron(30 0 ? * FRI *)",
        timeZone: "Europe/Berlin",
        message: [
          "[upkeep prod] Maintenance window Sat 00:30–05:30 Europe/Berlin",
          "",
          "The prod maintenance window opens Saturday at 00:30 and closes Saturday at 05:30 (Europe/Berlin). Services may be briefly degraded.",
          "",
          "Tasks in this window (local time):",
          "- Sat 00:30–01:00 Vacuum and analyze orders (orders-vacuum), daily",
          "- Sat 04:30–05:30 Reindex orders concurrently (orders-reindex), first Saturday of the month only",
        ].join("\n"),
      },
      {
        day: "sun",
        expression: "cron(30 0 ? * SAT *)",
        timeZone: "Europe/Berlin",
        message: [
          "[upkeep prod] Maintenance window Sun 00:30–05:30 Europe/Berlin",
          "",
          "The prod maintenance window opens Sunday at 00:30 and closes Sunday at 05:30 (Europe/Berlin). Services may be briefly degraded.",
          "",
          "Tasks in this window (local time):",
          "- Sun 00:30–01:00 Vacuum and analyze orders (orders-vacuum), daily",
          "- Sun 04:25–04:55 Run image-scan (image-scan), weekly",
          "- Sun 05:00–05:30 Delete old rows in orders (orders-cleanup), weekly",
        ].join("\n"),
      },
    ]);
  });

  test("36 h notice: Thursday and Friday 12:30", () => {
    assert.deepEqual(noticesOf(noticeConfig(PROD_WINDOW, 36)).map((n) => [n.day, n.expression]), [
      ["sat", "cron(30 12 ? * THU *)"],
      ["sun", "cron(30 12 ? * FRI *)"],
    ]);
  });

  test("a window crossing midnight: slots after midnight name Sunday, and so does the monthly guard; quarterly names its months", () => {
    const c = noticeConfig({ days: ["sat"], start: "22:30", durationMinutes: 210 }, 24, (raw) => {
      raw.jobs.push({ name: "cache-warm", schedule: "40 0 * * 0", durationMinutes: 10, image: "ghcr.io/acme/cache-warm:1.0" });
      raw.databases[0].reindex = "quarterly";
    });
    assert.deepEqual(noticesOf(c), [
      {
        day: "sat",
        expression: "cron(30 22 ? * FRI *)",
        timeZone: "Europe/Berlin",
        message: [
          "[upkeep prod] Maintenance window Sat 22:30–Sun 02:00 Europe/Berlin",
          "",
          "The prod maintenance window opens Saturday at 22:30 and closes Sunday at 02:00 (Europe/Berlin). Services may be briefly degraded.",
          "",
          "Tasks in this window (local time):",
          "- Sat 22:30–23:00 Vacuum and analyze orders (orders-vacuum), daily",
          "- Sat 23:30–Sun 00:00 Run image-scan (image-scan), weekly",
          "- Sun 00:05–00:35 Delete old rows in orders (orders-cleanup), weekly",
          "- Sun 00:40–00:50 Run cache-warm (cache-warm), custom schedule 40 0 * * 0",
          "- Sun 01:00–02:00 Reindex orders concurrently (orders-reindex), first Sunday of the month only, in Jan, Apr, Jul, Oct",
        ].join("\n"),
      },
    ]);
  });

  test("notice before a Monday window with more notice than the day crosses back into the previous week", () => {
    const [n] = stakeholderNotices(noticeConfig({ days: ["mon"], start: "01:00", durationMinutes: 60 }, 168), []);
    assert.deepEqual(n, {
      day: "mon",
      expression: "cron(0 1 ? * MON *)",
      timeZone: "Europe/Berlin",
      message: [
        "[upkeep prod] Maintenance window Mon 01:00–02:00 Europe/Berlin",
        "",
        "The prod maintenance window opens Monday at 01:00 and closes Monday at 02:00 (Europe/Berlin). Services may be briefly degraded.",
        "",
        "No upkeep tasks are scheduled in this window.",
      ].join("\n"),
    });
  });

  test("property: the notice's weekday and time are exactly noticeHours before the window start on the wall clock", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 168 }),
        (days, start, noticeHours) => {
          const hhmm = `${String(Math.floor(start / 60)).padStart(2, "0")}:${String(start % 60).padStart(2, "0")}`;
          const c = noticeConfig({ days, start: hhmm, durationMinutes: 60 }, noticeHours);
          for (const n of stakeholderNotices(c, [])) {
            const [, m, h, , , dow] = /^cron\((\d+) (\d+) (\?) (\*) ([A-Z]{3}) \*\)$/.exec(n.expression)!;
            const noticeWeekMinute = DOW.indexOf(dow!) * 1440 + Number(h) * 60 + Number(m);
            const windowWeekMinute = WEEKDAYS.indexOf(n.day) * 1440 + start;
            assert.equal((noticeWeekMinute + noticeHours * 60) % (7 * 1440), windowWeekMinute % (7 * 1440));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** The instant a local wall-clock time happens in a zone (for times that exist exactly once). */
function zonedInstant(zone: string, y: number, mo: number, d: number, h: number, mi: number): number {
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  let t = naive - offsetMinutes(zone, naive) * 60_000;
  t = naive - offsetMinutes(zone, t) * 60_000;
  const back = localTime(zone, t);
  assert.deepEqual([back.year, back.month, back.day, back.hour, back.minute], [y, mo, d, h, mi], "a local time that does not exist");
  return t;
}

/**
 * For every window of 2027 in Berlin: the notice fires on the wall clock
 * noticeHours before the window's local start; returns the windows whose real
 * gap differs, with that gap in hours.
 */
function realGapExceptions(window: { days: string[]; start: string }, noticeHours: number): Record<string, number> {
  const c = noticeConfig({ ...window, durationMinutes: 60 }, noticeHours);
  const notices = stakeholderNotices(c, []);
  const [sh, sm] = window.start.split(":").map(Number) as [number, number];
  const out: Record<string, number> = {};
  for (const d of datesOf([2027])) {
    const notice = notices.find((n) => WEEKDAYS.indexOf(n.day) === weekdayOf(d));
    if (!notice) continue;
    const windowStart = zonedInstant("Europe/Berlin", d.year, d.month, d.day, sh, sm);
    // The notice's local date and time: the window's wall clock minus noticeHours, with no zone involved.
    const wall = new Date(Date.UTC(d.year, d.month - 1, d.day, sh, sm) - noticeHours * 3_600_000);
    const local = { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(), hour: wall.getUTCHours(), minute: wall.getUTCMinutes() };
    assert.ok(schedulerFires(notice.expression, local), `${notice.expression} does not fire at ${wall.toISOString()} (wall clock)`);
    const gap = (windowStart - zonedInstant("Europe/Berlin", local.year, local.month, local.day, local.hour, local.minute)) / 3_600_000;
    if (gap !== noticeHours) out[key(d)] = gap;
  }
  return out;
}

describe("notices across the 2027 clock changes in Berlin (Mar 28 and Oct 31)", () => {
  test("prod-like window at 00:30: the change at 02:00/03:00 Sunday comes after the window start, so every real gap is 24 h", () => {
    assert.deepEqual(realGapExceptions({ days: ["sat", "sun"], start: "00:30" }, 24), {});
  });

  test("windows at 04:00 Sat–Mon, 24 h notice: one hour short only on Mar 28, one long only on Oct 31", () => {
    assert.deepEqual(realGapExceptions({ days: ["sat", "sun", "mon"], start: "04:00" }, 24), { "2027-03-28": 23, "2027-10-31": 25 });
  });

  test("windows at 04:00 Sat–Mon, 36 h notice: the Sunday and Monday windows of the DST weekends", () => {
    assert.deepEqual(realGapExceptions({ days: ["sat", "sun", "mon"], start: "04:00" }, 36), {
      "2027-03-28": 35,
      "2027-03-29": 35,
      "2027-10-31": 37,
      "2027-11-01": 37,
    });
  });
});

// ---- The component under Pulumi's mocks ----

describe("RoutineSchedules under mocks", () => {
  let mocks: ComponentMocks<Record<string, any>>;
  const TOPICS = {
    critical: "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-critical",
    warning: "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-warning",
    info: "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-info",
  };
  const ROLE = "arn:aws:iam::123456789012:role/upkeep-prod-scheduler";
  const c = noticeConfig(PROD_WINDOW, 24);
  const reminders = routineReminders(c);
  const notices = noticesOf(c);
  const schedules = (prefix: string) => mocks.recorded.filter((r) => r.type === "aws:scheduler/schedule:Schedule" && r.name.startsWith(`${prefix}-`));
  const named = (name: string) => {
    const hit = mocks.recorded.find((r) => r.name === name);
    assert.ok(hit, `${name} was not registered`);
    return hit;
  };

  before(async () => {
    mocks = await installComponentMocks("prod");
    const { RoutineSchedules } = await import("../components/routine/schedules.js");
    const common = { environment: "prod", timeZone: "Europe/Berlin", reminders, notices, topicArns: TOPICS, schedulerRoleArn: ROLE };
    new RoutineSchedules("routine", { ...common, paused: false });
    new RoutineSchedules("frozen", { ...common, paused: true });
    await mocks.settle();
  });

  test("one Schedule per reminder and per notice, named from the component", () => {
    assert.deepEqual(
      schedules("routine").map((r) => r.name).sort(),
      [...reminders.map((r) => `routine-review-${r.id}`), "routine-notice-sat", "routine-notice-sun"].sort(),
    );
    assert.equal(named("routine").type, "upkeep:routine:RoutineSchedules");
  });

  test("a reminder publishes its message to the warning topic at its expression", () => {
    assert.deepEqual(named("routine-review-security-review").inputs, {
      name: "upkeep-prod-review-security-review",
      description: "upkeep prod: quarterly reminder to the platform team: Comprehensive security review",
      scheduleExpression: QUARTERLY,
      scheduleExpressionTimezone: "Europe/Berlin",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: TOPICS.warning,
        roleArn: ROLE,
        input: reminders.find((r) => r.id === "security-review")!.message,
      },
    });
  });

  test("a notice publishes to the info topic", () => {
    assert.deepEqual(named("routine-notice-sat").inputs, {
      name: "upkeep-prod-notice-sat",
      description: "upkeep prod: stakeholder notice before the sat maintenance window",
      scheduleExpression: "cron(30 0 ? * FRI *)",
      scheduleExpressionTimezone: "Europe/Berlin",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: { arn: TOPICS.info, roleArn: ROLE, input: notices[0]!.message },
    });
  });

  test("paused: every reminder and notice is DISABLED", () => {
    const frozen = schedules("frozen");
    assert.equal(frozen.length, reminders.length + notices.length);
    assert.deepEqual([...new Set(frozen.map((r) => r.inputs.state))], ["DISABLED"]);
    assert.deepEqual([...new Set(schedules("routine").map((r) => r.inputs.state))], ["ENABLED"]);
  });

  test("schedule names fit Scheduler's 64 characters", async () => {
    const { scheduleName } = await import("../components/routine/schedules.js");
    assert.equal(scheduleName("upkeep-prod-review-performance-optimization"), "upkeep-prod-review-performance-optimization");
    const long = scheduleName(`upkeep-${"a".repeat(40)}-review-performance-optimization`);
    assert.ok(long.length <= 64);
    assert.match(long, /^upkeep-a{40}-review-[0-9a-f]{8}$/);
    for (const r of mocks.recorded.filter((r) => r.type === "aws:scheduler/schedule:Schedule")) assert.ok(r.inputs.name.length <= 64, r.inputs.name);
  });
});
