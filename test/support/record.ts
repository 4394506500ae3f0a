// The maintenance record as a test states it: which gauges an outcome line
// becomes in the Pushgateway (README, "The maintenance record"), written out
// here independently of record.sh, and what a Pushgateway holds for a task.
// The script tests run the real scripts with UPKEEP_PUSHGATEWAY_URL set and
// hold what they pushed to this.
import assert from "node:assert/strict";
import { pushedGroups } from "./monitoring";
import type { Outcome } from "./scripts";

/** metric → `label=value,…` beyond job, environment, task and kind (`""` for none) → value. */
export type Gauges = Record<string, Record<string, number>>;

type Obj = Record<string, unknown>;
const num = (v: unknown): v is number => typeof v === "number";
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/**
 * The gauges of one outcome line pushed to an empty group. (A cleanup's
 * backlog_runs continues the streak the group held before; from nothing it
 * is 1 where rows are left, 0 where none are.)
 */
export function expectedGauges(o: Outcome): Gauges {
  const g: Gauges = {};
  const set = (metric: string, key: string, value: number) => ((g[metric] ??= {})[key] = value);
  const end = Date.parse(o.end) / 1000;
  set("upkeep_task_last_run_timestamp_seconds", "", end);
  if (o.outcome === "success") set("upkeep_task_last_success_timestamp_seconds", "", end);
  for (const each of ["success", "failed", "skipped", "partial"]) set("upkeep_task_outcome", `outcome=${each}`, each === o.outcome ? 1 : 0);
  set("upkeep_task_duration_seconds", "", o.seconds);
  if (o.outcome === "skipped") return g;
  const f = o.figures as Obj;
  switch (o.kind) {
    case "cleanup":
      for (const t of list(f.tables)) {
        const key = `table=${String(t.table)}`;
        if (num(t.deleted)) set("upkeep_cleanup_rows_deleted", key, t.deleted);
        if (num(t.rowsLeft)) {
          set("upkeep_cleanup_rows_remaining", key, t.rowsLeft);
          set("upkeep_cleanup_backlog_runs", key, t.rowsLeft > 0 ? 1 : 0);
        }
      }
      break;
    case "reindex":
      if (num(f.indexesRebuilt)) set("upkeep_reindex_indexes_rebuilt", "", f.indexesRebuilt);
      if (num(f.leftoversDropped)) set("upkeep_reindex_leftovers_dropped", "", f.leftoversDropped);
      break;
    case "vacuum":
      if (num(f.tablesDone)) set("upkeep_vacuum_tables_done", "", f.tablesDone);
      if (num(f.tablesSkipped)) set("upkeep_vacuum_tables_skipped", "", f.tablesSkipped);
      break;
    case "dump-verify":
      if (num(f.ageHours)) set("upkeep_dump_age_seconds", "", f.ageHours * 3600);
      if (num(f.restoreSeconds)) set("upkeep_dump_restore_seconds", "", f.restoreSeconds);
      for (const c of list(f.checks)) set("upkeep_dump_check_passed", `check=${String(c.check)}`, c.ok === true ? 1 : 0);
      break;
    case "tls-check":
      for (const e of list(f.endpoints)) if (num(e.daysLeft)) set("upkeep_endpoint_certificate_days_left", `endpoint=${String(e.endpoint)}`, e.daysLeft);
      break;
    case "verify":
      for (const e of list(f.endpoints)) {
        set("upkeep_endpoint_up", `endpoint=${String(e.url)}`, e.ok === true ? 1 : 0);
        if (num(e.latencyMs)) set("upkeep_endpoint_latency_seconds", `endpoint=${String(e.url)}`, e.latencyMs / 1000);
      }
      break;
    default:
      break;
  }
  return g;
}

/** What the Pushgateway holds for one task, as Gauges; every series carries the grouping key and `kind`. */
export async function pushedGauges(pushgateway: string, environment: string, task: string, kind: string): Promise<Gauges> {
  const groups = await pushedGroups(pushgateway);
  const group = groups.find((x) => x.labels.job === "upkeep" && x.labels.environment === environment && x.labels.task === task);
  assert.ok(group, `the Pushgateway holds a group for ${environment}/${task}`);
  const out: Gauges = {};
  for (const [name, family] of Object.entries(group.metrics)) {
    if (name === "push_time_seconds" || name === "push_failure_time_seconds") continue;
    for (const m of family.metrics) {
      const { environment: e, instance, job, task: t, kind: k, ...rest } = m.labels;
      assert.deepEqual([e, instance, job, t, k], [environment, "", "upkeep", task, kind], `${name} carries the grouping key and kind`);
      (out[name] ??= {})[Object.entries(rest).map(([a, b]) => `${a}=${b}`).join(",")] = Number(m.value);
    }
  }
  return out;
}

/**
 * The pushed gauges are exactly what the outcome line says (floats to 1e-9);
 * with earlier runs of the same task pushed first, what a push (a POST)
 * leaves: each metric the latest run sends replaces that metric whole, the
 * others stay as the earlier runs left them.
 */
export async function assertPushedAsRecorded(pushgateway: string, o: Outcome, ...earlier: Outcome[]): Promise<void> {
  assert.ok(o.environment, "the outcome names its environment");
  const pushed = await pushedGauges(pushgateway, o.environment, o.task, o.kind);
  const expected = Object.assign({}, ...[...earlier, o].map(expectedGauges)) as Gauges;
  const round = (g: Gauges) => Object.fromEntries(Object.entries(g).map(([m, v]) => [m, Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Math.round(x * 1e9) / 1e9]))]));
  assert.deepEqual(round(pushed), round(expected), `pushed for ${o.task}, from ${JSON.stringify(o)}`);
}
