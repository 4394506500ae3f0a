/**
 * The front door of config: the one composed schema, the types inferred from
 * it, the boundary that validates stack config once, and the tier defaults.
 * Each concern's part of the schema lives in its own file beside this one.
 */
export { DEFAULT_PUSHGATEWAY, DEFAULT_RUNBOOK_BASE, PUSHGATEWAY_MODES } from "./alerting";
export { AWS_DEFAULTS, type AwsConfig } from "./aws";
export { ACCESS_KEYS_DEFAULT_MAX_AGE_DAYS, CERT_MANAGER_DEFAULT_DURATION, CERT_MANAGER_MINIMUM, goDurationSeconds } from "./certificates";
export { DATABASE_TASK_DEFAULTS } from "./databases";
export { ENDPOINT_DEFAULTS } from "./endpoints";
export { ConfigError, formatPath, type ConfigProblem } from "./errors";
export { DEFAULT_KUBERNETES_VERSION, DEFAULT_POSTGRES_IMAGE, FORMER_DEFAULT_NAMESPACE, namespaceFor } from "./kubernetes";
export { parseMatcherSet, UPKEEP_ALERT_PREFIX, type AlertMatcher, type MatchType } from "./matchers";
export { loadConfig, parsePulumiConfig } from "./load";
export { parseConfig } from "./parse";
export { REVIEW_HOURS } from "./reviews";
export { ROUTINE, ROUTINE_IDS, type Automation, type RoutineTask } from "./routineCatalog";
export {
  upkeepSchema,
  type CleanupTableConfig,
  type DatabaseConfig,
  type EnvironmentConfig,
  type JobConfig,
  type UpkeepConfig,
  type WindowConfig,
} from "./schema";
export { REDACTED, SECRET_KEYS, SECRET_LEAVES, secretLeafValues, WEBHOOK_COMMAND } from "./secrets";
export { POD_DEFAULTS, SCHEDULE_DEFAULTS, TIER_DEFAULTS, type Severity, type TierDefaults } from "./tiers";
export { cronProblem, TIERS, type Tier } from "./validators";
