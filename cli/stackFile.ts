/**
 * Reads a committed stack file the way the Pulumi CLI would hand it to the
 * program, except that `secure:` values, which only the CLI can decrypt,
 * become a redacted placeholder that is still marked secret.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { REDACTED } from "../components/config";

export const SECRET_PLACEHOLDER = REDACTED;

export interface StackConfig {
  /** Every config key, with values as Pulumi passes them (strings; objects as JSON). */
  readonly all: Readonly<Record<string, string>>;
  /** Keys whose value is, or contains, a secret. */
  readonly secretKeys: readonly string[];
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function redact(value: unknown): { value: unknown; secret: boolean } {
  if (isSecure(value)) return { value: SECRET_PLACEHOLDER, secret: true };
  if (Array.isArray(value)) {
    const items = value.map(redact);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (typeof value === "object" && value !== null) {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = redact(v);
      out[k] = r.value;
      secret ||= r.secret;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}

export function parseStackYaml(text: string, source: string): StackConfig {
  const doc: unknown = parse(text);
  if (doc === null || doc === undefined) return { all: {}, secretKeys: [] };
  if (typeof doc !== "object" || Array.isArray(doc)) throw new Error(`${source}: must be a YAML mapping with a config: key`);
  const config = (doc as Record<string, unknown>).config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new Error(`${source}: config: must be a mapping`);
  const all: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, raw] of Object.entries(config)) {
    const { value, secret } = redact(raw);
    all[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) secretKeys.push(key);
  }
  return { all, secretKeys };
}

export function readStackFile(path: string): StackConfig {
  return parseStackYaml(readFileSync(path, "utf8"), path);
}
