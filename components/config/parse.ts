/** The boundary: raw stack config in, one frozen, validated UpkeepConfig out, or every problem at once. */
import { ConfigError, formatIssues, formatPath, type ConfigProblem } from "./errors";
import { missingNamespaceReason } from "./kubernetes";
import { upkeepSchema, type UpkeepConfig } from "./schema";
import { SECRET_KEYS, SECRET_LEAVES, secretLeafValues } from "./secrets";

/**
 * Validates raw config (key without the `upkeep:` prefix → parsed JSON value).
 * `secretKeys` are the keys Pulumi holds as secrets. `stack` is the Pulumi
 * stack the config belongs to, when known: `environment.name` must equal it.
 */
export function parseConfig(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
  awsRegion?: string,
  stack?: string,
): UpkeepConfig {
  const problems: ConfigProblem[] = [];
  const environmentName = stringAt(raw.environment, "name");
  if (stack !== undefined && environmentName !== undefined && environmentName !== stack) {
    problems.push({
      path: formatPath(["environment", "name"]),
      reason:
        `must equal the stack's name "${stack}" (got "${environmentName}"): upkeep names the stack's resources after it ` +
        `(upkeep-${environmentName}-critical, its alerts, roles and schedules), so two stacks with one name would own the same resources`,
    });
  }
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
  for (const leaf of SECRET_LEAVES) {
    if (secretKeys.has(leaf.key)) continue;
    for (const { path } of secretLeafValues(raw[leaf.key], leaf)) {
      problems.push({ path: formatPath(path), reason: `must be a secret; set it with: pulumi config set --secret --path '${formatPath(path)}' …` });
    }
  }
  const result = upkeepSchema.safeParse(raw, { reportInput: true });
  if (!result.success) problems.push(...formatIssues(result.error.issues, formatPath).map((p) => explainMissing(p, environmentName)));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze({ ...result.data, ...(awsRegion !== undefined ? { awsRegion } : {}) });
}

function stringAt(parent: unknown, key: string): string | undefined {
  if (typeof parent !== "object" || parent === null) return undefined;
  const value = (parent as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

const NAMESPACE_PATH = formatPath(["kubernetes", "namespace"]);

/** A missing namespace (or kubernetes section) says which namespace to choose, as only the whole config can. */
function explainMissing(problem: ConfigProblem, environmentName: string | undefined): ConfigProblem {
  const isMissing = problem.reason === "is required" && (problem.path === NAMESPACE_PATH || problem.path === formatPath(["kubernetes"]));
  return isMissing ? { path: NAMESPACE_PATH, reason: missingNamespaceReason(environmentName) } : problem;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
