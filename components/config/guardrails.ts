/**
 * What a tier demands beyond well-formed keys: a production stack must be
 * able to reach someone, keep backups (or say why not), and link runbooks
 * that open from a page. Checked once the whole config has parsed, because
 * each rule reads more than one section. zod runs this even when another
 * part of the config failed, and a failed section is then still raw input
 * (an opt-out not yet moved to `awsOptOut`), so each rule checks its shape.
 */
import type { z } from "zod";
import type { BackupsConfig } from "./backups";
import { WEBHOOK_COMMAND } from "./secrets";
import type { Tier } from "./validators";

/** The parts of the parsed config the guardrails read. */
export interface GuardedConfig {
  readonly environment: { readonly tier: Tier };
  readonly notify: { readonly emails: readonly string[]; readonly webhookUrl?: string };
  readonly alerting: { readonly runbookBaseUrl: string };
  readonly backups: BackupsConfig;
}

type Context = z.core.$RefinementCtx<unknown>;

export function checkTierGuardrails(cfg: GuardedConfig, ctx: Context): void {
  const { tier } = cfg.environment;
  if (tier === "production" && cfg.notify.emails.length === 0 && cfg.notify.webhookUrl === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["notify"],
      message:
        "production needs somewhere for an alert to go: on-call addresses in upkeep:notify.emails, or the secret webhook " +
        `(${WEBHOOK_COMMAND}); with upkeep:alerting.alertmanager: true they are also the receivers of its Alertmanager route`,
    });
  }
  const aws: unknown = cfg.backups.aws;
  const isVault = typeof aws === "object" && aws !== null && !("none" in aws);
  if (tier === "production" && isVault && !cfg.backups.aws?.restoreTesting) {
    ctx.addIssue({
      code: "custom",
      path: ["backups", "aws", "restoreTesting"],
      message: "is required in production: a backup counts only once a restore has proved it, at least quarterly",
    });
  }
  if (tier === "production" && cfg.backups.aws === undefined && cfg.backups.awsOptOut === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["backups", "aws"],
      message: 'is required in production: an AWS Backup vault with restore testing, or { none: "<why this stack has none>" }',
    });
  }
  const runbookBase: unknown = cfg.alerting.runbookBaseUrl;
  if (tier !== "development" && typeof runbookBase === "string" && !/^https:\/\/[^\s/]+/.test(runbookBase)) {
    ctx.addIssue({
      code: "custom",
      path: ["alerting", "runbookBaseUrl"],
      message:
        `must be an absolute https:// URL in a ${tier} stack, such as https://github.com/<org>/<repo>/blob/main/docs/runbooks, ` +
        `so that an alert's runbook_url opens from a page (got ${JSON.stringify(cfg.alerting.runbookBaseUrl)})`,
    });
  }
}
