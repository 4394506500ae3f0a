/**
 * The one schema for an environment's config, composed from one part per
 * concern. Types are inferred from it, it is checked once, at the boundary,
 * and every problem is reported at once with the full `upkeep:` key path.
 */
import { z } from "zod";
import { alertingSchema } from "./alerting";
import { awsModeProblems, awsSchema } from "./aws";
import { backupsSchema } from "./backups";
import { accessKeysSchema, certificatesSchema, credentialSchema } from "./certificates";
import { DATABASE_TASK_DEFAULTS, databaseSchema, resolveDatabase } from "./databases";
import { endpointSchema } from "./endpoints";
import { environmentSchema } from "./environment";
import { formatPath } from "./errors";
import { checkTierGuardrails } from "./guardrails";
import { jobSchema } from "./jobs";
import { kubernetesSchema } from "./kubernetes";
import { maintenanceLogSchema } from "./maintenanceLog";
import { notifySchema } from "./notify";
import { reviewsSchema } from "./reviews";
import { TIER_DEFAULTS } from "./tiers";

/** Names of the tasks upkeep adds when endpoints are configured. */
const RESERVED_TASK_NAMES = ["post-maintenance-verify", "tls-check"];

export const upkeepSchema = z
  .strictObject({
    environment: environmentSchema,
    aws: awsSchema,
    kubernetes: kubernetesSchema,
    kubeconfig: z.string().min(1, { error: "must not be empty" }).optional(),
    notify: notifySchema,
    alerting: alertingSchema,
    maintenanceLog: maintenanceLogSchema,
    reviews: reviewsSchema,
    endpoints: z.array(endpointSchema).max(50).default([]),
    certificates: certificatesSchema,
    credentials: z.array(credentialSchema).default([]),
    accessKeys: accessKeysSchema,
    backups: backupsSchema,
    databases: z.array(databaseSchema).default([]),
    jobs: z.array(jobSchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, string>();
    const claim = (id: string, path: (string | number)[], label: string) => {
      const first = seen.get(id);
      if (first) ctx.addIssue({ code: "custom", path, message: `${label} "${id}" is already used by ${first}` });
      else seen.set(id, formatPath(path));
    };
    cfg.databases.forEach((db, i) => {
      claim(db.name, ["databases", i, "name"], "name");
      const tables = new Set<string>();
      db.cleanup?.tables.forEach((t, j) => {
        if (tables.has(t.table)) {
          ctx.addIssue({ code: "custom", path: ["databases", i, "cleanup", "tables", j, "table"], message: `lists ${t.table} twice` });
        }
        tables.add(t.table);
      });
    });
    // Lookups by name keep validation linear in the number of jobs and databases.
    const databaseNames = new Set(cfg.databases.map((db) => db.name));
    const databaseTaskIds = new Map<string, { owner: number; task: string }>();
    cfg.databases.forEach((db, owner) => {
      for (const task of Object.keys(DATABASE_TASK_DEFAULTS)) if (!databaseTaskIds.has(`${db.name}-${task}`)) databaseTaskIds.set(`${db.name}-${task}`, { owner, task });
    });
    for (const p of awsModeProblems(cfg)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
    cfg.backups.dumps.forEach((dump, i) => {
      if (dump.kmsKeyArn !== undefined && dump.roleArn !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["backups", "dumps", i, "kmsKeyArn"],
          message: "applies to the reader role upkeep creates; with roleArn, grant kms:Decrypt on the key to that role yourself",
        });
      }
      if (cfg.aws.enabled && dump.roleArn === undefined && cfg.kubernetes.oidcProviderArn === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["backups", "dumps", i, "roleArn"],
          message: "is required unless upkeep:kubernetes.oidcProviderArn is set, from which upkeep creates a role that may read only this prefix",
        });
      }
      if (!databaseNames.has(dump.database)) {
        ctx.addIssue({
          code: "custom",
          path: ["backups", "dumps", i, "database"],
          message: `names no database in upkeep:databases (got ${JSON.stringify(dump.database)}; known: ${cfg.databases.map((d) => d.name).join(", ") || "none"})`,
        });
      }
    });
    // On Kubernetes only, awsModeProblems refuses maintenanceLog itself.
    if (cfg.maintenanceLog && cfg.aws.enabled) {
      // The report is built by post-maintenance-verify, from what the tasks pushed.
      if (cfg.alerting.pushgateway === "off") {
        ctx.addIssue({ code: "custom", path: ["maintenanceLog", "location"], message: 'needs a Pushgateway: the report is built from what the tasks pushed (upkeep:alerting.pushgateway is "off")' });
      }
      if (cfg.endpoints.length === 0) {
        ctx.addIssue({ code: "custom", path: ["maintenanceLog", "location"], message: "needs upkeep:endpoints: the report is written by post-maintenance-verify, which runs only when there are endpoints to verify" });
      }
      if (cfg.maintenanceLog.roleArn === undefined && cfg.kubernetes.oidcProviderArn === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["maintenanceLog", "roleArn"],
          message: "is required unless upkeep:kubernetes.oidcProviderArn is set, from which upkeep creates a role that may write only under this prefix",
        });
      }
    }
    if (cfg.alerting.alertmanager && cfg.notify.emails.length > 0 && cfg.alerting.smtp === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["alerting", "smtp"],
        message:
          "is required when upkeep:alerting.alertmanager routes alerts to upkeep:notify.emails: an email receiver without smarthost and from " +
          "makes prometheus-operator (0.79+) refuse the whole Alertmanager configuration when it has no global SMTP settings, silencing every route on it; " +
          "set smarthost and from (and authUsername with authSecret for a login)",
      });
    }
    if (cfg.alerting.muteDuringWindow.length > 0 && !cfg.alerting.alertmanager) {
      ctx.addIssue({
        code: "custom",
        path: ["alerting", "muteDuringWindow"],
        message: "needs upkeep:alerting.alertmanager: true: the mute lives in upkeep's AlertmanagerConfig",
      });
    }
    checkTierGuardrails(cfg, ctx);
    cfg.jobs.forEach((job, i) => {
      const clash = databaseTaskIds.get(job.name);
      if (clash) {
        ctx.addIssue({ code: "custom", path: ["jobs", i, "name"], message: `"${job.name}" clashes with the ${clash.task} task of upkeep:databases[${clash.owner}]` });
      }
      if (RESERVED_TASK_NAMES.includes(job.name)) {
        ctx.addIssue({ code: "custom", path: ["jobs", i, "name"], message: `"${job.name}" is reserved for a check upkeep runs itself` });
      }
      claim(job.name, ["jobs", i, "name"], "name");
    });
  })
  // Tier defaults that belong to one entry are filled in here, once, so no consumer works them out again.
  .transform((cfg) => ({ ...cfg, databases: cfg.databases.map((db) => resolveDatabase(db, TIER_DEFAULTS[cfg.environment.tier].databaseSslMode)) }));

/** The validated config; `awsRegion` is Pulumi's `aws:region`, which the explicit AWS provider needs. */
export type UpkeepConfig = z.output<typeof upkeepSchema> & { readonly awsRegion?: string };
export type EnvironmentConfig = UpkeepConfig["environment"];
export type WindowConfig = EnvironmentConfig["window"];
export type DatabaseConfig = UpkeepConfig["databases"][number];
export type JobConfig = UpkeepConfig["jobs"][number];
export type CleanupTableConfig = NonNullable<DatabaseConfig["cleanup"]>["tables"][number];
