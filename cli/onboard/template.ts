/**
 * The stack file `npm run onboard` writes. Only what the flags decided is live
 * YAML; everything else is a comment showing the default upkeep applies when
 * the key is absent, so the user sees what they may change without having to
 * read the schema, and the file stays valid until they uncomment something.
 */
import { DEFAULT_POSTGRES_IMAGE, DEFAULT_RUNBOOK_BASE, type UpkeepConfig, TIER_DEFAULTS, WEBHOOK_COMMAND } from "../../components/config";

/** The notify section: live when --emails gave on-call addresses, else a commented example. */
function notifyBlock(config: UpkeepConfig): string {
  const emails = config.notify.emails;
  const rest = `  #   stakeholderEmails: [team@example.com]   # window notices and completion notices
  #   noticeHours: 24                         # notice this long before each window
  #   # webhookUrl is secret only: ${WEBHOOK_COMMAND}`;
  if (emails.length === 0) return `  # upkeep:notify:
  #   emails: [oncall@example.com]            # critical and warning alerts
${rest}`;
  return `  upkeep:notify:
    emails: [${emails.join(", ")}]  # critical and warning alerts
${rest.replace(/^ {2}# {3}/gm, "    # ")}`;
}

/** The alerting section: live when --runbook-base-url set it (staging and production need it). */
function alertingBlock(config: UpkeepConfig): string {
  const base = config.alerting.runbookBaseUrl;
  if (base === DEFAULT_RUNBOOK_BASE) {
    return `  # upkeep:alerting:
  #   runbookBaseUrl: ${DEFAULT_RUNBOOK_BASE}
  #   alertmanager: false                     # true: an AlertmanagerConfig routes upkeep's alerts
  #   pushgateway: deploy                     # where tasks push their outcome: deploy, off or http(s)://…`;
  }
  return `  upkeep:alerting:
    runbookBaseUrl: ${base}
    # alertmanager: false                   # true: an AlertmanagerConfig routes upkeep's alerts
    # pushgateway: deploy                   # where tasks push their outcome: deploy, off or http(s)://…`;
}

/** The stated reason a production stack has no AWS Backup yet (--no-aws-backup). */
function backupsBlock(config: UpkeepConfig): string {
  const why = config.backups.awsOptOut;
  if (why === undefined) return "";
  return `  upkeep:backups:
    aws:
      none: ${JSON.stringify(why)}  # replace with a vault and restore testing (README, "Config reference")
`;
}

/** Values here were validated by the schema (names, zones, HH:MM), so they need no YAML quoting beyond start's. */
export function renderStackFile(config: UpkeepConfig): string {
  const { environment: env, kubernetes } = config;
  const tier = TIER_DEFAULTS[env.tier];
  const yesNo = (b: boolean) => (b ? "yes" : "no");
  return `# ${env.name}: stack file of the upkeep environment ${env.name} (tier ${env.tier}),
# written by \`npm run onboard\`. Pulumi reads it for the stack ${env.name}
# (Pulumi.yaml: stackConfigDir: stacks); \`npm run plan -- --stack ${env.name}\` shows
# offline what it deploys. Keys are explained in README.md, "Config reference".
#
# Commented keys show the default upkeep uses while they are absent, and
# examples: uncomment and change what you need, then plan again.
# Secrets never go here in plain text; set them with \`pulumi config set --secret\`.
config:
  aws:region: ${config.awsRegion}
  upkeep:environment:
    name: ${env.name}
    tier: ${env.tier}
    timezone: ${env.timezone}
    paused: false  # true: change freeze, every CronJob is suspended
    window:
      days: [${env.window.days.join(", ")}]  # weekly, monthly and quarterly tasks run on these days
      start: "${env.window.start}"  # local time in ${env.timezone}
      durationMinutes: ${env.window.durationMinutes}
  upkeep:kubernetes:
    namespace: ${kubernetes.namespace}
    # postgresImage: ${DEFAULT_POSTGRES_IMAGE}
${notifyBlock(config)}
${alertingBlock(config)}
  # upkeep:maintenanceLog:
  #   location: s3://bucket/upkeep/${env.name}/     # each window's report: the maintenance history
  #   roleArn: arn:aws:iam::123456789012:role/upkeep-${env.name}-log   # else created from kubernetes.oidcProviderArn
${backupsBlock(config)}  # upkeep:reviews:
  #   at: "09:30"                             # local time of routine reminders
  # upkeep:endpoints:                         # checked after every window
  #   - url: https://api.${env.name}.example.com/healthz
  #     expectStatus: 200
  #     maxLatencyMs: 2000
  # upkeep:databases:
  #   - name: orders
  #     host: orders-db.${env.name}.internal.example.com
  #     database: orders
  #     credentialsSecret: orders-db-maintenance   # existing Secret with PGUSER and PGPASSWORD, or credentials: { user } (README)
  #     vacuum: daily                              # default: daily, 30 min
  #     reindex: monthly                           # default: monthly, 60 min
  #     cleanup:
  #       cadence: weekly
  #       tables:
  #         - { table: public.audit_log, timestampColumn: created_at, retentionDays: 30 }
  # upkeep:jobs:
  #   - name: image-scan
  #     cadence: weekly
  #     durationMinutes: 20
  #     image: ghcr.io/aquasecurity/trivy:0.58.1   # pinned by tag or digest, never latest
  #     args: ["image", "--exit-code", "1", "registry.example.com/api:${env.name}"]
#
# The tier ${env.tier} sets (README.md, "Tier defaults"); change the tier to change them:
#   successfulJobsHistoryLimit: ${tier.successfulJobsHistoryLimit}
#   failedJobsHistoryLimit: ${tier.failedJobsHistoryLimit}
#   Job backoffLimit: ${tier.backoffLimit}
#   alert severity: ${tier.alertSeverity}
#   namespace protect: ${yesNo(tier.protect)}
`;
}
