/**
 * Reads a committed stack file the way the Pulumi CLI would hand it to the
 * program, except that `secure:` values, which only the CLI can decrypt,
 * become a redacted placeholder that is still marked secret.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, formatPath, parsePulumiConfig, REDACTED, SECRET_LEAVES, secretLeafValues, type UpkeepConfig } from "../components/config";

/**
 * A stack file that is not YAML, or not a stack file: one line per problem,
 * `<file>:<line>:<column>: …` where the parser knows where, as a config
 * error it is (every command exits 2 on it).
 */
export class StackFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "StackFileError";
  }
}

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
  const parsed = parseDocument(text);
  if (parsed.errors.length > 0) {
    throw new StackFileError(
      parsed.errors.map((e) => {
        const at = e.linePos?.[0];
        // The parser's message ends with " at line L, column C:" and a picture of the line; the prefix says where instead.
        const what = e.message.split(/ at line \d+, column \d+:/)[0]!.trim();
        return `${source}${at ? `:${at.line}:${at.col}` : ""}: YAML syntax error: ${what}`;
      }),
    );
  }
  const doc: unknown = parsed.toJS();
  if (doc === null || doc === undefined) return { all: {}, secretKeys: [] };
  if (typeof doc !== "object" || Array.isArray(doc)) throw new StackFileError([`${source}: must be a YAML mapping with a config: key`]);
  const config = (doc as Record<string, unknown>).config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new StackFileError([`${source}: config: must be a mapping`]);
  const all: Record<string, string> = {};
  const secretKeys: string[] = [];
  const plainLeaves: string[] = [];
  for (const [key, raw] of Object.entries(config)) {
    const { value, secret } = redact(raw);
    all[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) {
      secretKeys.push(key);
      plainLeaves.push(...plainSecretLeaves(key, raw));
    }
  }
  if (plainLeaves.length > 0) throw new StackFileError(plainLeaves);
  return { all, secretKeys };
}

/**
 * A value that must be secret but is plain text beside one that is: the
 * program cannot see the difference (Pulumi decrypts the whole key), the
 * stack file can.
 */
function plainSecretLeaves(fullKey: string, raw: unknown): string[] {
  const key = fullKey.replace(/^upkeep:/, "");
  return SECRET_LEAVES.filter((l) => `upkeep:${l.key}` === fullKey)
    .flatMap((leaf) => secretLeafValues(raw, leaf))
    .filter((leaf) => !isSecure(leaf.value))
    .map((leaf) => {
      const path = formatPath(leaf.path);
      return `${path}: must be a secret, as the rest of upkeep:${key} is; set it with: pulumi config set --secret --path '${path}' …`;
    });
}

/** `shown` is how errors name the file (a path relative to the user's directory); else the path itself. */
export function readStackFile(path: string, shown: string = path): StackConfig {
  return parseStackYaml(readFileSync(path, "utf8"), shown);
}

export interface CommittedStack {
  readonly stack: string;
  /** How messages name the file, such as `stacks/Pulumi.dev.yaml`. */
  readonly shown: string;
  readonly config: UpkeepConfig;
}

/**
 * Every stack file in `dir`, in file-name order, validated as `pulumi up`
 * would validate it; one at a time, so the first bad file stops the caller
 * where it stopped before. A config problem names its file: the same key
 * path is in every stack.
 */
export function* committedStacks(dir: string, shownDir: string): Generator<CommittedStack> {
  for (const file of readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).sort()) {
    const stack = file.slice("Pulumi.".length, -".yaml".length);
    const shown = `${shownDir}/${file}`;
    const read = readStackFile(join(dir, file), shown);
    let config: UpkeepConfig;
    try {
      config = parsePulumiConfig(read.all, new Set(read.secretKeys), stack);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(e.problems.map((p) => ({ path: `${shown}: ${p.path}`, reason: p.reason })));
      throw e;
    }
    yield { stack, shown, config };
  }
}
