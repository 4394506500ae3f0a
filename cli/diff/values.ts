/**
 * A changed field as a reviewer wants it: its path and the value before and
 * after, so a schedule, a deadline, an image tag or a retention reads as
 * `30 4 * * 6 → 55 1 * * 6`, not only as a path. Long values (a rule
 * expression, a notice's text) are cut to the part that changed, with a few
 * characters of context either side.
 */

/** Values longer than this, before and after together, are cut to what changed. */
const MAX_PAIR = 80;
/** Characters kept either side of the change. */
const CONTEXT = 12;
/** The most characters shown of one side's changed part. */
const MAX_PART = 40;

export function showValue(value: unknown): string {
  if (value === undefined) return "absent";
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function commonSuffix(a: string, b: string, prefix: number): number {
  let i = 0;
  while (i < a.length - prefix && i < b.length - prefix && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

/** Before and after as text, each cut around what differs when the pair is long. */
export function valuePair(before: unknown, after: unknown): [string, string] {
  const a = showValue(before);
  const b = showValue(after);
  if (a.length + b.length <= MAX_PAIR) return [a, b];
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a, b, prefix);
  const cut = (s: string) => {
    const from = Math.max(0, prefix - CONTEXT);
    const to = Math.min(s.length, s.length - suffix + CONTEXT);
    let part = s.slice(from, to);
    if (part.length > MAX_PART) part = `${part.slice(0, MAX_PART - 1)}…`;
    return `${from > 0 ? "…" : ""}${part}${to < s.length && !part.endsWith("…") ? "…" : ""}`;
  };
  return [cut(a), cut(b)];
}

/** A value as Markdown code, so a cron's asterisks stay asterisks. */
export const code = (text: string) => (text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``);
