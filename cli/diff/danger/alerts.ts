/**
 * Alerts removed or weakened. A rule is identified by its alert name and its
 * `task` label, across every PrometheusRule of the plan, so moving a rule
 * between groups is no finding. Weaker means it fires later or pages less:
 * a longer `for`, a lower severity, or, for the two alerts whose threshold is
 * a duration, a larger number after the first `>` in the expression.
 */
import type { RecordedResource } from "../../mockRuntime";
import { alertSubject, at } from "../paths";
import { PROMETHEUS_RULE_TYPE } from "./resources";

interface Rule {
  readonly alert: string;
  readonly task: string;
  readonly forSeconds: number;
  readonly forText: string;
  readonly severity: string;
  readonly expr: string;
}

const SEVERITY_RANK: Record<string, number> = { info: 1, warning: 2, critical: 3 };
const THRESHOLD_ALERTS = new Set(["UpkeepJobMissed", "UpkeepJobRunningTooLong"]);
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Prometheus durations such as `5m` or `1h30m`; an absent `for` is 0. */
export function durationSeconds(text: string): number {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)) total += Number(n) * UNIT_SECONDS[unit!]!;
  return total;
}

/** The first `> N` of an expression (not `>=` parts of other operators), or undefined. */
export function firstThreshold(expr: string): number | undefined {
  const m = /(?<![<>=!])>\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(expr);
  return m ? Number(m[1]) : undefined;
}

/** Seconds as the alerts think of them: 95400 → 26h30m. */
function humanSeconds(s: number): string {
  if (!Number.isInteger(s) || s <= 0) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h ? `${h}h` : "", m ? `${m}m` : "", rest ? `${rest}s` : ""].join("");
}

function rulesOf(resources: readonly RecordedResource[]): Map<string, Rule> {
  const rules = new Map<string, Rule>();
  for (const r of resources) {
    if (r.type !== PROMETHEUS_RULE_TYPE) continue;
    const groups = at(r.inputs, "spec", "groups");
    for (const group of Array.isArray(groups) ? groups : []) {
      const items = at(group, "rules");
      for (const item of Array.isArray(items) ? items : []) {
        const alert = at(item, "alert");
        if (typeof alert !== "string") continue; // recording rules page nobody
        // Job alerts watch a task, certificate alerts a certificate, UpkeepMetricsAbsent the metrics.
        const labels = at(item, "labels");
        const task = alertSubject(typeof labels === "object" && labels !== null ? (labels as Record<string, unknown>) : {});
        const forText = String(at(item, "for") ?? "0s");
        rules.set(`${alert}\u0000${task}`, {
          alert,
          task,
          forSeconds: durationSeconds(forText),
          forText,
          severity: String(at(item, "labels", "severity") ?? "none"),
          expr: String(at(item, "expr") ?? ""),
        });
      }
    }
  }
  return rules;
}

function weakenings(before: Rule, after: Rule): string[] {
  const out: string[] = [];
  if (after.forSeconds > before.forSeconds) out.push(`\`for\` ${before.forText} → ${after.forText}`);
  if ((SEVERITY_RANK[after.severity] ?? 0) < (SEVERITY_RANK[before.severity] ?? 0)) out.push(`severity ${before.severity} → ${after.severity}`);
  if (THRESHOLD_ALERTS.has(after.alert)) {
    const a = firstThreshold(before.expr);
    const b = firstThreshold(after.expr);
    if (a !== undefined && b !== undefined && b > a) out.push(`threshold ${humanSeconds(a)} → ${humanSeconds(b)}`);
  }
  return out;
}

const taskName = (task: string) => (task === "" ? "no task" : `\`${task}\``);

/**
 * One line per kind of change: tasks that lost (or weakened) every alert are
 * listed together, so a tier change reads as one line, not one per rule.
 */
function render(verb: string, hits: readonly { task: string; alert: string; change: string }[], base: Map<string, Rule>): string[] {
  const alertsPerTask = new Map<string, number>();
  for (const rule of base.values()) alertsPerTask.set(rule.task, (alertsPerTask.get(rule.task) ?? 0) + 1);
  const byChange = new Map<string, Map<string, string[]>>();
  for (const h of hits) {
    const tasks = byChange.get(h.change) ?? new Map<string, string[]>();
    tasks.set(h.task, [...(tasks.get(h.task) ?? []), h.alert]);
    byChange.set(h.change, tasks);
  }
  const lines: string[] = [];
  for (const [change, tasks] of byChange) {
    const how = change === "" ? "" : ` (${change})`;
    const whole = [...tasks].filter(([task, alerts]) => alerts.length === alertsPerTask.get(task) && alerts.length > 1).map(([task]) => task);
    if (whole.length > 0) lines.push(`Alerts ${verb}${how}: every alert of ${whole.map(taskName).join(", ")}`);
    const byAlert = new Map<string, string[]>();
    for (const [task, alerts] of tasks) if (!whole.includes(task)) for (const a of alerts) byAlert.set(a, [...(byAlert.get(a) ?? []), task]);
    for (const [alert, ts] of byAlert) lines.push(`Alert ${verb}${how}: \`${alert}\` of ${ts.map(taskName).join(", ")}`);
  }
  return lines;
}

export function alertDangers(base: readonly RecordedResource[], head: readonly RecordedResource[]): string[] {
  const before = rulesOf(base);
  const after = rulesOf(head);
  const removed: { task: string; alert: string; change: string }[] = [];
  const weakened: { task: string; alert: string; change: string }[] = [];
  for (const [key, rule] of before) {
    const now = after.get(key);
    if (!now) removed.push({ task: rule.task, alert: rule.alert, change: "" });
    else for (const change of weakenings(rule, now)) weakened.push({ task: rule.task, alert: rule.alert, change });
  }
  return [...render("removed", removed, before), ...render("weakened", weakened, before)];
}
