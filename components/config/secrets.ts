/** Which config values are secrets, and what the offline plan shows instead of them. */
/**
 * The offline plan cannot decrypt `secure:` values and passes this instead;
 * secret fields accept it so that a plan of a real stack file still runs.
 */
export const REDACTED = "[secret]";

/** Config keys whose values must be Pulumi secrets. */
export const SECRET_KEYS = ["kubeconfig"] as const;

/** How to set the alert webhook, the one secret every stack is told about: in errors, the onboarding template and the first-deploy steps. */
export const WEBHOOK_COMMAND = "pulumi config set --secret --path 'upkeep:notify.webhookUrl' https://…";

/**
 * Values inside a key that must each be a Pulumi secret (`*` is any list
 * index). Pulumi marks the whole key secret once any part of it is, and
 * hands the program every part decrypted, so only a reader of the stack file
 * itself can tell a plain-text leaf beside a secret one.
 */
export const SECRET_LEAVES: ReadonlyArray<{ readonly key: string; readonly path: readonly string[] }> = [
  { key: "notify", path: ["webhookUrl"] },
  { key: "databases", path: ["*", "credentials", "password"] },
];

/**
 * Each leaf of `leaf` present in `value` (the whole key's value), with its
 * path from the key: every index of a `*`, only through objects and lists as
 * the path names them. One walk for the program's check and the stack file's.
 */
export function secretLeafValues(value: unknown, leaf: (typeof SECRET_LEAVES)[number]): { readonly path: (string | number)[]; readonly value: unknown }[] {
  const out: { path: (string | number)[]; value: unknown }[] = [];
  const walk = (node: unknown, rest: readonly string[], at: (string | number)[]) => {
    if (rest.length === 0) {
      if (node !== undefined) out.push({ path: at, value: node });
      return;
    }
    const [head, ...tail] = rest;
    if (head === "*" && Array.isArray(node)) node.forEach((item, i) => walk(item, tail, [...at, i]));
    else if (head !== "*" && typeof node === "object" && node !== null && !Array.isArray(node)) walk((node as Record<string, unknown>)[head!], tail, [...at, head!]);
  };
  walk(value, leaf.path, [leaf.key]);
  return out;
}
