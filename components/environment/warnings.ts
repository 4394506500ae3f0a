/**
 * What a plan should tell its reviewer although nothing is invalid: the
 * plan summary prints these, and the stack exports them (`warnings`).
 */
import type { UpkeepConfig } from "../config";
import { publishesReport, reportDelivery } from "../jobs";

export function planWarnings(config: UpkeepConfig): string[] {
  const out: string[] = [];
  const { notify } = config;
  const env = config.environment.name;
  if (config.aws.enabled && notify.stakeholderEmails.length === 0 && notify.webhookUrl === undefined) {
    out.push(
      `upkeep:notify: the info topic upkeep-${env}-info has no subscriber (no stakeholderEmails, no webhookUrl): stakeholder notices sent there reach nobody`,
    );
  }
  // The stack builds a window report, but with AWS has no role to publish it to the info topic.
  if (config.aws.enabled && reportDelivery(config) !== undefined && !publishesReport(config)) {
    out.push(
      `upkeep:kubernetes.oidcProviderArn: the window report is not published to the info topic upkeep-${env}-info, so stakeholders get no completion notice there: ` +
        `post-maintenance-verify has no IAM role to publish with; set kubernetes.oidcProviderArn (upkeep then creates one that may only publish it) or maintenanceLog.roleArn. ` +
        (notify.webhookUrl !== undefined ? "The report still goes to notify.webhookUrl" : "Without notify.webhookUrl the report reaches nobody"),
    );
  }
  if (notify.kmsKeyArn !== undefined) {
    out.push(
      `upkeep:notify.kmsKeyArn: the key's policy must let CloudWatch, EventBridge and the scheduler role use it, or every alarm, event and reminder is lost: add the statements of the stack output topicKeyPolicyStatements (kms-key-policy.json in the plan)`,
    );
  }
  if (!config.aws.enabled && notify.webhookUrl === undefined) {
    out.push(
      `upkeep:notify.alertmanagerUrl: reminders, stakeholder notices and the completion report fire as info alerts in Alertmanager; they reach people only through its routes for severity=info${config.alerting.alertmanager && notify.emails.length > 0 ? " (the digest also goes to notify.emails)" : ""}`,
    );
  }
  return out;
}
