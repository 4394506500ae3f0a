/** Which config values are secrets, and what the offline plan shows instead of them. */
/**
 * The offline plan cannot decrypt `secure:` values and passes this instead;
 * secret fields accept it so that a plan of a real stack file still runs.
 */
export const REDACTED = "[secret]";

/** Config keys whose values must be Pulumi secrets. */
export const SECRET_KEYS = ["kubeconfig"] as const;
