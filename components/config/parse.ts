/** The boundary: raw stack config in, one frozen, validated UpkeepConfig out, or every problem at once. */
import { ConfigError, formatIssues, formatPath, type ConfigProblem } from "./errors";
import { upkeepSchema, type UpkeepConfig } from "./schema";
import { SECRET_KEYS } from "./secrets";

/**
 * Validates raw config (key without the `upkeep:` prefix → parsed JSON value).
 * `secretKeys` are the keys Pulumi holds as secrets.
 */
export function parseConfig(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
  awsRegion?: string,
): UpkeepConfig {
  const problems: ConfigProblem[] = [];
  if (awsRegion !== undefined && !/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/.test(awsRegion)) {
    problems.push({ path: "aws:region", reason: `must be an AWS region such as eu-central-1 (got ${JSON.stringify(awsRegion)})` });
  }
  for (const key of SECRET_KEYS) {
    if (raw[key] !== undefined && !secretKeys.has(key)) {
      problems.push({
        path: formatPath([key]),
        reason: `must be a secret; set it with: pulumi config set --secret upkeep:${key} …`,
      });
    }
  }
  const notify = raw.notify;
  if (notify && typeof notify === "object" && "webhookUrl" in notify && !secretKeys.has("notify")) {
    problems.push({
      path: formatPath(["notify", "webhookUrl"]),
      reason: "must be a secret; set it with: pulumi config set --secret --path 'upkeep:notify.webhookUrl' …",
    });
  }
  const result = upkeepSchema.safeParse(raw, { reportInput: true });
  if (!result.success) problems.push(...formatIssues(result.error.issues, formatPath));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze({ ...result.data, ...(awsRegion !== undefined ? { awsRegion } : {}) });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
