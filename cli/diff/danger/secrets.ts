/**
 * Secrets in plain text in the head plan. The plan writes real secrets as
 * "[secret]", so any value that still looks like one was given as plain text
 * somewhere. Findings name the resource and the field, never the value: this
 * Markdown ends up in a pull-request comment.
 */
import type { RecordedResource } from "../../mockRuntime";
import { formatPath, type Segment } from "../paths";
import { label } from "./resources";

const SECRET_PLACEHOLDER = "[secret]";

const VALUE_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, "a URL with credentials"],
  [/hooks\.slack\.com\/services\//, "a Slack webhook URL"],
  [/\bxox[baprs]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/\b(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{20,}/, "a GitHub token"],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/, "a GitHub token"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key ID"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
];

/**
 * Keys whose value is a secret by name. Compared on the last word only, so
 * `secretName` or `secretKeyRef` (which point at a Secret) are not secrets.
 */
const SECRET_NAME = /(password|passwd|secret|token|webhookurl|apikey|privatekey|accesskey)$/;
const looksLikeSecretName = (key: string) => SECRET_NAME.test(key.toLowerCase().replace(/[^a-z]/g, ""));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

interface Hit {
  readonly path: readonly Segment[];
  readonly why: string;
}

function scan(value: unknown, path: Segment[], hits: Hit[]): void {
  if (typeof value === "string") {
    if (value === SECRET_PLACEHOLDER || value === "") return;
    const byValue = VALUE_PATTERNS.find(([re]) => re.test(value));
    const key = path[path.length - 1];
    if (byValue) hits.push({ path, why: byValue[1] });
    else if (typeof key === "string" && looksLikeSecretName(key)) hits.push({ path, why: `a value under a key named ${key}` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => scan(item, [...path, i], hits));
    return;
  }
  if (!isRecord(value)) return;
  // Environment variables are `{ name, value }`: the name says what the value is.
  if (typeof value.name === "string" && typeof value.value === "string" && looksLikeSecretName(value.name) && value.value !== SECRET_PLACEHOLDER && value.value !== "") {
    if (!VALUE_PATTERNS.some(([re]) => re.test(value.value as string))) hits.push({ path: [...path, "value"], why: `the value of ${value.name}` });
  }
  for (const key of Object.keys(value).sort()) scan(value[key], [...path, key], hits);
}

export function secretDangers(head: readonly RecordedResource[]): string[] {
  const lines: string[] = [];
  for (const r of head) {
    const hits: Hit[] = [];
    scan(r.inputs, [], hits);
    for (const h of hits) lines.push(`Plain-text secret in ${label(r)} at \`${formatPath(h.path)}\` (${h.why})`);
  }
  return lines;
}
