/**
 * The `upkeep:aws` section and the keys that depend on it: Config rules are
 * opt-in and account-wide rules need the opt-in first; a Kubernetes-only
 * stack refuses every key that would need AWS, each with its own line that
 * says what it needs; the topic key and the dump key are checked for what
 * AWS can actually use. Exact error text, as the user reads it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, parseConfig } from "../components/config";
import { referenceConfig } from "./support/configs";

type Raw = Record<string, any>;

function problems(edit: (raw: Raw) => void, secretKeys: string[] = []): string[] {
  const raw = referenceConfig();
  edit(raw);
  try {
    parseConfig(raw, new Set(secretKeys));
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.message.split("\n");
  }
  assert.fail("expected the config to be rejected");
}

const accepted = (edit: (raw: Raw) => void) => {
  const raw = referenceConfig();
  edit(raw);
  return parseConfig(raw, new Set());
};

const KEY = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("AWS, opt-in Config rules", () => {
  test("defaults: AWS on, no Config rule of either kind, no authorized port", () => {
    assert.deepEqual(accepted(() => {}).aws, { enabled: true, configRules: false, accountWideRules: false, authorizedPorts: [] });
    assert.equal(accepted(() => {}).accessKeys, undefined);
  });

  test("account-wide rules need the recorder opt-in; their keys are refused where they would be ignored", () => {
    assert.deepEqual(
      problems((raw) => {
        raw.aws = { accountWideRules: true };
      }),
      ["upkeep:aws.accountWideRules: needs upkeep:aws.configRules: true, which states that the account and region have an AWS Config recorder"],
    );
    assert.deepEqual(
      problems((raw) => {
        raw.aws = { configRules: true, authorizedPorts: [443] };
        raw.accessKeys = { maxAgeDays: 60 };
      }),
      [
        "upkeep:aws.authorizedPorts: is read only by the account-wide rule vpc-sg-open-only-to-authorized-ports; set upkeep:aws.accountWideRules: true on the one stack that owns account-wide rules, or remove it",
        "upkeep:accessKeys: is read only by the account-wide rule access-keys-rotated; set upkeep:aws.accountWideRules: true on the one stack that owns account-wide rules, or remove it",
      ],
    );
    const owner = accepted((raw) => {
      raw.aws = { configRules: true, accountWideRules: true, authorizedPorts: [443, "8000-8080"] };
      raw.accessKeys = { maxAgeDays: 60 };
    });
    assert.deepEqual(owner.aws.authorizedPorts, [443, "8000-8080"]);
    assert.deepEqual(owner.accessKeys, { maxAgeDays: 60 });
  });

  test("authorized ports are TCP ports or ranges", () => {
    assert.deepEqual(
      problems((raw) => {
        raw.aws = { configRules: true, accountWideRules: true, authorizedPorts: [0, 70000, "22", "90-80", 1.5] };
      }),
      [
        "upkeep:aws.authorizedPorts[0]: must be a TCP port 1–65535 or a range such as \"1020-1025\" (got 0)",
        "upkeep:aws.authorizedPorts[1]: must be a TCP port 1–65535 or a range such as \"1020-1025\" (got 70000)",
        "upkeep:aws.authorizedPorts[2]: must be a TCP port 1–65535 or a range such as \"1020-1025\" (got \"22\")",
        "upkeep:aws.authorizedPorts[3]: must be a TCP port 1–65535 or a range such as \"1020-1025\" (got \"90-80\")",
        "upkeep:aws.authorizedPorts[4]: must be a TCP port 1–65535 or a range such as \"1020-1025\" (got 1.5)",
      ],
    );
  });

  test("kubernetes.oldestSupportedVersion is a minor version", () => {
    assert.equal(accepted((raw) => (raw.kubernetes.oldestSupportedVersion = "1.29")).kubernetes.oldestSupportedVersion, "1.29");
    assert.deepEqual(
      problems((raw) => (raw.kubernetes.oldestSupportedVersion = "1.29.3")),
      ['upkeep:kubernetes.oldestSupportedVersion: must be a Kubernetes version "major.minor" such as "1.29" (got "1.29.3")'],
    );
    assert.deepEqual(
      problems((raw) => (raw.kubernetes.oldestSupportedVersion = 1.29)),
      ['upkeep:kubernetes.oldestSupportedVersion: must be a quoted "major.minor" string such as "1.29": YAML reads an unquoted 1.30 as the number 1.3 (got 1.29)'],
    );
  });
});

describe("encrypted topics", () => {
  test("the AWS-managed alias/aws/sns is refused: its policy can never let alarms and events in", () => {
    assert.deepEqual(
      problems((raw) => (raw.notify.kmsKeyArn = "arn:aws:kms:eu-central-1:123456789012:alias/aws/sns")),
      [
        "upkeep:notify.kmsKeyArn: must not be the AWS-managed key alias/aws/sns: its key policy cannot let CloudWatch alarms and EventBridge rules use it, so they could never publish to the topics; use a customer managed key, or notify.createKmsKey: true",
      ],
    );
    assert.equal(accepted((raw) => (raw.notify.kmsKeyArn = "arn:aws:kms:eu-central-1:123456789012:alias/upkeep-topics")).notify.kmsKeyArn, "arn:aws:kms:eu-central-1:123456789012:alias/upkeep-topics");
  });

  test("a key of one's own, or one upkeep creates: not both", () => {
    assert.deepEqual(
      problems((raw) => {
        raw.notify.kmsKeyArn = KEY;
        raw.notify.createKmsKey = true;
      }),
      ["upkeep:notify.createKmsKey: set notify.kmsKeyArn or notify.createKmsKey, not both"],
    );
    assert.equal(accepted((raw) => (raw.notify.createKmsKey = true)).notify.createKmsKey, true);
  });
});

describe("dumps in a bucket with a customer key", () => {
  test("a key ARN, for the role upkeep creates", () => {
    const dump = { database: "orders", location: "s3://acme-db-dumps/prod/orders/", maxAgeHours: 26, kmsKeyArn: KEY };
    const withOidc = (raw: Raw) => (raw.kubernetes.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC");
    assert.equal(
      accepted((raw) => {
        withOidc(raw);
        raw.backups = { ...raw.backups, dumps: [dump] };
      }).backups.dumps[0]!.kmsKeyArn,
      KEY,
    );
    assert.deepEqual(
      problems((raw) => {
        withOidc(raw);
        raw.backups = { ...raw.backups, dumps: [{ ...dump, kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:alias/dumps" }] };
      }),
      [
        'upkeep:backups.dumps[0].kmsKeyArn: must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<id>; an alias cannot name exactly one key in IAM (got "arn:aws:kms:eu-central-1:123456789012:alias/dumps")',
      ],
    );
    assert.deepEqual(
      problems((raw) => {
        raw.backups = { ...raw.backups, dumps: [{ ...dump, roleArn: "arn:aws:iam::123456789012:role/dump-reader" }] };
      }),
      ["upkeep:backups.dumps[0].kmsKeyArn: applies to the reader role upkeep creates; with roleArn, grant kms:Decrypt on the key to that role yourself"],
    );
    // An IAM role ARN names no region (IAM is global); a role of one's own is accepted as AWS writes it.
    const { kmsKeyArn: _, ...plain } = dump;
    assert.equal(
      accepted((raw) => (raw.backups = { ...raw.backups, dumps: [{ ...plain, roleArn: "arn:aws:iam::123456789012:role/dump-reader" }] })).backups.dumps[0]!.roleArn,
      "arn:aws:iam::123456789012:role/dump-reader",
    );
  });
});

describe("reviews.at", () => {
  test("working hours only: reminders and notices never go out at night", () => {
    for (const at of ["06:00", "09:30", "20:00"]) assert.equal(accepted((raw) => (raw.reviews = { at })).reviews.at, at);
    for (const at of ["00:00", "05:59", "20:01", "23:30"]) {
      assert.deepEqual(
        problems((raw) => (raw.reviews = { at })),
        [`upkeep:reviews.at: must be a working-hours time from 06:00 to 20:00: reminders and stakeholder notices go out then, never at night (got "${at}")`],
      );
    }
  });
});

describe("Kubernetes only (aws.enabled: false)", () => {
  test("every key that needs AWS is refused, one line each, saying what it needs", () => {
    assert.deepEqual(
      problems(
        (raw) => {
          raw.aws = { enabled: false, configRules: true, accountWideRules: true, authorizedPorts: [443] };
          raw.kubernetes.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC";
          raw.notify = { emails: ["oncall@example.com"], stakeholderEmails: ["all@example.com"], kmsKeyArn: KEY, webhookUrl: "[secret]" };
          raw.certificates = { acm: [{ name: "www", domainName: "www.example.com" }] };
          raw.credentials = [
            {
              name: "orders-db",
              secretId: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:orders-db-AbCdEf",
              rotationLambdaArn: "arn:aws:lambda:eu-central-1:123456789012:function:rotate",
              everyDays: 30,
            },
          ];
          raw.accessKeys = { maxAgeDays: 90 };
          raw.backups = {
            aws: { vaultName: "onprem", retentionDays: 35, selectionTags: { backup: "true" }, restoreTesting: { cadence: "weekly", resourceTypes: ["RDS"] } },
            dumps: [{ database: "orders", location: "s3://acme-db-dumps/orders/", maxAgeHours: 26 }],
          };
          raw.maintenanceLog = { location: "s3://acme-upkeep-history/onprem/", roleArn: "arn:aws:iam::123456789012:role/upkeep-log" };
        },
        ["notify"],
      ),
      [
        "upkeep:aws.configRules: needs AWS, and upkeep:aws.enabled is false (AWS Config rules); remove it",
        "upkeep:aws.accountWideRules: needs AWS, and upkeep:aws.enabled is false (AWS Config rules); remove it",
        "upkeep:aws.authorizedPorts: needs AWS, and upkeep:aws.enabled is false (the AWS Config rule vpc-sg-open-only-to-authorized-ports); remove it",
        "upkeep:certificates.acm: needs AWS, and upkeep:aws.enabled is false (ACM certificates, their CloudWatch alarms and EventBridge rules); use certificates.kubernetes (cert-manager) instead",
        "upkeep:credentials: needs AWS, and upkeep:aws.enabled is false (Secrets Manager rotation and its EventBridge rules); remove it",
        "upkeep:accessKeys: needs AWS, and upkeep:aws.enabled is false (the AWS Config rule access-keys-rotated over IAM users); remove it",
        'upkeep:backups.aws: needs AWS, and upkeep:aws.enabled is false (AWS Backup vault, plan and restore testing); say why the stack has none with { none: "<why>" } (required in production), or remove it',
        "upkeep:backups.dumps[0]: needs AWS, and upkeep:aws.enabled is false (the dump is fetched from S3 with an IAM role for the ServiceAccount); remove it",
        "upkeep:maintenanceLog: needs AWS, and upkeep:aws.enabled is false (the window reports are written to S3 with an IAM role for the ServiceAccount); remove it: each window's report still goes to notify.webhookUrl, or to Alertmanager as the info alert UpkeepMaintenanceReport",
        "upkeep:kubernetes.oidcProviderArn: needs AWS, and upkeep:aws.enabled is false (IAM roles for service accounts); remove it",
        "upkeep:notify.emails: needs AWS, and upkeep:aws.enabled is false (SNS email subscriptions); set upkeep:alerting.alertmanager: true to mail them through Alertmanager, or remove them",
        "upkeep:notify.stakeholderEmails: needs AWS, and upkeep:aws.enabled is false (the SNS info topic); stakeholder notices go to notify.webhookUrl, or to Alertmanager as info alerts",
        "upkeep:notify.kmsKeyArn: needs AWS, and upkeep:aws.enabled is false (it encrypts the SNS topics); remove it",
      ],
    );
  });

  // Staging: a production stack would also need somewhere for alerts to go, which these tests take away.
  const staging = (raw: Raw) => (raw.environment.tier = "staging");

  test("notify.createKmsKey too; and without a webhook, Alertmanager is required, since reminders must reach someone", () => {
    assert.deepEqual(
      problems((raw) => {
        staging(raw);
        raw.aws = { enabled: false };
        raw.notify = { createKmsKey: true };
      }),
      [
        "upkeep:notify.createKmsKey: needs AWS, and upkeep:aws.enabled is false (a KMS key for the SNS topics); remove it",
        "upkeep:notify.alertmanagerUrl: is required when upkeep:aws.enabled is false and notify.webhookUrl is not set: reminders, stakeholder notices and the completion report then fire as info alerts through Alertmanager (e.g. http://alertmanager-operated.monitoring.svc:9093)",
      ],
    );
  });

  test("with Alertmanager routing, on-call emails are fine: Alertmanager mails them", () => {
    const config = accepted((raw) => {
      raw.aws = { enabled: false };
      raw.alerting = { ...raw.alerting, alertmanager: true, smtp: { smarthost: "smtp.example.com:587", from: "upkeep@example.com" } };
      raw.notify = { emails: ["oncall@example.com"], alertmanagerUrl: "http://alertmanager-operated.monitoring.svc:9093" };
    });
    assert.equal(config.aws.enabled, false);
    assert.equal(config.notify.alertmanagerUrl, "http://alertmanager-operated.monitoring.svc:9093");
  });

  test("alertmanagerUrl: a base URL, and only for Kubernetes-only stacks", () => {
    assert.deepEqual(
      problems((raw) => {
        staging(raw);
        raw.aws = { enabled: false };
        raw.notify = { alertmanagerUrl: "http://am:9093/api/v2/alerts" };
      }),
      ['upkeep:notify.alertmanagerUrl: must be the http(s) base URL of Alertmanager, such as http://alertmanager-operated.monitoring.svc:9093 (got "http://am:9093/api/v2/alerts")'],
    );
    assert.deepEqual(
      problems((raw) => (raw.notify.alertmanagerUrl = "http://am:9093")),
      ["upkeep:notify.alertmanagerUrl: is used only when upkeep:aws.enabled is false; with AWS, reminders and notices go to the SNS topics"],
    );
  });
});
