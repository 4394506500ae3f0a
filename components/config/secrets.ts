/** Which config values are secrets, and what the offline plan shows instead of them. */
/**
 * The offline plan cannot decrypt `secure:` values and passes this instead;
 * secret fields accept it so that a plan of a real stack file still runs.
 */
export const REDACTED = "[secret]";

/** Config keys whose values must be Pulumi secrets. */
export const SECRET_KEYS = ["kubeconfig"] as const;

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
