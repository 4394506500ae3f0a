/**
 * ACM certificates under Pulumi's runtime mocks (setMocks first, then the
 * import): the exact inputs of the certificates, their DNS validation (only
 * with a hosted zone), the DaysToExpiry alarm, the EventBridge rule scoped to
 * upkeep's certificates, and with aws.configRules a Config rule per
 * certificate with its NON_COMPLIANT rule.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { AcmCertificateConfig } from "../components/certificates/acm";
import { installComponentMocks, outputValue, type ComponentMocks } from "./support/componentMocks";

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

type Module = typeof import("../components/certificates/acm");
let mocks: ComponentMocks;
let mod: Module;
let certificateArns: Record<string, string>;

before(async () => {
  mocks = await installComponentMocks("prod", {
    attributes: ({ type, name, inputs }) => {
      if (type === "aws:acm/certificate:Certificate") {
        const names: string[] = [String(inputs.domainName), ...((inputs.subjectAlternativeNames as string[] | undefined) ?? [])];
        return { arn: certArn(name), domainValidationOptions: names.map(validationOption) };
      }
      const arn = `arn:aws:mock:eu-central-1:${ACCOUNT}:${name}`;
      return type === "aws:route53/record:Record" ? { arn, fqdn: String(inputs.name).replace(/\.$/, "") } : { arn };
    },
  });
  mod = await import("../components/certificates/acm.js");
  const acm = new mod.AcmCertificates("upkeep-acm", { environment: "prod", certificates: CERTIFICATES, expiryWarningDays: 21, topicArns: TOPICS, configRules: true });
  new mod.AcmCertificates("upkeep-none", { environment: "dev", certificates: [], expiryWarningDays: 21, topicArns: TOPICS, configRules: true });
  new mod.AcmCertificates("upkeep-norules", { environment: "staging", certificates: [CERTIFICATES[1]!], expiryWarningDays: 14, topicArns: TOPICS, configRules: false });
  certificateArns = {
    www: await outputValue(acm.certificateArns.www!),
    legacy: await outputValue(acm.certificateArns.legacy!),
  };
  await mocks.settle();
});

test("certificates: DNS validation, the alternative names once each and without the domain name", () => {
  assert.deepEqual(mocks.named("aws:acm/certificate:Certificate", "upkeep-acm-www").inputs, {
    domainName: "www.example.com",
    subjectAlternativeNames: ["example.com", "*.example.com"],
    validationMethod: "DNS",
  });
  assert.deepEqual(mocks.named("aws:acm/certificate:Certificate", "upkeep-acm-legacy").inputs, {
    domainName: "legacy.example.org",
    subjectAlternativeNames: [],
    validationMethod: "DNS",
  });
});

test("validation records only with a hosted zone, one per record name (a wildcard shares its base name's)", () => {
  assert.deepEqual(
    mocks.byType("aws:route53/record:Record").map((r) => [r.name, r.inputs]),
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
    mocks.byType("aws:acm/certificateValidation:CertificateValidation").map((r) => [r.name, r.inputs]),
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
    mocks.byType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((r) => r.name.startsWith("upkeep-acm-")).map((r) => [r.name, r.inputs]),
    [
      ["upkeep-acm-legacy-days-to-expiry", alarm("legacy")],
      ["upkeep-acm-www-days-to-expiry", alarm("www")],
    ],
  );
});

test("the EventBridge rule names upkeep's certificates, from the warning days on, and delivers to the warning topic", () => {
  const rule = mocks.named("aws:cloudwatch/eventRule:EventRule", "upkeep-acm-approaching-expiration");
  assert.equal(rule.inputs.name, "upkeep-prod-acm-approaching-expiration");
  assert.equal(rule.inputs.description, "upkeep's ACM certificates within 21 days of expiry, to the upkeep prod warning topic");
  assert.deepEqual(JSON.parse(String(rule.inputs.eventPattern)), {
    source: ["aws.acm"],
    "detail-type": ["ACM Certificate Approaching Expiration"],
    resources: [certArn("upkeep-acm-www"), certArn("upkeep-acm-legacy")],
    detail: { DaysToExpiry: [{ numeric: ["<=", 21] }] },
  });
  assert.deepEqual(mocks.named("aws:cloudwatch/eventTarget:EventTarget", "upkeep-acm-approaching-expiration-warning").inputs, {
    rule: "upkeep-prod-acm-approaching-expiration",
    arn: TOPICS.warning,
    targetId: "upkeep-warning-topic",
  });
});

test("with configRules: acm-certificate-expiration-check per certificate, scoped to it, its NON_COMPLIANT evaluations to warning", () => {
  for (const cert of ["www", "legacy"]) {
    assert.deepEqual(mocks.named("aws:cfg/rule:Rule", `upkeep-acm-${cert}-expiration-check`).inputs, {
      name: `upkeep-prod-acm-expiration-${cert}`,
      description: `ACM certificate ${cert} must not expire within 21 days (upkeep prod).`,
      source: { owner: "AWS", sourceIdentifier: "ACM_CERTIFICATE_EXPIRATION_CHECK" },
      inputParameters: '{"daysToExpiration":"21"}',
      scope: { complianceResourceTypes: ["AWS::ACM::Certificate"], complianceResourceId: certArn(`upkeep-acm-${cert}`) },
      maximumExecutionFrequency: "TwentyFour_Hours",
    });
    const events = mocks.named("aws:cloudwatch/eventRule:EventRule", `upkeep-acm-${cert}-expiration-check-noncompliant`);
    assert.equal(events.inputs.name, `upkeep-prod-acm-expiration-${cert}-noncompliant`);
    assert.deepEqual(JSON.parse(String(events.inputs.eventPattern)).detail.configRuleName, [`upkeep-prod-acm-expiration-${cert}`]);
    assert.equal(mocks.named("aws:cloudwatch/eventTarget:EventTarget", `upkeep-acm-${cert}-expiration-check-noncompliant-warning`).inputs.arn, TOPICS.warning);
  }
});

test("without configRules: no Config rule, the event rule and alarm still there", () => {
  const norules = mocks.recorded.filter((r) => r.name.startsWith("upkeep-norules"));
  assert.deepEqual(norules.map((r) => r.type).sort(), [
    "aws:acm/certificate:Certificate",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "upkeep:certificates:AcmCertificates",
  ]);
});

test("no ACM certificates: nothing but the component", () => {
  assert.deepEqual(
    mocks.recorded.filter((r) => r.name.startsWith("upkeep-none")).map((r) => r.type),
    ["upkeep:certificates:AcmCertificates"],
  );
});

test("nothing else is registered", () => {
  const counts: Record<string, number> = {};
  for (const r of mocks.recorded.filter((r) => !r.name.startsWith("upkeep-norules"))) counts[r.type] = (counts[r.type] ?? 0) + 1;
  assert.deepEqual(counts, {
    "upkeep:certificates:AcmCertificates": 2,
    "aws:acm/certificate:Certificate": 2,
    "aws:route53/record:Record": 2,
    "aws:acm/certificateValidation:CertificateValidation": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 2,
    "aws:cloudwatch/eventRule:EventRule": 3,
    "aws:cloudwatch/eventTarget:EventTarget": 3,
    "aws:cfg/rule:Rule": 2,
  });
});

test("a missing validation record fails loudly", () => {
  assert.throws(() => mod.validationRecordFor([validationOption("a.example.com")], "b.example.com"), {
    message: "ACM returned no DNS validation record for b.example.com",
  });
  assert.throws(() => mod.validationRecordFor(undefined, "b.example.com"), { message: "ACM returned no DNS validation record for b.example.com" });
  assert.deepEqual(mod.validationDomains(CERTIFICATES[0]!), ["www.example.com", "example.com"]);
});
