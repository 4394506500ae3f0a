/**
 * Turns zod issues into one plain sentence each. zod's own wording speaks of
 * types and schemas; ours speaks of the config the user wrote.
 */
import type { z } from "zod";

export interface ConfigProblem {
  readonly path: string;
  readonly reason: string;
}

type Issue = z.core.$ZodIssue;

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

const ARTICLE: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "a map of names to values",
};

function reasonFor(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${ARTICLE[issue.expected] ?? issue.expected} (got ${show(issue.input)})`;
    case "too_small":
      if (issue.origin === "array") return `must list at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`;
      if (issue.origin === "string") return "must not be empty";
      return `must be at least ${issue.minimum} (got ${show(issue.input)})`;
    case "too_big":
      if (issue.origin === "array") return `must list at most ${issue.maximum} items`;
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      return `must be at most ${issue.maximum} (got ${show(issue.input)})`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => String(v)).join(", ")} (got ${show(issue.input)})`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    default:
      return issue.message;
  }
}

/**
 * One problem per issue; unknown keys become one problem per key so that each
 * line names the exact path to delete or fix.
 */
export function formatIssues(issues: readonly Issue[], formatPath: (path: readonly PropertyKey[]) => string): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...issue.path, key]), reason: "is not a known key" });
      }
      continue;
    }
    out.push({ path: formatPath(issue.path), reason: reasonFor(issue) });
  }
  return out;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.reason}`).join("\n"));
    this.name = "ConfigError";
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "upkeep";
  path.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else if (i === 0) out += `:${String(part)}`;
    // A map key such as a label key (`eks.amazonaws.com/role-arn`) is quoted, so the path stays one path.
    else out += /^[A-Za-z0-9_-]+$/.test(String(part)) ? `.${String(part)}` : `[${JSON.stringify(String(part))}]`;
  });
  return out;
}
