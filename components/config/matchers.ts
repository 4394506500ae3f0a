/**
 * Alertmanager matchers as users write them in Alertmanager's own config,
 * e.g. `alertname=~"Postgres.*Latency", service="orders-db"`: one string per
 * matcher set, every matcher of a set must hold. Parsed here into the
 * `{ name, value, matchType }` objects an AlertmanagerConfig takes.
 */
import { z } from "zod";

export type MatchType = "=" | "!=" | "=~" | "!~";

export interface AlertMatcher {
  readonly name: string;
  readonly value: string;
  readonly matchType: MatchType;
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"{}=!~]+))\s*(,|$)/;

function unescape(quoted: string): string {
  return quoted.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** The matchers of one set, or why the text is not one. */
export function parseMatcherSet(text: string): AlertMatcher[] | string {
  let rest = text.trim();
  if (rest.startsWith("{") && rest.endsWith("}")) rest = rest.slice(1, -1).trim();
  if (rest === "") return "must hold at least one matcher, such as alertname=\"PostgresHighLatency\"";
  const out: AlertMatcher[] = [];
  while (rest !== "") {
    const m = MATCHER.exec(rest);
    if (!m) return `must be matchers such as alertname=~"Postgres.*", service="orders-db" (could not read ${JSON.stringify(rest)})`;
    const [whole, name, op, quoted, bare, comma] = m;
    const value = quoted !== undefined ? unescape(quoted) : bare!;
    if (op === "=~" || op === "!~") {
      try {
        new RegExp(`^(?:${value})$`);
      } catch {
        return `has an invalid regular expression in ${name}${op}${JSON.stringify(value)}`;
      }
    }
    out.push({ name: name!, value, matchType: op as MatchType });
    rest = rest.slice(whole.length).trim();
    if (comma === "," && rest === "") return "must not end with a comma";
  }
  return out;
}

/** Every upkeep alert is named `Upkeep…`; those are never muted. */
export const UPKEEP_ALERT_PREFIX = "Upkeep";

export const matcherSet = z.string().transform((text, ctx) => {
  const parsed = parseMatcherSet(text);
  if (typeof parsed === "string") {
    ctx.addIssue({ code: "custom", message: `${parsed} (got ${JSON.stringify(text)})` });
    return z.NEVER;
  }
  const own = parsed.find((m) => m.name === "alertname" && m.matchType === "=" && m.value.startsWith(UPKEEP_ALERT_PREFIX));
  if (own) {
    ctx.addIssue({ code: "custom", message: `names upkeep's own alert ${own.value}, which is never muted: it is how you learn that a task failed in the window` });
    return z.NEVER;
  }
  return parsed;
});
