/**
 * The plan's files, rendered from what the program registered. Pure, so two
 * runs of the same program give byte-identical files.
 */
import { stringify } from "yaml";
import { renderCalendarMarkdown, withNextRuns, type CalendarEntry, type DatedCalendarEntry, type RoutineRow } from "../components/calendar";
import type { RecordedResource } from "./mockRuntime";
import type { KubernetesObject } from "./validateObjects";

/** Apply order for `kubectl apply -f`: what others live in or refer to comes first. */
const KIND_ORDER = ["Namespace", "ServiceAccount", "Secret", "ConfigMap", "CronJob", "PrometheusRule"];

export function kubernetesObjects(resources: readonly RecordedResource[]): KubernetesObject[] {
  const objects = resources
    .filter((r) => r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string" && typeof r.inputs.apiVersion === "string")
    .map((r) => r.inputs as KubernetesObject);
  const rank = (o: KubernetesObject) => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i < 0 ? KIND_ORDER.length : i;
  };
  const key = (o: KubernetesObject) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
  return objects.sort((a, b) => rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function renderKubernetesYaml(objects: readonly KubernetesObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join("");
}

export function renderResourcesJson(resources: readonly RecordedResource[]): string {
  return `${JSON.stringify(resources, null, 2)}\n`;
}

export function datedCalendar(calendar: unknown, now: Date): DatedCalendarEntry[] {
  if (!Array.isArray(calendar)) throw new Error("the program exported no calendar");
  return withNextRuns(calendar as CalendarEntry[], now);
}

export function renderCalendar(environment: string, entries: readonly DatedCalendarEntry[], paused: boolean, routine: readonly RoutineRow[]) {
  return { json: `${JSON.stringify(entries, null, 2)}\n`, markdown: renderCalendarMarkdown(environment, entries, paused, routine) };
}
