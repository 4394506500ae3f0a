/**
 * The Markdown a reviewer reads: Danger first, then schedules in words, then
 * resources grouped by task or component. Every list is in a stable order so
 * the same two plans always print the same text.
 */
import type { RecordedResource } from "../mockRuntime";
import { ENVIRONMENT_GROUP, groupOf, pathText, type ResourceDiff } from "./compare";
import type { Dangers } from "./danger";
import { describeChange, nextRuns, type ScheduleChange } from "./schedules";

export const NO_CHANGES = "No maintenance changes.\n";
/** More changed fields than this on one resource are counted, not listed. */
const MAX_FIELDS = 8;

export interface DiffReport {
  readonly environment: string;
  readonly base: readonly RecordedResource[];
  readonly head: readonly RecordedResource[];
  readonly resources: ResourceDiff;
  readonly schedules: readonly ScheduleChange[];
  readonly dangers: Dangers;
}

function scheduleLines(changes: readonly ScheduleChange[]): string[] {
  return changes.flatMap((c) => [
    `- **${c.title}** (\`${c.id}\`): ${describeChange(c)}`,
    ...(c.before ? [`  - next before: ${nextRuns(c.before)}`] : []),
    ...(c.after ? [`  - next after: ${nextRuns(c.after)}`] : []),
  ]);
}

/**
 * At most MAX_FIELDS paths. Beyond that, paths that differ only in which
 * array item they name (e.g. the same field of 27 alert rules) are counted
 * as one `rules[*]` path, since the list must stay readable at a glance.
 */
function fieldList(paths: readonly string[]): string {
  let shown = [...paths];
  if (shown.length > MAX_FIELDS) {
    const counts = new Map<string, number>();
    // Only unquoted brackets are array items; quoted ones are map keys such as annotation names.
    for (const p of paths) {
      const general = p.replace(/\[(?!")[^\]]*\]/g, "[*]");
      counts.set(general, (counts.get(general) ?? 0) + 1);
    }
    shown = [...counts].map(([p, n]) => (n > 1 ? `${p} (×${n})` : p));
  }
  if (shown.length <= MAX_FIELDS) return shown.join(", ");
  return `${shown.slice(0, MAX_FIELDS).join(", ")} and ${shown.length - MAX_FIELDS} more`;
}

function resourceLines(report: DiffReport): string[] {
  const baseByUrn = new Map(report.base.map((r) => [r.urn, r]));
  const headByUrn = new Map(report.head.map((r) => [r.urn, r]));
  const groups = new Map<string, string[]>();
  const add = (group: string, line: string) => groups.set(group, [...(groups.get(group) ?? []), line]);
  const name = (r: RecordedResource) => `\`${r.type}\` ${r.name}`;
  for (const r of report.resources.added) add(groupOf(r, headByUrn), `- added ${name(r)}`);
  for (const r of report.resources.removed) add(groupOf(r, baseByUrn), `- removed ${name(r)}`);
  for (const c of report.resources.changed) add(groupOf(c.after, headByUrn), `- changed ${name(c.after)}: ${fieldList(pathText(c.paths))}`);
  const order = [...groups.keys()].sort((a, b) => (a === ENVIRONMENT_GROUP ? -1 : b === ENVIRONMENT_GROUP ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return order.flatMap((g) => [`#### ${g}`, "", ...groups.get(g)!, ""]);
}

export function renderMarkdown(report: DiffReport): string {
  const { resources, schedules, dangers } = report;
  const resourceCount = resources.added.length + resources.removed.length + resources.changed.length;
  if (resourceCount === 0 && schedules.length === 0 && dangers.findings.length === 0) return NO_CHANGES;
  const lines = [`## Maintenance changes: ${report.environment}`, ""];
  for (const note of dangers.notes) lines.push(`> Note: ${note}`, "");
  if (dangers.findings.length > 0) lines.push("### ⚠️ Danger", "", ...dangers.findings.map((f) => `- ${f}`), "");
  if (schedules.length > 0) lines.push("### Schedules", "", ...scheduleLines(schedules), "");
  if (resourceCount > 0) lines.push("### Resources", "", ...resourceLines(report));
  return `${lines.join("\n").trimEnd()}\n`;
}
