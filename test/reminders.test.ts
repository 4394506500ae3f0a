/**
 * The routine's reminders, the daily digest and the stakeholder notices: the
 * exact plan, expressions and messages; a simulation of EventBridge
 * Scheduler's cron semantics over every instant of 2027–2028 proving one
 * digest per working day, each listing exactly the checks due that day, and
 * each check exactly once per period; notices at the review time on a
 * working day, at least noticeHours ahead in real time across clock changes;
 * and the Schedule inputs under Pulumi's mocks.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import fc from "fast-check";
import { ConfigError, parseConfig, type UpkeepConfig } from "../components/config";
import { ROUTINE } from "../components/config/routineCatalog";
import { DIGEST_DAYS, DIGEST_KINDS, digestMessage, routineDigests } from "../components/routine/digest";
import {
  reminderExpression,
  routinePlan,
  routineReminders,
  stakeholderNotices,
  type RoutineEntry,
} from "../components/routine/reminders";
import { localTime, offsetMinutes } from "../components/schedule/dst";
import { planTasks } from "../components/tasks/maintenanceTasks";
import { dstHorizon } from "../components/schedule";
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
const MONTHLY = "cron(30 9 ? * MON#1 *)";
const QUARTERLY = "cron(30 9 ? 1,4,7,10 MON#1 *)";

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
        ["review-firewall-rules", "monthly", MONTHLY],
        ["dependency-updates", "monthly", MONTHLY],
        ["capacity-review", "monthly", MONTHLY],
        ["performance-optimization", "monthly", DB_MECHANISM],
        ["security-review", "quarterly", QUARTERLY],
        ["update-kubernetes-versions", "quarterly", QUARTERLY],
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
      "security-patch-updates": "cron(5 8 ? * MON#1 *)",
      "review-firewall-rules": "cron(5 8 ? * MON#1 *)",
      "dependency-updates": "cron(5 8 ? * MON#1 *)",
      "capacity-review": "cron(5 8 ? * MON#1 *)",
      "performance-optimization": "cron(5 8 ? * MON#1 *)",
      "security-review": "cron(5 8 ? 1,4,7,10 MON#1 *)",
      "update-kubernetes-versions": "cron(5 8 ? 1,4,7,10 MON#1 *)",
      "disaster-recovery-test": "cron(5 8 ? 1,4,7,10 MON#1 *)",
      "capacity-planning": "cron(5 8 ? 1,4,7,10 MON#1 *)",
      "documentation-audit": "cron(5 8 ? 1,4,7,10 MON#1 *)",
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
    assert.deepEqual(backups((raw) => ((raw.backups = { ...raw.backups, dumps: [dump] }), (raw.kubernetes = { ...raw.kubernetes, oidcProviderArn: oidc }))), [DUMPS, DUMPS]);
    assert.deepEqual(
      backups((raw) => (raw.backups = { aws: { ...aws, restoreTesting: { cadence: "monthly", resourceTypes: ["RDS"] } } })),
      [RESTORE, RESTORE],
    );
    assert.deepEqual(
      backups((raw) => ((raw.backups = { dumps: [dump], aws: { ...aws, restoreTesting: { cadence: "monthly", resourceTypes: ["RDS"] } } }), (raw.kubernetes = { ...raw.kubernetes, oidcProviderArn: oidc }))),
      [`${DUMPS} and ${RESTORE}`, `${DUMPS} and ${RESTORE}`],
    );
  });

  test("each cadence's exact expression", () => {
    assert.deepEqual(
      CADENCES.map((c) => reminderExpression(c, "09:30")),
      [DAILY, WEEKLY, MONTHLY, QUARTERLY],
    );
    assert.equal(reminderExpression("monthly", "06:00"), "cron(0 6 ? * MON#1 *)");
  });

  test("with AWS's account-wide Config rules, Kubernetes versions and firewall rules are done by upkeep", () => {
    const how = (edit: (raw: Raw) => void) => Object.fromEntries(routinePlan(config(edit)).map((e) => [e.id, e.mechanism]));
    const owner = how((raw) => {
      raw.aws = { configRules: true, accountWideRules: true };
      raw.kubernetes.oldestSupportedVersion = "1.29";
    });
    assert.equal(owner["update-kubernetes-versions"], "AWS Config rule upkeep-prod-eks-cluster-supported-version (1.29, account-wide)");
    assert.equal(owner["review-firewall-rules"], "AWS Config rules upkeep-prod-restricted-ssh and upkeep-prod-vpc-sg-authorized-ports (account-wide)");
    // Scoped rules only (another stack owns the account-wide ones): people still review.
    const scoped = how((raw) => {
      raw.aws = { configRules: true };
      raw.kubernetes.oldestSupportedVersion = "1.29";
    });
    assert.equal(scoped["update-kubernetes-versions"], "reminder");
    assert.equal(scoped["review-firewall-rules"], "reminder");
    // Account-wide rules without an oldest version: no EKS rule, so the version check stays a reminder.
    assert.equal(how((raw) => (raw.aws = { configRules: true, accountWideRules: true }))["update-kubernetes-versions"], "reminder");
    // Kubernetes only: the daily /version check does it; firewalls stay with people.
    const onprem = how((raw) => {
      raw.environment.tier = "staging"; // production would also need on-call addresses or a webhook for its alerts
      raw.aws = { enabled: false };
      raw.notify = { alertmanagerUrl: "http://alertmanager:9093" };
      raw.kubernetes.oldestSupportedVersion = "1.30";
    });
    assert.equal(onprem["update-kubernetes-versions"], "Kubernetes CronJob upkeep-maintenance/kubernetes-version-check daily against 1.30");
    assert.equal(onprem["review-firewall-rules"], "reminder");
  });

  test("an override of an unknown task is one exact config error line", () => {
    const raw = referenceConfig();
    raw.reviews = { overrides: [{ task: "nope" }] };
    assert.throws(
      () => parse(raw),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.message.split("\n"), [
          'upkeep:reviews.overrides[0].task: is not a routine task (got "nope"); known tasks: review-service-health, check-alerts, review-error-logs, verify-backups, performance-metrics, resource-utilization, security-logs, update-documentation, security-patch-updates, review-firewall-rules, dependency-updates, capacity-review, performance-optimization, security-review, update-kubernetes-versions, disaster-recovery-test, capacity-planning, documentation-audit',
        ]);
        return true;
      },
    );
  });

  test("the reminders: each check people do, with its checklist and the days it is due", () => {
    const reminders = routineReminders(config());
    assert.deepEqual(reminders.map((r) => r.id), routinePlan(config()).filter((e) => e.reminder).map((e) => e.id));
    assert.deepEqual(reminders.find((r) => r.id === "security-review"), {
      id: "security-review",
      title: "Comprehensive security review",
      cadence: "quarterly",
      checklist: ["Review access lists and service accounts", "Rotate long-lived credentials", "Re-run threat model for changed systems"],
      expression: QUARTERLY,
    });
  });
});

// ---- The digest ----

describe("the daily digest", () => {
  const ctx = { environment: "prod", runbookBaseUrl: "https://github.com/acme/upkeep/blob/main/docs/runbooks/" };
  const pick = (...ids: string[]) => routineReminders(config()).filter((r) => ids.includes(r.id));

  test("the message: a subject with the counts, then each cadence's checks with runbook and checklist", () => {
    assert.equal(
      digestMessage(pick("check-alerts", "security-review"), ctx),
      [
        "[upkeep prod] Routine checks due today: 1 daily, 1 quarterly",
        "",
        "Daily (every working day):",
        "- [ ] Check for alerts (check-alerts): https://github.com/acme/upkeep/blob/main/docs/runbooks/routine/check-alerts.md",
        "      Review firing and silenced alerts",
        "      Close or assign every alert older than a day",
        "      Delete silences that have expired their purpose",
        "",
        "Quarterly (the first Monday of January, April, July and October):",
        "- [ ] Comprehensive security review (security-review): https://github.com/acme/upkeep/blob/main/docs/runbooks/routine/security-review.md",
        "      Review access lists and service accounts",
        "      Rotate long-lived credentials",
        "      Re-run threat model for changed systems",
      ].join("\n"),
    );
  });

  test("a digest too long for a readable message drops its checklists, not its checks", () => {
    const long = pick("check-alerts").map((r) => ({ ...r, checklist: Array.from({ length: 200 }, (_, i) => `Step ${i} ${"x".repeat(40)}`) }));
    assert.equal(
      digestMessage(long, ctx),
      [
        "[upkeep prod] Routine checks due today: 1 daily",
        "",
        "Daily (every working day):",
        "- [ ] Check for alerts (check-alerts): https://github.com/acme/upkeep/blob/main/docs/runbooks/routine/check-alerts.md",
        "",
        "Each check's steps are in its runbook.",
      ].join("\n"),
    );
  });

  test("four kinds of working day, named exactly by Scheduler; a kind with nothing due has no digest", () => {
    const digests = routineDigests(config());
    assert.deepEqual(
      digests.map((d) => [d.kind, d.expressions, d.checks.length]),
      [
        ["tue-fri", ["cron(30 9 ? * TUE-FRI *)"], 4],
        ["mon", ["cron(30 9 ? * MON#2 *)", "cron(30 9 ? * MON#3 *)", "cron(30 9 ? * MON#4 *)", "cron(30 9 ? * MON#5 *)"], 8],
        ["mon-first", ["cron(30 9 ? 2,3,5,6,8,9,11,12 MON#1 *)"], 12],
        ["mon-first-quarter", ["cron(30 9 ? 1,4,7,10 MON#1 *)"], 17],
      ],
    );
    // No endpoints in the reference config: service health is reviewed by people too.
    assert.deepEqual(digests[0]!.checks, ["review-service-health", "check-alerts", "review-error-logs", "verify-backups"]);
    const onlyQuarterly = routineDigests(
      config((raw) => {
        raw.reviews = { overrides: ROUTINE.filter((t) => t.cadence !== "quarterly").map((t) => ({ task: t.id, enabled: false })) };
      }),
    );
    assert.deepEqual(onlyQuarterly.map((d) => d.kind), ["mon-first-quarter"]);
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

function matchList(field: string, value: number, names: readonly string[] = []): boolean {
  if (field === "*" || field === "?") return true;
  const num = (s: string) => (names.includes(s) ? names.indexOf(s) : Number(s));
  return field.split(",").some((part) => {
    const [a, b] = part.split("-");
    return b === undefined ? num(a!) === value : num(a!) <= value && value <= num(b);
  });
}

/** Whether a Scheduler cron fires at a local date and time; supports what upkeep emits (`DAY#n` for the nth such weekday). */
function schedulerFires(expression: string, t: { year: number; month: number; day: number; hour: number; minute: number }): boolean {
  const [min, hour, dom, month, dow, year] = /^cron\((.*)\)$/.exec(expression)![1]!.split(" ");
  assert.ok((dom === "?") !== (dow === "?"), `exactly one day field must be ?: ${expression}`);
  const nth = /^([A-Z]{3})#([1-5])$/.exec(dow!);
  const dowOk = nth ? DOW.indexOf(nth[1]!) === weekdayOf(t) && Math.ceil(t.day / 7) === Number(nth[2]) : matchList(dow!, weekdayOf(t), DOW);
  return matchList(min!, t.minute) && matchList(hour!, t.hour) && matchList(dom!, t.day) && matchList(month!, t.month) && dowOk && matchList(year!, t.year);
}

/** Every calendar date of the given years. */
function datesOf(years: readonly number[]): Ymd[] {
  const out: Ymd[] = [];
  for (const year of years) for (let month = 1; month <= 12; month++) for (let day = 1; day <= daysIn(year, month); day++) out.push({ year, month, day });
  return out;
}

const isWorkingDay = (d: Ymd) => weekdayOf(d) >= 1 && weekdayOf(d) <= 5;

/** When a cadence is due, straight from the calendar: the days nest, so one digest a day can list them all. */
const DUE: Record<Cadence, (d: Ymd) => boolean> = {
  daily: isWorkingDay,
  weekly: (d) => weekdayOf(d) === 1,
  monthly: (d) => weekdayOf(d) === 1 && d.day <= 7,
  quarterly: (d) => weekdayOf(d) === 1 && d.day <= 7 && [1, 4, 7, 10].includes(d.month),
};

/** The period a date belongs to, for "exactly once per period". */
const PERIOD: Record<Cadence, (d: Ymd) => string> = {
  daily: key,
  weekly: (d) => key(addDays(d, -((weekdayOf(d) + 6) % 7))),
  monthly: (d) => `${d.year}-${d.month}`,
  quarterly: (d) => `${d.year}-Q${Math.ceil(d.month / 3)}`,
};

function addDays(d: Ymd, n: number): Ymd {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

describe("one digest per working day, listing exactly the checks due (every instant of 2027–2028)", () => {
  const YEARS = [2027, 2028];
  for (const zone of ["Europe/Berlin", "America/New_York", "Australia/Sydney"]) {
    test(zone, () => {
      // Walk real instants in 15-minute steps and let the zone decide the local time, as Scheduler does.
      const instants: ReturnType<typeof localTime>[] = [];
      for (let t = Date.UTC(2026, 11, 30); t < Date.UTC(2029, 0, 2); t += 15 * 60_000) instants.push(localTime(zone, t));
      for (const at of ["06:00", "09:30", "20:00"]) {
        const c = config((raw) => {
          raw.environment.timezone = zone;
          raw.reviews = { at };
        });
        const reminders = routineReminders(c);
        const digests = routineDigests(c);
        /** local date → the digests that fired on it (kind, checks). */
        const fired = new Map<string, string[][]>();
        const dueFired = new Map<string, string[]>();
        const [ah, am] = at.split(":").map(Number) as [number, number];
        for (const local of instants) {
          // Every expression here fires at `at` only; other minutes cannot match, so they are not asked.
          if (!YEARS.includes(local.year) || local.hour !== ah || local.minute !== am) continue;
          for (const d of digests) {
            if (d.expressions.some((e) => schedulerFires(e, local))) fired.set(key(local), [...(fired.get(key(local)) ?? []), [...d.checks]]);
          }
          for (const r of reminders) if (schedulerFires(r.expression, local)) dueFired.set(r.id, [...(dueFired.get(r.id) ?? []), key(local)]);
        }
        const workingDays = datesOf(YEARS).filter(isWorkingDay);
        assert.deepEqual([...fired.keys()].sort(), workingDays.map(key), `${zone} ${at}: a digest every working day, none on a weekend`);
        const listed = new Map<string, string[]>();
        for (const day of workingDays) {
          const sent = fired.get(key(day))!;
          assert.equal(sent.length, 1, `${zone} ${at} ${key(day)}: exactly one digest`);
          const due = reminders.filter((r) => DUE[r.cadence](day)).map((r) => r.id);
          assert.deepEqual(sent[0], due, `${zone} ${at} ${key(day)}: the checks due that day`);
          for (const id of due) listed.set(id, [...(listed.get(id) ?? []), key(day)]);
        }
        for (const r of reminders) {
          // Each check once per period, and its own expression (the calendar's) fires on exactly those days.
          const days = listed.get(r.id)!;
          const periods = days.map((d) => PERIOD[r.cadence]({ year: Number(d.slice(0, 4)), month: Number(d.slice(5, 7)), day: Number(d.slice(8)) }));
          assert.equal(new Set(periods).size, periods.length, `${zone} ${at} ${r.id}: at most once per period`);
          assert.deepEqual(dueFired.get(r.id), days, `${zone} ${at} ${r.id}: its calendar expression`);
        }
        assert.equal(listed.get("check-alerts")!.length, 521);
        assert.equal(listed.get("performance-metrics")![0], "2027-01-04");
        assert.deepEqual(listed.get("security-review"), ["2027-01-04", "2027-04-05", "2027-07-05", "2027-10-04", "2028-01-03", "2028-04-03", "2028-07-03", "2028-10-02"]);
        assert.equal(listed.get("security-patch-updates")!.length, 24, "once a month");
      }
    });
  }

  test("the four kinds' day fields cover each working day exactly once", () => {
    assert.deepEqual(DIGEST_KINDS.map((k) => DIGEST_DAYS[k].cadences.length), [1, 2, 3, 4]);
  });
});

// ---- Stakeholder notices ----

function noticeConfig(window: Raw, noticeHours: number, edit: (raw: Raw) => void = () => {}): UpkeepConfig {
  return config((raw) => {
    raw.environment.window = window;
    raw.notify = { ...raw.notify, noticeHours };
    edit(raw);
  });
}

const HORIZON = dstHorizon({ fromYear: 2027 });
const noticesOf = (c: UpkeepConfig) => stakeholderNotices(c, planTasks(c, { fromYear: 2027 }), HORIZON);
const PROD_WINDOW = { days: ["sat", "sun"], start: "00:30", durationMinutes: 300 };

const SAT_WINDOW = [
  "The prod maintenance window opens Saturday at 00:30 and closes Saturday at 05:30 (Europe/Berlin). Services may be briefly degraded.",
  "",
  "Tasks in this window (local time):",
  "- Sat 00:30–01:00 Vacuum and analyze orders (orders-vacuum), daily",
  "- Sat 01:05–02:05 Reindex orders concurrently (orders-reindex), first Saturday of the month only",
  "- Sat 02:10–02:40 Run image-scan (image-scan), weekly",
];
const SUN_WINDOW = [
  "The prod maintenance window opens Sunday at 00:30 and closes Sunday at 05:30 (Europe/Berlin). Services may be briefly degraded.",
  "",
  "Tasks in this window (local time):",
  "- Sun 00:30–01:00 Vacuum and analyze orders (orders-vacuum), daily",
  "- Sun 01:05–01:35 Delete old rows in orders (orders-cleanup), weekly",
];

describe("stakeholderNotices", () => {
  test("prod-like window (Sat and Sun 00:30, 24 h notice): at 09:30 on Thursday and Friday, never at midnight", () => {
    assert.deepEqual(noticesOf(noticeConfig(PROD_WINDOW, 24)), [
      {
        key: "sat",
        windows: ["sat"],
        day: "thu",
        expression: "cron(30 9 ? * THU *)",
        timeZone: "Europe/Berlin",
        message: ["[upkeep prod] Maintenance window Sat 00:30–05:30 Europe/Berlin", "", ...SAT_WINDOW].join("\n"),
      },
      {
        key: "sun",
        windows: ["sun"],
        day: "fri",
        expression: "cron(30 9 ? * FRI *)",
        timeZone: "Europe/Berlin",
        message: ["[upkeep prod] Maintenance window Sun 00:30–05:30 Europe/Berlin", "", ...SUN_WINDOW].join("\n"),
      },
    ]);
  });

  test("12 h notice: both windows' notices fall on Friday at 09:30, so one notice announces both", () => {
    assert.deepEqual(noticesOf(noticeConfig(PROD_WINDOW, 12)), [
      {
        key: "sat-sun",
        windows: ["sat", "sun"],
        day: "fri",
        expression: "cron(30 9 ? * FRI *)",
        timeZone: "Europe/Berlin",
        message: ["[upkeep prod] Maintenance windows Sat 00:30–05:30, Sun 00:30–05:30 Europe/Berlin", "", ...SAT_WINDOW, "", ...SUN_WINDOW].join("\n"),
      },
    ]);
  });

  test("36 h notice and another review time: the latest working day at that time", () => {
    assert.deepEqual(noticesOf(noticeConfig(PROD_WINDOW, 36, (raw) => (raw.reviews = { at: "14:00" }))).map((n) => [n.key, n.expression]), [
      // Saturday 00:30 − 36 h is Thursday 12:30: Thursday 14:00 would be short, so Wednesday.
      ["sat", "cron(0 14 ? * WED *)"],
      ["sun", "cron(0 14 ? * THU *)"],
    ]);
  });

  test("a window crossing midnight: slots after midnight name Sunday, and so does the monthly guard; quarterly names its months", () => {
    const c = noticeConfig({ days: ["sat"], start: "22:30", durationMinutes: 210 }, 24, (raw) => {
      // A long vacuum pushes the quarterly reindex past midnight.
      raw.jobs = [{ name: "cache-warm", schedule: "45 1 * * 0", durationMinutes: 10, image: "ghcr.io/acme/cache-warm:1.0" }];
      raw.databases[0].reindex = "quarterly";
      raw.databases[0].vacuum = { cadence: "daily", durationMinutes: 85 };
    });
    assert.deepEqual(noticesOf(c), [
      {
        key: "sat",
        windows: ["sat"],
        day: "fri",
        expression: "cron(30 9 ? * FRI *)",
        timeZone: "Europe/Berlin",
        message: [
          "[upkeep prod] Maintenance window Sat 22:30–Sun 02:00 Europe/Berlin",
          "",
          "The prod maintenance window opens Saturday at 22:30 and closes Sunday at 02:00 (Europe/Berlin). Services may be briefly degraded.",
          "",
          "Tasks in this window (local time):",
          "- Sat 22:30–23:55 Vacuum and analyze orders (orders-vacuum), daily",
          "- Sun 00:00–01:00 Reindex orders concurrently (orders-reindex), first Sunday of the month only, in Jan, Apr, Jul, Oct",
          "- Sun 01:05–01:35 Delete old rows in orders (orders-cleanup), weekly",
          "- Sun 01:45–01:55 Run cache-warm (cache-warm), custom schedule 45 1 * * 0",
        ].join("\n"),
      },
    ]);
  });

  test("a Monday window with a week's notice: back across the weekend, to the Friday of the week before", () => {
    const [n] = stakeholderNotices(noticeConfig({ days: ["mon"], start: "01:00", durationMinutes: 60 }, 168), [], HORIZON);
    assert.deepEqual(n, {
      key: "mon",
      windows: ["mon"],
      day: "fri",
      expression: "cron(30 9 ? * FRI *)",
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

  test("property: a working day, at the review time, at least noticeHours ahead, and no later working day would do", () => {
    const at = fc.integer({ min: 6 * 60, max: 20 * 60 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1, max: 168 }),
        at,
        fc.constantFrom("Europe/Berlin", "America/New_York", "Asia/Tokyo"),
        (days, start, noticeHours, reviewMinute, zone) => {
          const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
          const c = noticeConfig({ days, start: hhmm(start), durationMinutes: 60 }, noticeHours, (raw) => {
            raw.environment.timezone = zone;
            raw.reviews = { at: hhmm(reviewMinute) };
          });
          const notices = stakeholderNotices(c, [], HORIZON);
          assert.deepEqual(notices.flatMap((n) => n.windows).sort(), [...days].sort(), "every window announced once");
          for (const n of notices) {
            const [, m, h, , , dow] = /^cron\((\d+) (\d+) (\?) (\*) ([A-Z]{3}) \*\)$/.exec(n.expression)!;
            assert.equal(Number(h) * 60 + Number(m), reviewMinute, "at the review time");
            const sent = DOW.indexOf(dow!);
            assert.ok(sent >= 1 && sent <= 5, `a working day, not ${dow}`);
            for (const w of n.windows) {
              const opens = WEEKDAYS.indexOf(w) * 1440 + start;
              // Wall-clock minutes from the notice back to the window: the notice is the most recent of its weekday.
              const lead = (((opens - (sent * 1440 + reviewMinute)) % (7 * 1440)) + 7 * 1440) % (7 * 1440) || 7 * 1440;
              const leadBefore = lead + (lead < noticeHours * 60 ? 7 * 1440 : 0);
              assert.ok(leadBefore >= noticeHours * 60, `${w}: ${leadBefore} min of notice, fewer than ${noticeHours} h`);
              // A later working day at the review time with an hour to spare (more than any clock change takes) would have been chosen.
              for (let later = 1440; later < leadBefore; later += 1440) {
                const day = ((sent + later / 1440) % 7 + 7) % 7;
                if (day >= 1 && day <= 5) assert.ok(leadBefore - later < noticeHours * 60 + 60, `${w}: ${DOW[day]} would also give ${noticeHours} h`);
              }
            }
          }
        },
      ),
      { numRuns: 150 },
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
 * Every window of 2027: the real time from the latest firing of its notice
 * (found by the Scheduler simulation, not by upkeep's arithmetic) to the
 * window's start, in hours; the shortest, and the notice's weekday.
 */
function realNoticeGaps(window: { days: string[]; start: string }, noticeHours: number, zone: string): { shortest: number; sentOn: string[] } {
  const c = noticeConfig({ ...window, durationMinutes: 60 }, noticeHours, (raw) => (raw.environment.timezone = zone));
  const notices = stakeholderNotices(c, [], HORIZON);
  const [sh, sm] = window.start.split(":").map(Number) as [number, number];
  let shortest = Infinity;
  for (const d of datesOf([2027])) {
    const notice = notices.find((n) => n.windows.some((w) => WEEKDAYS.indexOf(w) === weekdayOf(d)));
    if (!notice) continue;
    const opens = zonedInstant(zone, d.year, d.month, d.day, sh, sm);
    const [, m, h] = /^cron\((\d+) (\d+) /.exec(notice.expression)!;
    for (let back = 0; back < 15; back++) {
      const day = addDays(d, -back);
      const local = { ...day, hour: Number(h), minute: Number(m) };
      if (!schedulerFires(notice.expression, local)) continue;
      const sent = zonedInstant(zone, day.year, day.month, day.day, local.hour, local.minute);
      if (sent >= opens) continue;
      shortest = Math.min(shortest, (opens - sent) / 3_600_000);
      break;
    }
  }
  return { shortest, sentOn: notices.map((n) => n.day) };
}

describe("notices are never less than noticeHours ahead in real time, across the 2027 clock changes", () => {
  test("Monday 09:30 window, 72 h notice: Friday 09:30 would be 71 h before the window after the spring change, so Thursday", () => {
    // Berlin changes on Sunday Mar 28, New York on Sunday Mar 14: between a Friday notice and a Monday window.
    for (const zone of ["Europe/Berlin", "America/New_York"]) {
      // 96 h of wall clock, 95 h in the week of the spring change: never under 72.
      assert.deepEqual(realNoticeGaps({ days: ["mon"], start: "09:30" }, 72, zone), { shortest: 95, sentOn: ["thu"] }, zone);
    }
    // Tokyo never changes its clocks: the wall clock's Friday is exact.
    assert.deepEqual(realNoticeGaps({ days: ["mon"], start: "09:30" }, 72, "Asia/Tokyo"), { shortest: 72, sentOn: ["fri"] });
  });

  test("prod-like windows and windows at 04:00 Sat–Mon: every real gap at least the notice", () => {
    assert.deepEqual(realNoticeGaps({ days: ["sat", "sun"], start: "00:30" }, 24, "Europe/Berlin"), { shortest: 39, sentOn: ["thu", "fri"] });
    // Friday 09:30 to Sunday 04:00 is 42.5 h of wall clock, 41.5 h across the spring change.
    assert.deepEqual(realNoticeGaps({ days: ["sat", "sun", "mon"], start: "04:00" }, 24, "Europe/Berlin"), { shortest: 41.5, sentOn: ["thu", "fri"] });
    assert.deepEqual(realNoticeGaps({ days: ["sat", "sun", "mon"], start: "04:00" }, 36, "Europe/Berlin"), { shortest: 41.5, sentOn: ["thu", "fri"] });
    // 42 h: Friday 09:30 gives 42.5 h of wall clock, but 41.5 h before the Sunday window of the spring change; so Thursday.
    assert.deepEqual(realNoticeGaps({ days: ["sun"], start: "04:00" }, 42, "Europe/Berlin"), { shortest: 65.5, sentOn: ["thu"] });
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
  const digests = routineDigests(c);
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
    const common = { environment: "prod", timeZone: "Europe/Berlin", digests, notices, topicArns: TOPICS, schedulerRoleArn: ROLE };
    new RoutineSchedules("routine", { ...common, paused: false });
    new RoutineSchedules("frozen", { ...common, paused: true });
    await mocks.settle();
  });

  test("one Schedule per digest expression and per notice, named from the component; no Schedule per check", () => {
    assert.deepEqual(schedules("routine").map((r) => r.name).sort(), [
      "routine-digest-mon-2",
      "routine-digest-mon-3",
      "routine-digest-mon-4",
      "routine-digest-mon-5",
      "routine-digest-mon-first",
      "routine-digest-mon-first-quarter",
      "routine-digest-tue-fri",
      "routine-notice-sat",
      "routine-notice-sun",
    ]);
    assert.equal(named("routine").type, "upkeep:routine:RoutineSchedules");
  });

  test("a digest publishes that day's checks to the warning topic at its expression", () => {
    const quarter = digests.find((d) => d.kind === "mon-first-quarter")!;
    assert.deepEqual(named("routine-digest-mon-first-quarter").inputs, {
      name: "upkeep-prod-digest-mon-first-quarter",
      description: "upkeep prod: the routine checks due on mon-first-quarter days, to the platform team",
      scheduleExpression: "cron(30 9 ? 1,4,7,10 MON#1 *)",
      scheduleExpressionTimezone: "Europe/Berlin",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: { arn: TOPICS.warning, roleArn: ROLE, input: quarter.message },
    });
    const mon = digests.find((d) => d.kind === "mon")!;
    for (const n of [2, 3, 4, 5]) {
      const inputs = named(`routine-digest-mon-${n}`).inputs;
      assert.equal(inputs.scheduleExpression, `cron(30 9 ? * MON#${n} *)`);
      assert.equal(inputs.target.input, mon.message);
    }
  });

  test("a notice publishes to the info topic", () => {
    assert.deepEqual(named("routine-notice-sat").inputs, {
      name: "upkeep-prod-notice-sat",
      description: "upkeep prod: stakeholder notice before the sat maintenance window",
      scheduleExpression: "cron(30 9 ? * THU *)",
      scheduleExpressionTimezone: "Europe/Berlin",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: { arn: TOPICS.info, roleArn: ROLE, input: notices[0]!.message },
    });
  });

  test("paused: every digest and notice is DISABLED", () => {
    const frozen = schedules("frozen");
    assert.equal(frozen.length, 9);
    assert.deepEqual([...new Set(frozen.map((r) => r.inputs.state))], ["DISABLED"]);
    assert.deepEqual([...new Set(schedules("routine").map((r) => r.inputs.state))], ["ENABLED"]);
  });

  test("schedule names fit Scheduler's 64 characters", async () => {
    const { scheduleName } = await import("../components/routine/schedules.js");
    assert.equal(scheduleName("upkeep-prod-digest-mon-first-quarter"), "upkeep-prod-digest-mon-first-quarter");
    const long = scheduleName(`upkeep-${"a".repeat(40)}-digest-mon-first-quarter`);
    assert.ok(long.length <= 64);
    assert.match(long, /^upkeep-a{40}-digest-[0-9a-f]{8}$/);
    for (const r of mocks.recorded.filter((r) => r.type === "aws:scheduler/schedule:Schedule")) assert.ok(r.inputs.name.length <= 64, r.inputs.name);
  });
});
