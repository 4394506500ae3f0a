/**
 * The real components/scripts/period-guard.sh, run with `sh`. A fake `date`
 * first in PATH answers `+%Y-%m-%d` with the date a test chooses and records
 * the TZ it was called with, so each test controls "today" and sees that the
 * guard asked for the date in the task's zone; any other call (the outcome
 * line's timestamps) goes to the real date. One test lets the fake hand
 * over to the real GNU date at a chosen instant, so the zone arithmetic is the
 * system's tzdata rather than ours.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { passesGuard } from "../components/schedule/describe";
import { localTime } from "../components/schedule/dst";
import { outcomeOf } from "./support/scripts";

const GUARD = join(__dirname, "..", "components", "scripts", "period-guard.sh");
const ZONE = "Europe/Berlin";

const work = mkdtempSync(join(tmpdir(), "upkeep-guard-"));
after(() => rmSync(work, { recursive: true, force: true }));

const bin = join(work, "bin");
mkdirSync(bin);
// For +%Y-%m-%d: prints FAKE_TODAY, or the real date at FAKE_EPOCH in $TZ, and
// records $TZ (or "unset") in FAKE_TZ_LOG. Anything else: the real date.
const SYSTEM_DATE = spawnSync("sh", ["-c", "command -v date"], { encoding: "utf8" }).stdout.trim();
writeFileSync(
  join(bin, "date"),
  `#!/bin/sh
for arg in "$@"; do
  if [ "$arg" = "+%Y-%m-%d" ]; then
    if [ "\${TZ+set}" = set ]; then printf '%s\\n' "$TZ" >> "$FAKE_TZ_LOG"; else echo unset >> "$FAKE_TZ_LOG"; fi
    if [ -n "\${FAKE_EPOCH:-}" ]; then exec "$REAL_DATE" -d "@$FAKE_EPOCH" +%Y-%m-%d; fi
    printf '%s\\n' "$FAKE_TODAY"
    exit 0
  fi
done
exec ${SYSTEM_DATE} "$@"
`,
);
chmodSync(join(bin, "date"), 0o755);

/** A zoneinfo directory that has Europe/Berlin (an empty file is enough for the guard's check). */
const tzdir = join(work, "zoneinfo");
mkdirSync(join(tzdir, "Europe"), { recursive: true });
writeFileSync(join(tzdir, "Europe", "Berlin"), "");
const emptyTzdir = join(work, "no-zoneinfo");
mkdirSync(emptyTzdir);

let calls = 0;
interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The TZ value of each call to date for the day, in order. */
  readonly tz: string[];
  /** The outcome line's outcome and reason, when it printed one (not when the command ran). */
  readonly outcome: { outcome: string; reason: string | null } | null;
}

function guard(args: string[], env: Record<string, string | undefined>): Result {
  const log = join(work, `tz-${++calls}.log`);
  const base: Record<string, string> = { PATH: `${bin}:${process.env.PATH}`, FAKE_TZ_LOG: log, TZDIR: tzdir };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  const r = spawnSync("sh", [GUARD, ...args], { env: base, encoding: "utf8", timeout: 10_000 });
  assert.equal(r.error, undefined);
  const tz = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
  if (!/(^|\n)\{[^\n]*\n$/.test(r.stdout)) return { status: r.status, stdout: r.stdout, stderr: r.stderr, tz, outcome: null };
  const { log: out, outcome } = outcomeOf(r.stdout);
  return { status: r.status, stdout: out, stderr: r.stderr, tz, outcome: { outcome: outcome.outcome, reason: outcome.reason } };
}

const ECHO_RAN = ["sh", "-c", "echo ran"];

describe("period-guard.sh", () => {
  for (const day of ["01", "02", "03", "04", "05", "06", "07"]) {
    test(`on day ${day} it runs the command, asking date for the day in UPKEEP_TIMEZONE`, () => {
      const r = guard(ECHO_RAN, { UPKEEP_TIMEZONE: ZONE, UPKEEP_CADENCE: "monthly", FAKE_TODAY: `2027-03-${day}` });
      assert.deepEqual(r, { status: 0, stdout: "ran\n", stderr: "", tz: [ZONE], outcome: null });
    });
  }

  for (let d = 8; d <= 31; d++) {
    const day = String(d).padStart(2, "0");
    test(`on day ${day} it exits 0 without running the command and says why`, () => {
      const marker = join(work, `ran-${day}`);
      const r = guard(["sh", "-c", `echo ran; touch ${marker}`], { UPKEEP_TIMEZONE: ZONE, UPKEEP_CADENCE: "quarterly", FAKE_TODAY: `2027-10-${day}` });
      assert.deepEqual(r, {
        status: 0,
        stdout: `upkeep guard: skipped on 2027-10-${day} (Europe/Berlin): this quarterly task runs only in the first week of the month\n`,
        stderr: "",
        tz: [ZONE],
        outcome: { outcome: "skipped", reason: `skipped on 2027-10-${day} (Europe/Berlin): this quarterly task runs only in the first week of the month` },
      });
      assert.equal(existsSync(marker), false);
    });
  }

  test("a skip reports the task, its kind and the environment as skipped; the dump's fetch step stays silent", () => {
    const env = { UPKEEP_TIMEZONE: ZONE, UPKEEP_CADENCE: "monthly", FAKE_TODAY: "2027-02-14", UPKEEP_TASK: "orders-dump-verify", UPKEEP_KIND: "dump-verify", UPKEEP_ENVIRONMENT: "prod" };
    const r = spawnSync("sh", [GUARD, ...ECHO_RAN], { env: { PATH: `${bin}:${process.env.PATH}`, FAKE_TZ_LOG: join(work, "tz-kind.log"), TZDIR: tzdir, ...env }, encoding: "utf8" });
    const { outcome } = outcomeOf(r.stdout);
    assert.deepEqual([outcome.task, outcome.kind, outcome.environment, outcome.outcome, outcome.figures], ["orders-dump-verify", "dump-verify", "prod", "skipped", {}]);
    const fetch = guard(ECHO_RAN, { ...env, UPKEEP_STEP: "fetch" });
    assert.deepEqual(fetch, {
      status: 0,
      stdout: "upkeep guard: skipped on 2027-02-14 (Europe/Berlin): this monthly task runs only in the first week of the month\n",
      stderr: "",
      tz: [ZONE],
      outcome: null,
    });
  });

  test("without UPKEEP_CADENCE the skip line says 'periodic'", () => {
    const r = guard(ECHO_RAN, { UPKEEP_TIMEZONE: ZONE, FAKE_TODAY: "2027-02-14" });
    assert.equal(r.stdout, "upkeep guard: skipped on 2027-02-14 (Europe/Berlin): this periodic task runs only in the first week of the month\n");
  });

  test("it execs the command: arguments pass through untouched and the exit status is the command's", () => {
    const r = guard(["sh", "-c", 'printf "%s|" "$@"; exit 3', "sh", "a b", "", "*"], { UPKEEP_TIMEZONE: ZONE, FAKE_TODAY: "2027-01-04" });
    assert.deepEqual([r.status, r.stdout, r.stderr], [3, "a b||*|", ""]);
  });

  test("without UPKEEP_TIMEZONE it fails before reading the date", () => {
    for (const value of [undefined, ""]) {
      const r = guard(ECHO_RAN, { UPKEEP_TIMEZONE: value, FAKE_TODAY: "2027-03-01" });
      const reason = "UPKEEP_TIMEZONE is not set; cannot tell which week it is";
      assert.deepEqual(r, { status: 1, stdout: "", stderr: `upkeep guard: ${reason}\n`, tz: [], outcome: { outcome: "failed", reason } });
    }
  });

  test("without a command it fails", () => {
    const r = guard([], { UPKEEP_TIMEZONE: ZONE, FAKE_TODAY: "2027-03-01" });
    assert.deepEqual(r, { status: 1, stdout: "", stderr: "upkeep guard: no command to run\n", tz: [], outcome: { outcome: "failed", reason: "no command to run" } });
  });

  test("a zone without zoneinfo (TZDIR empty) fails with the tzdata line instead of guessing the day in UTC", () => {
    const r = guard(ECHO_RAN, { UPKEEP_TIMEZONE: ZONE, TZDIR: emptyTzdir, FAKE_TODAY: "2027-03-01" });
    assert.deepEqual(r, {
      status: 1,
      stdout: "",
      stderr: `upkeep guard: this image has no time zone data for Europe/Berlin (${emptyTzdir}); use an image with tzdata\n`,
      tz: [],
      outcome: { outcome: "failed", reason: `this image has no time zone data for Europe/Berlin (${emptyTzdir}); use an image with tzdata` },
    });
  });

  test("without TZDIR it looks in /usr/share/zoneinfo", () => {
    const r = guard(ECHO_RAN, { UPKEEP_TIMEZONE: "Mars/Olympus_Mons", TZDIR: undefined, FAKE_TODAY: "2027-03-01" });
    assert.deepEqual(r, {
      status: 1,
      stdout: "",
      stderr: "upkeep guard: this image has no time zone data for Mars/Olympus_Mons (/usr/share/zoneinfo); use an image with tzdata\n",
      tz: [],
      outcome: { outcome: "failed", reason: "this image has no time zone data for Mars/Olympus_Mons (/usr/share/zoneinfo); use an image with tzdata" },
    });
  });

  test("UTC needs no zoneinfo", () => {
    const r = guard(ECHO_RAN, { UPKEEP_TIMEZONE: "UTC", TZDIR: emptyTzdir, FAKE_TODAY: "2027-03-07" });
    assert.deepEqual(r, { status: 0, stdout: "ran\n", stderr: "", tz: ["UTC"], outcome: null });
  });
});

/** Runs at 00:30 Berlin time (23:30 UTC the day before in winter, 22:30 in summer), one per day of 2027. */
const DAYS_2027 = Array.from({ length: 365 }, (_, i) => {
  const asUtc = Date.UTC(2027, 0, 1 + i, 0, 30);
  // Berlin's offset is the same at 00:30 UTC as at 00:30 local: its clock changes at 01:00 UTC.
  return asUtc - berlinOffset(asUtc) * 60_000;
});

function berlinOffset(epochMs: number): number {
  const t = localTime(ZONE, epochMs);
  return Math.round((Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) - epochMs) / 60_000);
}

const pad = (n: number) => String(n).padStart(2, "0");

describe("period-guard.sh agrees with passesGuard on every day of 2027 in Europe/Berlin", () => {
  const task = { guard: "first-week-of-month", timeZone: ZONE } as const;

  test("the instants are 00:30 local on each day, whose UTC date is the day before", () => {
    const dates = DAYS_2027.map((t) => localTime(ZONE, t)).map((l) => `${l.year}-${pad(l.month)}-${pad(l.day)}`);
    assert.equal(new Set(dates).size, 365);
    assert.deepEqual([dates[0], dates[364]], ["2027-01-01", "2027-12-31"]);
    for (const t of DAYS_2027) {
      const l = localTime(ZONE, t);
      assert.deepEqual([l.hour, l.minute], [0, 30]);
      assert.notEqual(new Date(t).getUTCDate(), l.day);
    }
  });

  test("with the date the fake prints computed from localTime", () => {
    let ran = 0;
    for (const t of DAYS_2027) {
      const l = localTime(ZONE, t);
      const today = `${l.year}-${pad(l.month)}-${pad(l.day)}`;
      const r = guard(ECHO_RAN, { UPKEEP_TIMEZONE: ZONE, UPKEEP_CADENCE: "monthly", FAKE_TODAY: today });
      assert.equal(r.status, 0);
      const shellRan = r.stdout === "ran\n";
      if (!shellRan) assert.equal(r.stdout, `upkeep guard: skipped on ${today} (Europe/Berlin): this monthly task runs only in the first week of the month\n`);
      assert.equal(shellRan, passesGuard(task, t), `${today}: the shell ${shellRan ? "ran" : "skipped"}`);
      if (shellRan) ran++;
    }
    assert.equal(ran, 12 * 7);
  });

  // The system's own tzdata: the fake hands over to the real `date -d @epoch`, in the TZ the guard set.
  const realDate = spawnSync("sh", ["-c", "command -v date"], { encoding: "utf8" }).stdout.trim();
  const gnuDate = realDate !== "" && spawnSync(realDate, ["-d", "@0", "+%Y-%m-%d"], { encoding: "utf8", env: { TZ: "UTC" } }).stdout === "1970-01-01\n";
  const tzdata = existsSync(`/usr/share/zoneinfo/${ZONE}`);
  test(
    "with the real date and the system's tzdata at each instant",
    () => {
      // Debian ships both; a machine without them cannot run this proof, and must say so rather than skip.
      assert.ok(gnuDate && tzdata, `needs GNU date (${realDate || "none"}) and /usr/share/zoneinfo/${ZONE}`);
      let ran = 0;
      for (const t of DAYS_2027) {
        const r = guard(ECHO_RAN, { UPKEEP_TIMEZONE: ZONE, TZDIR: undefined, REAL_DATE: realDate, FAKE_EPOCH: String(t / 1000) });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.tz, [ZONE]);
        const shellRan = r.stdout === "ran\n";
        assert.equal(shellRan, passesGuard(task, t), `${new Date(t).toISOString()}: the shell ${shellRan ? "ran" : "skipped"}: ${r.stdout}`);
        if (shellRan) ran++;
      }
      assert.equal(ran, 12 * 7);
    },
  );
});
