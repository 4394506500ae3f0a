/**
 * EventBridge's event-pattern matching, for the subset of the pattern
 * language upkeep writes, so a test can say which real events a rule
 * catches. Rules as the EventBridge User Guide ("Event patterns", "Content
 * filtering") states them:
 * - every field of the pattern must match; fields the pattern does not name
 *   are ignored;
 * - a leaf is an array of conditions, any one of which must match; an event
 *   field that is an array matches when any of its elements does;
 * - a literal matches by exact value and type (the string "1" is not 1);
 * - a missing field matches nothing but `{ "exists": false }`;
 * - `$or` holds sub-patterns, any one of which must match;
 * - `numeric` compares numbers only, `anything-but` needs the field present.
 * Anything else throws, so a pattern this matcher does not understand can
 * never pass a test by accident.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  "=": (a, b) => a === b,
  ">=": (a, b) => a >= b,
  ">": (a, b) => a > b,
};

function numeric(spec: unknown, value: unknown): boolean {
  if (!Array.isArray(spec) || spec.length % 2 !== 0) throw new Error(`malformed numeric condition ${JSON.stringify(spec)}`);
  if (typeof value !== "number") return false;
  for (let i = 0; i < spec.length; i += 2) {
    const op = NUMERIC_OPS[String(spec[i])];
    if (op === undefined || typeof spec[i + 1] !== "number") throw new Error(`malformed numeric condition ${JSON.stringify(spec)}`);
    if (!op(value, spec[i + 1] as number)) return false;
  }
  return true;
}

function condition(c: unknown, values: readonly unknown[], missing: boolean): boolean {
  if (!isObject(c)) {
    if (Array.isArray(c)) throw new Error(`a condition cannot be an array: ${JSON.stringify(c)}`);
    return !missing && values.some((v) => v === c);
  }
  const keys = Object.keys(c);
  if (keys.length !== 1) throw new Error(`one operator per condition: ${JSON.stringify(c)}`);
  const [op] = keys as [string];
  if (op === "exists") return c.exists === true ? !missing : missing;
  if (missing) return false;
  switch (op) {
    case "prefix":
      return values.some((v) => typeof v === "string" && v.startsWith(String(c.prefix)));
    case "numeric":
      return values.some((v) => numeric(c.numeric, v));
    case "anything-but": {
      const excluded = Array.isArray(c["anything-but"]) ? c["anything-but"] : [c["anything-but"]];
      if (excluded.some(isObject)) throw new Error(`unsupported anything-but ${JSON.stringify(c)}`);
      return values.length > 0 && values.every((v) => !excluded.includes(v as never));
    }
    default:
      throw new Error(`unsupported condition ${JSON.stringify(c)}`);
  }
}

function matchObject(pattern: Record<string, unknown>, event: unknown): boolean {
  const fields = isObject(event) ? event : {};
  for (const [key, spec] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(spec) || spec.length < 2) throw new Error(`$or needs at least two sub-patterns: ${JSON.stringify(spec)}`);
      if (!spec.some((sub) => isObject(sub) && matchObject(sub, fields))) return false;
      continue;
    }
    const value = fields[key];
    if (Array.isArray(spec)) {
      if (spec.length === 0) throw new Error(`empty condition list at ${key}`);
      const missing = value === undefined;
      const values = missing ? [] : Array.isArray(value) ? value : [value];
      if (!spec.some((c) => condition(c, values, missing))) return false;
    } else if (isObject(spec)) {
      if (!matchObject(spec, value)) return false;
    } else {
      throw new Error(`pattern field ${key} must be an array or an object: ${JSON.stringify(spec)}`);
    }
  }
  return true;
}

/** Whether EventBridge delivers `event` to a rule with `pattern`. */
export function matchesPattern(pattern: object, event: Json | object): boolean {
  if (!isObject(pattern)) throw new Error("a pattern is an object");
  return matchObject(pattern, event);
}
