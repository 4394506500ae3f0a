/**
 * ACM certificates under Pulumi's runtime mocks (setMocks first, then the
 * import): the exact inputs of the certificates, their DNS validation (only
 * with a hosted zone), the DaysToExpiry alarm, the EventBridge rule against
 * the documented event shape, and the Config rule.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { AcmCertificateConfig } from "../components/acm";

const ACCOUNT = "123456789012";
const TOPICS = {
  critical: `arn:aws:sns:eu-central-1:${ACCOUNT}:upkeep-prod-critical`,
  warning: `arn:aws:sns:eu-central-1:${ACCOUNT}:upkeep-prod-warning`,
  info: `arn:aws:sns:eu-central-1:${ACCOUNT}:upkeep-prod-info`,
};
const certArn = (name: string) => `arn:aws:acm:eu-central-1:${ACCOUNT}:certificate/${name}`;

const CERTIFICATES: AcmCertificateConfig[] = [
  {
    name: "www",
    domainName: "www.example.com",
    // The domain name again and a wildcard of a name already listed: neither adds a record.
    subjectAlternativeNames: ["example.com", "*.example.com", "www.example.com"],
    hostedZoneId: "Z0123456789ABC",
  },
  { name: "legacy", domainName: "legacy.example.org", subjectAlternativeNames: [] },
];

/** ACM gives a wildcard the CNAME of its base name. */
const validationOption = (domain: string) => {
  const base = domain.replace(/^\*\./, "");
  return {
    domainName: domain,
    resourceRecordName: `_a1b2.${base}.`,
    resourceRecordType: "CNAME",
    resourceRecordValue: `_c3d4.${base.replace(/\./g, "-")}.acm-validations.aws.`,
  };
};

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

const recorded: Recorded[] = [];
type Module = typeof import("../components/acm");
let mod: Module;
let certificateArns: Record<string, string>;

const byType = (type: string) => recorded.filter((r) => r.type === type).sort((a, b) => a.name.localeCompare(b.name));
const named = (type: string, name: string): Recorded => {
  const hit = recorded.find((r) => r.type === type && r.name === name);
  assert.ok(hit, `${type} ${name} was not registered`);
  return hit;
};
const outputValue = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply((v) => resolve(v)));

before(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs, arn: `arn:aws:mock:eu-central-1:${ACCOUNT}:${args.name}` };
        if (args.type === "aws:acm/certificate:Certificate") {
          state.arn = certArn(args.name);
          const names: string[] = [args.inputs.domainName, ...((args.inputs.subjectAlternativeNames as string[] | undefined) ?? [])];
          state.domainValidationOptions = names.map(validationOption);
        }
        if (args.type === "aws:route53/record:Record") state.fqdn = String(args.inputs.name).replace(/\.$/, "");
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        throw new Error(`Mock not implemented: ${args.token}`);
      },
    },
    "upkeep",
    "prod",
    false,
  );
  mod = await import("../components/acm.js");
  const acm = new mod.AcmCertificates("upkeep-acm", { environment: "prod", certificates: CERTIFICATES, expiryWarningDays: 21, topicArns: TOPICS });
  new mod.AcmCertificates("upkeep-none", { environment: "dev", certificates: [], expiryWarningDays: 21, topicArns: TOPICS });
  certificateArns = {
    www: await outputValue(acm.certificateArns.www!),
    legacy: await outputValue(acm.certificateArns.legacy!),
  };
  const settings: { waitForRPCs: () => Promise<void> } = require("@pulumi/pulumi/runtime/settings");
  await settings.waitForRPCs();
});

test("certificates: DNS validation, the alternative names once each and without the domain name", () => {
  assert.deepEqual(named("aws:acm/certificate:Certificate", "upkeep-acm-www").inputs, {
    domainName: "www.example.com",
    subjectAlternativeNames: ["example.com", "*.example.com"],
    validationMethod: "DNS",
  });
  assert.deepEqual(named("aws:acm/certificate:Certificate", "upkeep-acm-legacy").inputs, {
    domainName: "legacy.example.org",
    subjectAlternativeNames: [],
    validationMethod: "DNS",
  });
});

test("validation records only with a hosted zone, one per record name (a wildcard shares its base name's)", () => {
  assert.deepEqual(
    byType("aws:route53/record:Record").map((r) => [r.name, r.inputs]),
    [
      [
        "upkeep-acm-www-validation-example.com",
        {
          zoneId: "Z0123456789ABC",
          name: "_a1b2.example.com.",
          type: "CNAME",
          records: ["_c3d4.example-com.acm-validations.aws."],
          ttl: 60,
          allowOverwrite: true,
        },
      ],
      [
        "upkeep-acm-www-validation-www.example.com",
        {
          zoneId: "Z0123456789ABC",
          name: "_a1b2.www.example.com.",
          type: "CNAME",
          records: ["_c3d4.www-example-com.acm-validations.aws."],
          ttl: 60,
          allowOverwrite: true,
        },
      ],
    ],
  );
  assert.deepEqual(
    byType("aws:acm/certificateValidation:CertificateValidation").map((r) => [r.name, r.inputs]),
    [
      [
        "upkeep-acm-www-validation",
        { certificateArn: certArn("upkeep-acm-www"), validationRecordFqdns: ["_a1b2.www.example.com", "_a1b2.example.com"] },
      ],
    ],
  );
});

test("the certificate ARNs: the validated one when upkeep validates, else the certificate's", () => {
  assert.deepEqual(certificateArns, { www: certArn("upkeep-acm-www"), legacy: certArn("upkeep-acm-legacy") });
});

test("one DaysToExpiry alarm per certificate: below the warning days, daily, missing data breaching, to the warning topic", () => {
  const alarm = (cert: string) => ({
    name: `upkeep-prod-acm-${cert}-days-to-expiry`,
    alarmDescription: "An ACM certificate expires in fewer than 21 days, or its DaysToExpiry metric stopped (expired or never issued).",
    namespace: "AWS/CertificateManager",
    metricName: "DaysToExpiry",
    dimensions: { CertificateArn: certArn(`upkeep-acm-${cert}`) },
    statistic: "Minimum",
    period: 86400,
    evaluationPeriods: 1,
    comparisonOperator: "LessThanThreshold",
    threshold: 21,
    treatMissingData: "breaching",
    alarmActions: [TOPICS.warning],
    okActions: [TOPICS.warning],
  });
  assert.deepEqual(
    byType("aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => [r.name, r.inputs]),
    [
      ["upkeep-acm-legacy-days-to-expiry", alarm("legacy")],
      ["upkeep-acm-www-days-to-expiry", alarm("www")],
    ],
  );
});

test("the EventBridge rule matches ACM's documented event exactly and delivers to the warning topic", () => {
  const rule = named("aws:cloudwatch/eventRule:EventRule", "upkeep-acm-approaching-expiration");
  assert.equal(rule.inputs.name, "upkeep-prod-acm-approaching-expiration");
  assert.deepEqual(JSON.parse(String(rule.inputs.eventPattern)), {
    source: ["aws.acm"],
    "detail-type": ["ACM Certificate Approaching Expiration"],
  });
  assert.deepEqual(named("aws:cloudwatch/eventTarget:EventTarget", "upkeep-acm-approaching-expiration-warning").inputs, {
    rule: "upkeep-prod-acm-approaching-expiration",
    arn: TOPICS.warning,
    targetId: "upkeep-warning-topic",
  });
});

test("the Config rule acm-certificate-expiration-check with the warning days", () => {
  assert.deepEqual(named("aws:cfg/rule:Rule", "upkeep-acm-expiration-check").inputs, {
    name: "upkeep-prod-acm-certificate-expiration-check",
    description: "ACM certificates must not expire within 21 days (upkeep prod).",
    source: { owner: "AWS", sourceIdentifier: "ACM_CERTIFICATE_EXPIRATION_CHECK" },
    inputParameters: '{"daysToExpiration":"21"}',
    scope: { complianceResourceTypes: ["AWS::ACM::Certificate"] },
    maximumExecutionFrequency: "TwentyFour_Hours",
  });
});

test("no ACM certificates: nothing but the component", () => {
  assert.deepEqual(
    recorded.filter((r) => r.name.startsWith("upkeep-none")).map((r) => r.type),
    ["upkeep:certificates:AcmCertificates"],
  );
});

test("nothing else is registered", () => {
  const counts: Record<string, number> = {};
  for (const r of recorded) counts[r.type] = (counts[r.type] ?? 0) + 1;
  assert.deepEqual(counts, {
    "upkeep:certificates:AcmCertificates": 2,
    "aws:acm/certificate:Certificate": 2,
    "aws:route53/record:Record": 2,
    "aws:acm/certificateValidation:CertificateValidation": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 2,
    "aws:cloudwatch/eventRule:EventRule": 1,
    "aws:cloudwatch/eventTarget:EventTarget": 1,
    "aws:cfg/rule:Rule": 1,
  });
});

test("a missing validation record fails loudly", () => {
  assert.throws(() => mod.validationRecordFor([validationOption("a.example.com")], "b.example.com"), {
    message: "ACM returned no DNS validation record for b.example.com",
  });
  assert.throws(() => mod.validationRecordFor(undefined, "b.example.com"), { message: "ACM returned no DNS validation record for b.example.com" });
  assert.deepEqual(mod.validationDomains(CERTIFICATES[0]!), ["www.example.com", "example.com"]);
});
