/**
 * Every EventBridge pattern upkeep writes: its exact JSON, and which real
 * events it catches. The events are AWS's documented examples (fixtures/
 * awsEvents.ts says where each comes from and what was changed); the
 * matcher (support/eventPattern.ts) follows EventBridge's documented rules
 * for the subset upkeep uses and throws on anything else.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  backupJobCompletedWithIssuesPattern,
  backupJobFailedPattern,
  copyJobFailedPattern,
  restoreJobFailedPattern,
} from "../components/backups/alerting";
import { acmExpiryEventPattern } from "../components/certificates/acm";
import { rotationFailurePattern } from "../components/certificates/credentials";
import { nonCompliantPattern } from "../components/compliance/configRules";
import * as ev from "./fixtures/awsEvents";
import { matchesPattern } from "./support/eventPattern";

const VAULT = "prod-maintenance";
const VAULT_ARN = `arn:aws:backup:us-west-2:${ev.ACCOUNT}:backup-vault:${VAULT}`;
const PLAN_ARN = `arn:aws:backup:us-west-2:${ev.ACCOUNT}:restore-testing-plan:upkeep_prod_restore_testing-1a2b3c`;
const OTHER_PLAN_ARN = `arn:aws:backup:us-west-2:${ev.ACCOUNT}:restore-testing-plan:team_b_restore_testing-9z8y7x`;
const CERT_ARN = "arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666";
const SECRET_ARN = "arn:aws:secretsmanager:eu-central-1:1112233445566:secret:orders-db-AbCdEf";

describe("the matcher follows EventBridge's rules", () => {
  test("literals by value and type, arrays in the event, missing fields, $or, numeric, anything-but", () => {
    assert.equal(matchesPattern({ a: ["1"] }, { a: 1 }), false);
    assert.equal(matchesPattern({ a: [1] }, { a: 1 }), true);
    assert.equal(matchesPattern({ resources: ["x"] }, { resources: ["w", "x"] }), true);
    assert.equal(matchesPattern({ a: { b: ["x"] } }, { a: {} }), false);
    assert.equal(matchesPattern({ a: [{ exists: false }] }, {}), true);
    assert.equal(matchesPattern({ a: [{ "anything-but": [""] }] }, {}), false, "anything-but needs the field");
    assert.equal(matchesPattern({ a: [{ "anything-but": [""] }] }, { a: "" }), false);
    assert.equal(matchesPattern({ a: [{ "anything-but": [""] }] }, { a: "why" }), true);
    assert.equal(matchesPattern({ n: [{ numeric: ["<=", 21] }] }, { n: 21 }), true);
    assert.equal(matchesPattern({ n: [{ numeric: ["<=", 21] }] }, { n: "21" }), false, "numeric matches numbers only");
    assert.equal(matchesPattern({ $or: [{ a: ["1"] }, { b: ["2"] }] }, { b: "2" }), true);
    assert.equal(matchesPattern({ $or: [{ a: ["1"] }, { b: ["2"] }] }, { c: "2" }), false);
    assert.throws(() => matchesPattern({ a: [{ wildcard: "x*" }] }, { a: "xy" }), /unsupported condition/);
  });
});

describe("AWS Backup", () => {
  const ours = (e: typeof ev.BACKUP_JOB_FAILED | typeof ev.BACKUP_JOB_ABORTED | typeof ev.BACKUP_JOB_EXPIRED | typeof ev.BACKUP_JOB_COMPLETED | typeof ev.BACKUP_JOB_RUNNING) =>
    ev.withDetail(e, { backupVaultName: VAULT, backupVaultArn: VAULT_ARN });

  test("backup jobs: the exact pattern, upkeep's vault only, every failure state", () => {
    const pattern = backupJobFailedPattern(VAULT);
    assert.deepEqual(pattern, {
      source: ["aws.backup"],
      "detail-type": ["Backup Job State Change"],
      detail: { backupVaultName: [VAULT], state: ["FAILED", "ABORTED", "EXPIRED", "PARTIAL"] },
    });
    for (const e of [ev.BACKUP_JOB_FAILED, ev.BACKUP_JOB_ABORTED, ev.BACKUP_JOB_EXPIRED]) {
      assert.equal(matchesPattern(pattern, ours(e)), true, e.detail.state);
      assert.equal(matchesPattern(pattern, e), false, `${e.detail.state} of another team's vault`);
    }
    // AWS documents PARTIAL as a backup job state (BackupJobState) but shows no example: the FAILED one, partly done.
    assert.equal(matchesPattern(pattern, ev.withDetail(ours(ev.BACKUP_JOB_FAILED), { state: "PARTIAL" })), true);
    assert.equal(matchesPattern(pattern, ours(ev.BACKUP_JOB_COMPLETED)), false);
    assert.equal(matchesPattern(pattern, ours(ev.BACKUP_JOB_RUNNING)), false);
  });

  test("backup jobs completed with issues: COMPLETED with a status message, upkeep's vault only", () => {
    const pattern = backupJobCompletedWithIssuesPattern(VAULT);
    assert.deepEqual(pattern, {
      source: ["aws.backup"],
      "detail-type": ["Backup Job State Change"],
      detail: { backupVaultName: [VAULT], state: ["COMPLETED"], statusMessage: [{ "anything-but": [""] }] },
    });
    const withIssues = ev.withDetail(ours(ev.BACKUP_JOB_COMPLETED), { statusMessage: "Some objects could not be backed up" });
    assert.equal(matchesPattern(pattern, withIssues), true);
    assert.equal(matchesPattern(pattern, ours(ev.BACKUP_JOB_COMPLETED)), false, "a clean completion has no status message");
    assert.equal(matchesPattern(pattern, ev.withDetail(ours(ev.BACKUP_JOB_COMPLETED), { statusMessage: "" })), false);
    assert.equal(matchesPattern(pattern, ev.withDetail(ev.BACKUP_JOB_COMPLETED, { statusMessage: "x" })), false, "another team's vault");
    assert.equal(matchesPattern(pattern, ours(ev.BACKUP_JOB_FAILED)), false);
  });

  test("copy jobs: out of upkeep's vault, FAILED or PARTIAL", () => {
    const pattern = copyJobFailedPattern(VAULT_ARN);
    assert.deepEqual(pattern, {
      source: ["aws.backup"],
      "detail-type": ["Copy Job State Change"],
      detail: { sourceBackupVaultArn: [VAULT_ARN], state: ["FAILED", "PARTIAL"] },
    });
    const ourCopy = ev.withDetail(ev.COPY_JOB_FAILED, { sourceBackupVaultArn: VAULT_ARN });
    assert.equal(matchesPattern(pattern, ourCopy), true);
    assert.equal(matchesPattern(pattern, ev.withDetail(ourCopy, { state: "PARTIAL" })), true);
    assert.equal(matchesPattern(pattern, ev.COPY_JOB_FAILED), false, "another team's copy");
    assert.equal(matchesPattern(pattern, ev.withDetail(ev.COPY_JOB_COMPLETED, { sourceBackupVaultArn: VAULT_ARN })), false);
  });

  test("restore jobs: upkeep's restore tests and vault, status (not state), and failed validation", () => {
    const pattern = restoreJobFailedPattern(VAULT_ARN, PLAN_ARN);
    assert.deepEqual(pattern, {
      source: ["aws.backup"],
      "detail-type": ["Restore Job State Change"],
      detail: {
        $or: [
          { restoreTestingPlanArn: [PLAN_ARN], status: ["FAILED", "ABORTED"] },
          { restoreTestingPlanArn: [PLAN_ARN], validationStatus: ["FAILED", "TIMED_OUT"] },
          { backupVaultArn: [VAULT_ARN], status: ["FAILED", "ABORTED"] },
        ],
      },
    });
    assert.equal(matchesPattern(pattern, ev.RESTORE_JOB_FAILED), false, "the documented failure names no plan or vault of upkeep's");
    assert.equal(matchesPattern(pattern, ev.withDetail(ev.RESTORE_JOB_FAILED, { restoreTestingPlanArn: PLAN_ARN })), true);
    assert.equal(matchesPattern(pattern, ev.withDetail(ev.RESTORE_JOB_FAILED, { restoreTestingPlanArn: PLAN_ARN, status: "ABORTED" })), true);
    assert.equal(matchesPattern(pattern, ev.withDetail(ev.RESTORE_JOB_FAILED, { restoreTestingPlanArn: OTHER_PLAN_ARN })), false);
    assert.equal(matchesPattern(pattern, ev.withDetail(ev.RESTORE_JOB_FAILED, { backupVaultArn: VAULT_ARN })), true, "a manual restore from upkeep's vault");
    // A restore test that restored, then failed its validation (DescribeRestoreJob's ValidationStatus).
    const restored = ev.withDetail(ev.RESTORE_JOB_COMPLETED, { restoreTestingPlanArn: PLAN_ARN, backupVaultArn: VAULT_ARN });
    assert.equal(matchesPattern(pattern, restored), false);
    assert.equal(matchesPattern(pattern, ev.withDetail(restored, { validationStatus: "FAILED" })), true);
    assert.equal(matchesPattern(pattern, ev.withDetail(restored, { validationStatus: "TIMED_OUT" })), true);
    assert.equal(matchesPattern(pattern, ev.withDetail(restored, { validationStatus: "SUCCESSFUL" })), false);
    // A rule on `state` never saw these: restore events carry `status`.
    assert.equal(matchesPattern({ detail: { state: ["FAILED"] } }, ev.withDetail(ev.RESTORE_JOB_FAILED, { restoreTestingPlanArn: PLAN_ARN })), false);
  });

  test("restore jobs without restore testing: the vault alone", () => {
    const pattern = restoreJobFailedPattern(VAULT_ARN);
    assert.deepEqual(pattern, {
      source: ["aws.backup"],
      "detail-type": ["Restore Job State Change"],
      detail: { backupVaultArn: [VAULT_ARN], status: ["FAILED", "ABORTED"] },
    });
    assert.equal(matchesPattern(pattern, ev.withDetail(ev.RESTORE_JOB_FAILED, { backupVaultArn: VAULT_ARN })), true);
    assert.equal(matchesPattern(pattern, ev.RESTORE_JOB_FAILED), false);
  });
});

describe("ACM", () => {
  test("approaching expiration: upkeep's certificates, DaysToExpiry at or below the warning days", () => {
    const pattern = acmExpiryEventPattern([CERT_ARN], 21);
    assert.deepEqual(pattern, {
      source: ["aws.acm"],
      "detail-type": ["ACM Certificate Approaching Expiration"],
      resources: [CERT_ARN],
      detail: { DaysToExpiry: [{ numeric: ["<=", 21] }] },
    });
    const ours = (days: number) => ev.withDetail(ev.ACM_APPROACHING_EXPIRATION, { DaysToExpiry: days }, { resources: [CERT_ARN] });
    assert.equal(matchesPattern(pattern, ev.ACM_APPROACHING_EXPIRATION), false, "the documented event: another certificate, 31 days");
    assert.equal(matchesPattern(pattern, ours(31)), false, "ACM sends daily from day 45: not yet");
    assert.equal(matchesPattern(pattern, ours(22)), false);
    assert.equal(matchesPattern(pattern, ours(21)), true);
    assert.equal(matchesPattern(pattern, ours(1)), true);
    assert.equal(matchesPattern(pattern, ev.withDetail(ev.ACM_APPROACHING_EXPIRATION, { DaysToExpiry: 3 })), false, "another team's certificate");
  });
});

describe("Secrets Manager", () => {
  test("rotation failures of the configured secrets only", () => {
    const pattern = rotationFailurePattern([SECRET_ARN]);
    assert.deepEqual(pattern, {
      source: ["aws.secretsmanager"],
      "detail-type": ["AWS Service Event via CloudTrail"],
      detail: {
        eventSource: ["secretsmanager.amazonaws.com"],
        eventName: ["RotationFailed", "RotationAbandoned", "TestRotationFailed"],
        additionalEventData: { SecretId: [SECRET_ARN] },
      },
    });
    const ours = ev.withDetail(ev.SECRET_ROTATION_FAILED, { additionalEventData: { SecretId: SECRET_ARN } });
    assert.equal(matchesPattern(pattern, ours), true);
    for (const name of ["RotationAbandoned", "TestRotationFailed"]) assert.equal(matchesPattern(pattern, ev.withDetail(ours, { eventName: name })), true, name);
    assert.equal(matchesPattern(pattern, ev.withDetail(ours, { eventName: "RotationSucceeded" })), false);
    assert.equal(matchesPattern(pattern, ev.SECRET_ROTATION_FAILED), false, "another team's secret");
  });
});

describe("AWS Config", () => {
  test("NON_COMPLIANT evaluations of one rule", () => {
    const pattern = nonCompliantPattern("upkeep-prod-access-keys-rotated");
    assert.deepEqual(pattern, {
      source: ["aws.config"],
      "detail-type": ["Config Rules Compliance Change"],
      detail: {
        messageType: ["ComplianceChangeNotification"],
        configRuleName: ["upkeep-prod-access-keys-rotated"],
        newEvaluationResult: { complianceType: ["NON_COMPLIANT"] },
      },
    });
    const ours = ev.withDetail(ev.CONFIG_COMPLIANCE_CHANGE, { configRuleName: "upkeep-prod-access-keys-rotated" });
    assert.equal(matchesPattern(pattern, ours), true);
    assert.equal(matchesPattern(pattern, ev.CONFIG_COMPLIANCE_CHANGE), false, "another rule");
    const compliant = ev.withDetail(ours, { newEvaluationResult: { ...ours.detail.newEvaluationResult, complianceType: "COMPLIANT" } });
    assert.equal(matchesPattern(pattern, compliant), false);
  });
});
