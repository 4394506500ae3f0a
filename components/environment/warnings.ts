/**
 * What a plan should tell its reviewer although nothing is invalid: the
 * plan summary prints these, and the stack exports them (`warnings`).
 */
import type { UpkeepConfig } from "../config";

export function planWarnings(config: UpkeepConfig): string[] {
  const out: string[] = [];
  const { notify } = config;
  const env = config.environment.name;
  if (config.aws.enabled && notify.stakeholderEmails.length === 0 && notify.webhookUrl === undefined) {
    out.push(
      `upkeep:notify: the info topic upkeep-${env}-info has no subscriber (no stakeholderEmails, no webhookUrl): stakeholder notices sent there reach nobody`,
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
