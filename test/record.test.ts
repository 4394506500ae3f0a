// record.sh against the real Prometheus Pushgateway on 127.0.0.1: the exact
// text an outcome line becomes, what the gateway holds after a success, a
// skip, a failure and a run of cleanups, with curl and with busybox wget
// alone (the postgres and openssl images have no curl), and the one line a
// push that cannot land prints while the task's result stands.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/postgres";
import { pushedGroups, startPushgateway, type PushedGroup, type Server } from "./support/monitoring";

const SCRIPT = join(__dirname, "..", "components", "scripts", "record.sh");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function sh(body: string, args: string[], env: Record<string, string>, shell = "sh"): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(shell, ["-c", `upkeep_name=cleanup; . "${SCRIPT}"; ${body}`, "sh", ...args], { env: { HOME: "/tmp", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const PATH = process.env.PATH ?? "/usr/bin:/bin";
let gateway: Server;
let busyboxOnly: string;

before(async () => {
  gateway = await startPushgateway();
  // A PATH with busybox's applets and nothing else: no curl, as in postgres:*-alpine.
  busyboxOnly = await mkdtemp(join(tmpdir(), "upkeep-busybox-"));
  for (const applet of ["sh", "awk", "sed", "date", "wget", "timeout", "cat", "head", "mktemp", "rm", "sleep", "tr", "grep", "dirname"]) {
    await symlink("/usr/bin/busybox", join(busyboxOnly, applet));
  }
});

after(async () => {
  await gateway?.stop();
  if (busyboxOnly) await rm(busyboxOnly, { recursive: true, force: true });
});

interface Outcome {
  task: string;
  kind: string;
  outcome: string;
  end: string;
  seconds?: number;
  figures?: unknown;
}

function line(o: Outcome, environment = "prod"): string {
  return JSON.stringify({ task: o.task, kind: o.kind, environment, outcome: o.outcome, start: "2026-12-05T01:30:00Z", end: o.end, seconds: o.seconds ?? 60, reason: null, figures: o.figures ?? {} });
}

const push = (l: string, env: Record<string, string> = {}, path = PATH) => sh('upkeep_record_push "$1"', [l], { PATH: path, UPKEEP_PUSHGATEWAY_URL: gateway.url, ...env });

function group(groups: PushedGroup[], task: string, environment = "prod"): Record<string, Record<string, number>> {
  const g = groups.find((x) => x.labels.task === task && x.labels.environment === environment && x.labels.job === "upkeep");
  assert.ok(g, `a group for ${task} in ${environment}`);
  const out: Record<string, Record<string, number>> = {};
  for (const [name, family] of Object.entries(g.metrics)) {
    if (name === "push_time_seconds" || name === "push_failure_time_seconds") continue;
    for (const m of family.metrics) {
      const { environment: e, instance, job, task: t, ...rest } = m.labels;
      assert.deepEqual([e, instance, job, t], [environment, "", "upkeep", task], `${name} carries the grouping key`);
      const key = Object.entries(rest).filter(([k]) => k !== "kind").map(([k, v]) => `${k}=${v}`).join(",");
      assert.ok(rest.kind, `${name} carries kind`);
      (out[name] ??= {})[key] = Number(m.value);
    }
  }
  return out;
}

const epoch = (iso: string) => Date.parse(iso) / 1000;

test("an outcome line becomes exactly this text, under the task's grouping key", async () => {
  const run = await sh('upkeep_record_convert "$1" ""', [
    line({
      task: "orders-cleanup",
      kind: "cleanup",
      outcome: "partial",
      end: "2026-12-05T01:58:00Z",
      seconds: 1676,
      figures: { deleted: 12, tables: [{ table: "public.events", deleted: 10, rowsLeft: 5 }, { table: "public.audit", deleted: 2, rowsLeft: null }] },
    }),
  ], { PATH });
  assert.equal(run.stderr, "");
  assert.equal(
    run.stdout,
    [
      "/metrics/job/upkeep/environment/prod/task/orders-cleanup",
      "# TYPE upkeep_task_last_run_timestamp_seconds gauge",
      'upkeep_task_last_run_timestamp_seconds{kind="cleanup"} 1796435880',
      "# TYPE upkeep_task_outcome gauge",
      'upkeep_task_outcome{kind="cleanup",outcome="success"} 0',
      'upkeep_task_outcome{kind="cleanup",outcome="failed"} 0',
      'upkeep_task_outcome{kind="cleanup",outcome="skipped"} 0',
      'upkeep_task_outcome{kind="cleanup",outcome="partial"} 1',
      "# TYPE upkeep_task_duration_seconds gauge",
      'upkeep_task_duration_seconds{kind="cleanup"} 1676',
      "# TYPE upkeep_cleanup_rows_deleted gauge",
      'upkeep_cleanup_rows_deleted{kind="cleanup",table="public.events"} 10',
      'upkeep_cleanup_rows_deleted{kind="cleanup",table="public.audit"} 2',
      "# TYPE upkeep_cleanup_rows_remaining gauge",
      'upkeep_cleanup_rows_remaining{kind="cleanup",table="public.events"} 5',
      "# TYPE upkeep_cleanup_backlog_runs gauge",
      'upkeep_cleanup_backlog_runs{kind="cleanup",table="public.events"} 1',
      "",
    ].join("\n"),
  );
});

test("a success, then a skip: the skip moves the last run and the outcome, never the last success", async () => {
  const success = line({ task: "orders-reindex", kind: "reindex", outcome: "success", end: "2026-12-05T02:10:00Z", seconds: 600, figures: { indexesRebuilt: 7, leftoversDropped: 2 } });
  const first = await push(success);
  assert.deepEqual([first.code, first.stdout, first.stderr], [0, "", ""]);
  assert.deepEqual(group(await pushedGroups(gateway.url), "orders-reindex"), {
    upkeep_task_last_run_timestamp_seconds: { "": epoch("2026-12-05T02:10:00Z") },
    upkeep_task_last_success_timestamp_seconds: { "": epoch("2026-12-05T02:10:00Z") },
    upkeep_task_outcome: { "outcome=success": 1, "outcome=failed": 0, "outcome=skipped": 0, "outcome=partial": 0 },
    upkeep_task_duration_seconds: { "": 600 },
    upkeep_reindex_indexes_rebuilt: { "": 7 },
    upkeep_reindex_leftovers_dropped: { "": 2 },
  });
  const skip = await push(line({ task: "orders-reindex", kind: "reindex", outcome: "skipped", end: "2026-12-12T02:00:01Z", seconds: 1 }));
  assert.deepEqual([skip.code, skip.stderr], [0, ""]);
  assert.deepEqual(group(await pushedGroups(gateway.url), "orders-reindex"), {
    upkeep_task_last_run_timestamp_seconds: { "": epoch("2026-12-12T02:00:01Z") },
    upkeep_task_last_success_timestamp_seconds: { "": epoch("2026-12-05T02:10:00Z") },
    upkeep_task_outcome: { "outcome=success": 0, "outcome=failed": 0, "outcome=skipped": 1, "outcome=partial": 0 },
    upkeep_task_duration_seconds: { "": 1 },
    upkeep_reindex_indexes_rebuilt: { "": 7 },
    upkeep_reindex_leftovers_dropped: { "": 2 },
  });
});

test("busybox alone (wget, no curl) pushes the same, and a failure keeps the last success", async () => {
  const failed = line({ task: "tls-check", kind: "tls-check", outcome: "failed", end: "2026-12-06T03:00:00Z", seconds: 4, figures: { endpoints: [{ endpoint: "api.example.com:443", daysLeft: 12 }] } }, "staging");
  const ok = line({ task: "tls-check", kind: "tls-check", outcome: "success", end: "2026-12-05T03:00:00Z", seconds: 3, figures: { endpoints: [{ endpoint: "api.example.com:443", daysLeft: 13 }] } }, "staging");
  for (const l of [ok, failed]) {
    const run = await push(l, {}, busyboxOnly);
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, "", ""], "pushed with busybox wget");
  }
  assert.deepEqual(group(await pushedGroups(gateway.url), "tls-check", "staging"), {
    upkeep_task_last_run_timestamp_seconds: { "": epoch("2026-12-06T03:00:00Z") },
    upkeep_task_last_success_timestamp_seconds: { "": epoch("2026-12-05T03:00:00Z") },
    upkeep_task_outcome: { "outcome=success": 0, "outcome=failed": 1, "outcome=skipped": 0, "outcome=partial": 0 },
    upkeep_task_duration_seconds: { "": 4 },
    upkeep_endpoint_certificate_days_left: { "endpoint=api.example.com:443": 12 },
  });
});

test("cleanup counts the runs in a row that left rows behind without shrinking them, per table", async () => {
  const run = (end: string, left: Record<string, number | null>, outcome = "partial") =>
    push(line({ task: "orders-cleanup", kind: "cleanup", outcome, end, figures: { tables: Object.entries(left).map(([table, rowsLeft]) => ({ table, deleted: 1, rowsLeft })) } }, "dev"));
  const state = async () => {
    const g = group(await pushedGroups(gateway.url), "orders-cleanup", "dev");
    return { remaining: g.upkeep_cleanup_rows_remaining, runs: g.upkeep_cleanup_backlog_runs };
  };
  const steps: [string, Record<string, number | null>, string, Record<string, number>, Record<string, number>][] = [
    ["2026-11-14T01:00:00Z", { "public.a": 500, "public.b": 0 }, "partial", { "table=public.a": 500, "table=public.b": 0 }, { "table=public.a": 1, "table=public.b": 0 }],
    ["2026-11-21T01:00:00Z", { "public.a": 500, "public.b": 0 }, "partial", { "table=public.a": 500, "table=public.b": 0 }, { "table=public.a": 2, "table=public.b": 0 }],
    ["2026-11-28T01:00:00Z", { "public.a": 700, "public.b": 10 }, "partial", { "table=public.a": 700, "table=public.b": 10 }, { "table=public.a": 3, "table=public.b": 1 }],
    // public.a failed this run: its last count stands.
    ["2026-12-05T01:00:00Z", { "public.a": null, "public.b": 4 }, "failed", { "table=public.a": 700, "table=public.b": 4 }, { "table=public.a": 3, "table=public.b": 1 }],
    ["2026-12-12T01:00:00Z", { "public.a": 650, "public.b": 0 }, "partial", { "table=public.a": 650, "table=public.b": 0 }, { "table=public.a": 1, "table=public.b": 0 }],
  ];
  for (const [end, left, outcome, remaining, runs] of steps) {
    const r = await run(end, left, outcome);
    assert.deepEqual([r.code, r.stderr], [0, ""], end);
    assert.deepEqual(await state(), { remaining, runs }, end);
  }
  // A skip pushes no figures: the counts stay.
  await push(line({ task: "orders-cleanup", kind: "cleanup", outcome: "skipped", end: "2026-12-19T01:00:00Z" }, "dev"));
  assert.deepEqual(await state(), { remaining: { "table=public.a": 650, "table=public.b": 0 }, runs: { "table=public.a": 1, "table=public.b": 0 } });
});

test("a Pushgateway that is down costs one line and a few seconds, never the task's result", async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const l = line({ task: "orders-vacuum", kind: "vacuum", outcome: "success", end: "2026-12-05T01:00:00Z" });
  for (const [path, client] of [[PATH, "curl"], [busyboxOnly, "busybox wget"]] as const) {
    const run = await sh('upkeep_record_push "$1"; echo "status $?"', [l], { PATH: path, UPKEEP_PUSHGATEWAY_URL: closed, UPKEEP_PUSH_ATTEMPTS: "2" });
    assert.equal(run.stdout, "status 0\n", client);
    const lines = run.stderr.split("\n").filter(Boolean);
    assert.equal(lines.length, 1, `${client}: one line\n${run.stderr}`);
    assert.match(lines[0]!, new RegExp(`^upkeep cleanup: could not push the outcome to the Pushgateway at ${closed}: .*(onnect|refused)`), client);
    assert.ok(run.ms < 10_000, `${client}: gave up after ${run.ms} ms`);
  }
});

test("a push the Pushgateway refuses, and a line that is not an outcome, are one line each", async () => {
  // Another group already holds upkeep_dump_restore_seconds as a counter: the gateway refuses an inconsistent push.
  const res = await fetch(`${gateway.url}/metrics/job/other/task/x`, { method: "POST", body: "# TYPE upkeep_dump_restore_seconds counter\nupkeep_dump_restore_seconds 1\n" });
  assert.equal(res.status, 200, await res.text());
  try {
    const run = await push(line({ task: "orders-dump-verify", kind: "dump-verify", outcome: "success", end: "2026-12-05T01:00:00Z", figures: { restoreSeconds: 4 } }), { UPKEEP_PUSH_ATTEMPTS: "1" });
    assert.equal(run.code, 0);
    assert.match(run.stderr, /^upkeep cleanup: could not push the outcome to the Pushgateway at http:\/\/127\.0\.0\.1:\d+: HTTP 400: .*upkeep_dump_restore_seconds.*\n$/);
  } finally {
    await fetch(`${gateway.url}/metrics/job/other/task/x`, { method: "DELETE" });
  }
  const bad = await push('{"task":"orders-vacuum","kind":"vacuum","environment":"prod","outcome":"done","end":"2026-12-05T01:00:00Z"}');
  assert.deepEqual([bad.code, bad.stderr], [0, 'upkeep cleanup: could not push the outcome to the Pushgateway: unknown outcome "done"\n']);
  const cut = await push('{"task":"orders-vacuum","kind":');
  assert.deepEqual([cut.code, cut.stderr], [0, "upkeep cleanup: could not push the outcome to the Pushgateway: malformed outcome line: unexpected \"\" at character 32\n"]);
  const unset = await sh('upkeep_record_push "$1"; echo "status $?"', ["{}"], { PATH });
  assert.deepEqual([unset.stdout, unset.stderr], ["status 0\n", ""], "no URL: nothing to push, nothing said");
});

// ---------------------------------------------------------------- the period guard asks the Pushgateway

const GUARD = join(__dirname, "..", "components", "scripts", "period-guard.sh");

function guard(env: Record<string, string>, path = PATH): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile("sh", [GUARD, "sh", "-c", "echo ran"], { env: { PATH: path, HOME: "/tmp", TZDIR: "/usr/share/zoneinfo", ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Midnight of the first day of this month (or of this quarter's first month) in `zone`, as epoch seconds. */
function periodStart(zone: string, quarterly: boolean): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit" }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  let month = Number(parts.month);
  if (quarterly) month = Math.floor((month - 1) / 3) * 3 + 1;
  // The zone's offset at that midnight, found by formatting the UTC guess back.
  const guess = Date.UTC(Number(parts.year), month - 1, 1) / 1000;
  const local = new Intl.DateTimeFormat("en-CA", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(new Date(guess * 1000));
  const [d, t] = local.split(", ");
  const asUtc = Date.parse(`${d}T${t}:00Z`) / 1000;
  return guess - (asUtc - guess);
}

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, "Z");
const todayIn = (zone: string) => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());

test("the guard skips once this period's real run has succeeded, and runs any window day until then", async () => {
  for (const [zone, cadence] of [["UTC", "monthly"], ["Europe/Berlin", "monthly"], ["America/New_York", "quarterly"]] as const) {
    const start = periodStart(zone, cadence === "quarterly");
    const env = { UPKEEP_TIMEZONE: zone, UPKEEP_CADENCE: cadence, UPKEEP_ENVIRONMENT: "prod", UPKEEP_PUSHGATEWAY_URL: gateway.url };
    const succeededAt = async (task: string, epochSeconds: number) => {
      const r = await push(line({ task, kind: "reindex", outcome: "success", end: iso(epochSeconds) }));
      assert.equal(r.stderr, "");
    };
    const at = `${zone.toLowerCase().replace(/[^a-z]/g, "")}-${cadence}`;
    await succeededAt(`${at}-done`, start);
    const skipped = await guard({ ...env, UPKEEP_TASK: `${at}-done` });
    const startLocal = new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(new Date(start * 1000));
    const why = `skipped on ${todayIn(zone)} (${zone}): this period's run already succeeded on ${startLocal}`;
    const [said, outcome, ...rest] = skipped.stdout.split("\n");
    assert.deepEqual([skipped.code, said, rest, skipped.stderr], [0, `upkeep guard: ${why}`, [""], ""], `${zone}: a success at the period's first midnight counts`);
    assert.deepEqual(
      (({ start, end, seconds, ...o }) => o)(JSON.parse(outcome!)),
      { task: `${at}-done`, kind: "guard", environment: "prod", outcome: "skipped", reason: why, figures: {} },
      `${zone}: the skip's outcome line`,
    );
    const busybox = await guard({ ...env, UPKEEP_TASK: `${at}-done` }, busyboxOnly);
    assert.equal(busybox.stdout.split("\n")[0], `upkeep guard: ${why}`, `${zone}: busybox alone (date, wget, awk) decides the same`);
    await succeededAt(`${at}-last-period`, start - 1);
    const retried = await guard({ ...env, UPKEEP_TASK: `${at}-last-period` });
    assert.deepEqual([retried.code, retried.stdout, retried.stderr], [0, "ran\n", ""], `${zone}: a success one second before the period does not`);
    const never = await guard({ ...env, UPKEEP_TASK: `${at}-never` });
    assert.deepEqual([never.code, never.stdout, never.stderr], [0, "ran\n", ""], `${zone}: no success pushed yet`);
    const otherEnv = await guard({ ...env, UPKEEP_ENVIRONMENT: "staging", UPKEEP_TASK: `${at}-done` });
    assert.equal(otherEnv.stdout, "ran\n", `${zone}: another environment's success is not ours`);
  }
});

test("a guard that cannot reach the Pushgateway says so and keeps to the first week", async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const r = await guard({ UPKEEP_TIMEZONE: "UTC", UPKEEP_CADENCE: "monthly", UPKEEP_ENVIRONMENT: "prod", UPKEEP_TASK: "orders-reindex", UPKEEP_PUSHGATEWAY_URL: closed, UPKEEP_PUSH_ATTEMPTS: "1" });
  const today = todayIn("UTC");
  const firstWeek = Number(today.slice(8)) <= 7;
  assert.equal(r.code, 0);
  assert.match(r.stderr.split("\n")[0]!, /^upkeep guard: warning: could not ask the Pushgateway whether this period's run succeeded \(.*(onnect|refused).*\); only the first week runs, as without it$/);
  assert.equal(r.stdout.split("\n")[0], firstWeek ? "ran" : `upkeep guard: skipped on ${today} (UTC): this monthly task runs only in the first week of the month`);
});
