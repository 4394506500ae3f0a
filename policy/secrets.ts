/**
 * Rule d: no secret in plain text in any input. Every string is checked for
 * credentials that give themselves away (a URL with a password, a Slack or
 * Teams webhook, an AWS access key, a private key, a GitHub or Slack token);
 * keys named like secrets, and Kubernetes env vars named like them, must not
 * hold a plain value. Messages name the resource and the path, never the value.
 *
 * A Pulumi secret is fine. The plan shows one as REDACTED_SECRET; the policy
 * engine hands secrets to policies decrypted and unmarked
 * (pulumi/pulumi-policy#241), so there a field counts as secret only when the
 * resource lists it in `additionalSecretOutputs`, is a Kubernetes Secret's
 * data, which the provider always stores encrypted, or is the Kubernetes
 * provider's kubeconfig, which upkeep's config accepts only as a secret.
 */
import { isRecord, readKnown, REDACTED_SECRET, resourceLabel, TYPES, UNKNOWN, type CheckedResource } from "./resource";

const VALUE_PATTERNS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: "a URL with embedded credentials", pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i },
  { what: "a Slack webhook URL", pattern: /hooks\.slack\.com\/(services|workflows|triggers)\//i },
  { what: "a Microsoft Teams webhook URL", pattern: /\.webhook\.office\.com\/|outlook\.office(365)?\.com\/webhook/i },
  { what: "an AWS access key", pattern: /\bAKIA[0-9A-Z]{16}\b/ },
  { what: "a private key", pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/ },
  { what: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}/ },
  { what: "a Slack token", pattern: /\bxox[a-z]-[A-Za-z0-9-]{10,}/ },
];

/** Field names that hold a secret: `password`, `clientSecret`, `api_token`, `webhookUrl`, … */
const SECRET_WORDS = ["password", "passwd", "secret", "token", "webhookUrl", "kubeconfig"];
function namedLikeSecret(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_WORDS.some((word) => {
    const w = word.toLowerCase();
    const camel = word[0]!.toUpperCase() + word.slice(1);
    return lower === w || lower.endsWith(`_${w}`) || lower.endsWith(`-${w}`) || key.endsWith(camel);
  });
}

/** Env var names that hold a secret: PGPASSWORD, API_TOKEN, SLACK_WEBHOOK, … */
const SECRET_ENV_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|WEBHOOK|CREDENTIAL/i;

const pathOf = (parent: string, key: string | number) =>
  typeof key === "number" ? `${parent}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}["${key}"]`;

export function checkPlainTextSecrets(resource: CheckedResource): string[] {
  const declared = new Set(resource.opts?.additionalSecretOutputs ?? []);
  if (resource.type === TYPES.kubernetesSecret) declared.add("data").add("stringData");
  // upkeep's config refuses a kubeconfig that is not a Pulumi secret, and a provider cannot declare secret outputs.
  if (resource.type === "pulumi:providers:kubernetes") declared.add("kubeconfig");
  const findings: string[] = [];

  const visit = (value: unknown, path: string, key: string | number | undefined): void => {
    if (value === UNKNOWN || value === REDACTED_SECRET) return;
    if (typeof value === "string") {
      const hit = VALUE_PATTERNS.find((p) => p.pattern.test(value));
      if (hit) findings.push(`${path} holds ${hit.what} in plain text; pass it as a Pulumi secret`);
      else if (typeof key === "string" && value !== "" && namedLikeSecret(key)) {
        findings.push(`${path} is named like a secret but holds plain text; pass it as a Pulumi secret`);
      }
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(readKnown(value, i), pathOf(path, i), i);
      return;
    }
    if (!isRecord(value)) return;
    // A Kubernetes env var: { name, value } with a secret's name must use valueFrom.secretKeyRef.
    const envName = readKnown(value, "name");
    const envValue = readKnown(value, "value");
    if (typeof envName === "string" && SECRET_ENV_NAME.test(envName) && typeof envValue === "string" && envValue !== "" && envValue !== REDACTED_SECRET) {
      findings.push(`${pathOf(path, "value")} (env ${envName}) holds plain text; take it from a Secret with valueFrom.secretKeyRef`);
      return;
    }
    for (const k of Object.keys(value)) {
      if (path === "" && declared.has(k)) continue;
      visit(readKnown(value, k), pathOf(path, k), k);
    }
  };
  visit(resource.props, "", undefined);
  return findings.map((f) => `${resourceLabel(resource)}: ${f}`);
}
