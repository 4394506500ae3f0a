/**
 * The Markdown a reviewer reads: Danger first, then schedules in words, then
 * resources grouped by task or component. Every list is in a stable order so
 * the same two plans always print the same text.
 */
import type { RecordedResource } from "../mockRuntime";
import { ENVIRONMENT_GROUP, foldedPaths, groupOf, type ChangedResource, type ResourceDiff } from "./compare";
import type { Dangers } from "./danger";
import { at, formatPath } from "./paths";
import { describeChange, nextRuns, type ScheduleChange } from "./schedules";
import { code, valuePair } from "./values";

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
  /** The line that says the window changed, if it did. */
  readonly window?: string;
  /** Why a task that moved did, by id. */
  readonly why: ReadonlyMap<string, string>;
}

function scheduleLines(changes: readonly ScheduleChange[], why: ReadonlyMap<string, string>): string[] {
  return changes.flatMap((c) => [
    `- **${c.title}** (\`${c.id}\`): ${describeChange(c)}${why.has(c.id) ? `; ${why.get(c.id)}` : ""}`,
    ...(c.before ? [`  - next before: ${nextRuns(c.before)}`] : []),
    ...(c.after ? [`  - next after: ${nextRuns(c.after)}`] : []),
  ]);
}

/**
 * At most MAX_FIELDS fields, each with its value before and after. Beyond
 * that, paths that differ only in which array item they name (e.g. the same
 * field of 27 alert rules) are counted as one `rules[*]` path without values,
 * since the list must stay readable at a glance.
 */
function fieldList(change: ChangedResource): string {
  const fields = foldedPaths(change.paths).map((segments) => {
    const [root, ...rest] = segments;
    const [before, after] = root === "options" ? [at(change.before.options, ...rest), at(change.after.options, ...rest)] : [at(change.before.inputs, ...segments), at(change.after.inputs, ...segments)];
    const [was, now] = valuePair(before, after);
    return { path: formatPath(segments), text: `${formatPath(segments)} ${code(was)} → ${code(now)}` };
  });
  let shown = fields.map((f) => f.text);
  if (shown.length > MAX_FIELDS) {
    const groups = new Map<string, string[]>();
    // Only unquoted brackets are array items; quoted ones are map keys such as annotation names.
    for (const f of fields) {
      const general = f.path.replace(/\[(?!")[^\]]*\]/g, "[*]");
      groups.set(general, [...(groups.get(general) ?? []), f.text]);
    }
    shown = [...groups].map(([p, texts]) => (texts.length > 1 ? `${p} (×${texts.length})` : texts[0]!));
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
  for (const c of report.resources.changed) add(groupOf(c.after, headByUrn), `- changed ${name(c.after)}: ${fieldList(c)}`);
  const order = [...groups.keys()].sort((a, b) => (a === ENVIRONMENT_GROUP ? -1 : b === ENVIRONMENT_GROUP ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return order.flatMap((g) => [`#### ${g}`, "", ...groups.get(g)!, ""]);
}

export function renderMarkdown(report: DiffReport): string {
  const { resources, schedules, dangers } = report;
  const resourceCount = resources.added.length + resources.removed.length + resources.changed.length;
  if (resourceCount === 0 && schedules.length === 0 && dangers.findings.length === 0 && !report.window) return NO_CHANGES;
  const lines = [`## Maintenance changes: ${report.environment}`, ""];
  for (const note of dangers.notes) lines.push(`> Note: ${note}`, "");
  if (dangers.findings.length > 0) lines.push("### ⚠️ Danger", "", ...dangers.findings.map((f) => `- ${f}`), "");
  // The window's own line comes first: it is why the schedule changes below it happen.
  if (schedules.length > 0 || report.window) lines.push("### Schedules", "", ...(report.window ? [report.window, ""] : []), ...scheduleLines(schedules, report.why), "");
  if (resourceCount > 0) lines.push("### Resources", "", ...resourceLines(report));
  return `${lines.join("\n").trimEnd()}\n`;
}
