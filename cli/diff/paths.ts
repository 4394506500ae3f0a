/**
 * Field paths and a deep diff over plain JSON. Paths read like the object:
 * `spec.jobTemplate.spec.activeDeadlineSeconds`; keys that are not plain words
 * are bracketed (`metadata.annotations["upkeep.dev/schedule"]`), and array
 * items that carry a unique key are addressed by it (`env[HOME].value`), so
 * inserting an item does not make every later index look changed.
 */

export type Segment = string | number;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function formatPath(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (s.startsWith("#")) out += `[${s.slice(1)}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * The key of an array item: its `name`, or for an alerting rule its alert and
 * `task` label (`UpkeepJobMissed orders-vacuum`), the rule's identity here.
 */
function itemKey(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  if (typeof item.name === "string") return item.name;
  if (typeof item.alert !== "string") return undefined;
  const subject = alertSubject(isRecord(item.labels) ? item.labels : {});
  return subject !== "" ? `${item.alert} ${subject}` : item.alert;
}

/**
 * What an alerting rule watches, from its labels: a task (and an endpoint of
 * it), a certificate, or which metrics (per PrometheusRule); "" for none.
 */
export function alertSubject(labels: Record<string, unknown>): string {
  const str = (k: string) => (typeof labels[k] === "string" ? (labels[k] as string) : undefined);
  const task = str("task");
  if (task !== undefined) return str("endpoint") !== undefined ? `${task} ${str("endpoint")}` : task;
  if (str("certificate") !== undefined) return `certificate ${str("certificate")}`;
  if (str("missing") !== undefined) return `${str("missing")} metrics${str("prometheusrule") !== undefined ? ` in ${str("prometheusrule")}` : ""}`;
  return "";
}

/** Items by key when every item has a distinct key; else undefined. */
function byKey(items: readonly unknown[]): Map<string, unknown> | undefined {
  const map = new Map<string, unknown>();
  for (const item of items) {
    const key = itemKey(item);
    if (key === undefined || map.has(key)) return undefined;
    map.set(key, item);
  }
  return map;
}

/**
 * Paths (as segments) where `a` and `b` differ, outermost first. A value that
 * appears or disappears is one path; arrays of different lengths without names
 * are one path too, since index-by-index output would be noise.
 */
export function diffPaths(a: unknown, b: unknown, prefix: readonly Segment[] = []): Segment[][] {
  if (a === b) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const namedA = byKey(a);
    const namedB = byKey(b);
    if (namedA && namedB && (a.length > 0 || b.length > 0)) {
      // "#" marks a key used as an index, so formatPath brackets it without quotes.
      const names = [...new Set([...namedA.keys(), ...namedB.keys()])];
      return names.flatMap((n) => diffPaths(namedA.get(n), namedB.get(n), [...prefix, `#${n}`]));
    }
    if (a.length !== b.length) return [[...prefix]];
    return a.flatMap((item, i) => diffPaths(item, b[i], [...prefix, i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffPaths(a[k], b[k], [...prefix, k]));
  }
  return [[...prefix]];
}

/** Reads a value at a path from diffPaths (a `#key` segment picks the array item with that key). */
export function at(value: unknown, ...path: readonly Segment[]): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === "number") {
      current = current[key];
    } else if (Array.isArray(current) && typeof key === "string" && key.startsWith("#")) {
      const name = key.slice(1);
      current = current.find((item) => itemKey(item) === name);
    } else if (isRecord(current) && typeof key === "string") {
      current = current[key];
    } else {
      return undefined;
    }
  }
  return current;
}
