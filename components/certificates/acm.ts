/**
 * AcmCertificates: ACM certificates with DNS validation, and three
 * independent ways of hearing that one is about to expire:
 * - a CloudWatch alarm per certificate on `AWS/CertificateManager`
 *   `DaysToExpiry`. The metric stops once a certificate has expired, so
 *   missing data is breaching: silence is the worst case, not the best;
 * - the EventBridge event "ACM Certificate Approaching Expiration", which ACM
 *   sends daily from 45 days before expiry for every certificate of the
 *   account and region: the rule names upkeep's certificates (`resources`)
 *   and matches only `DaysToExpiry` at or below `expiryWarningDays`
 *   (numeric matching), so it neither pages for other teams' certificates
 *   nor every day from day 45;
 * - with `upkeep:aws.configRules`, the AWS Config managed rule
 *   acm-certificate-expiration-check, one per certificate and scoped to it,
 *   whose NON_COMPLIANT evaluations are routed too. Config rules need a
 *   configuration recorder in the account and region.
 * All of them go to the `warning` topic.
 *
 * A replaced certificate is created before the old one is deleted (Pulumi's
 * default, deleteBeforeReplace: false), so a listener is never left without one.
 */
import { aws } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import type { UpkeepConfig } from "../config";
import { routeEventsToTopic } from "../alerting";
import { acmExpirationRule, declareConfigRule } from "../compliance";

export type AcmCertificateConfig = UpkeepConfig["certificates"]["acm"][number];

/**
 * ACM's daily "Approaching Expiration" event for upkeep's certificates only
 * (their ARNs are the event's `resources`), once `DaysToExpiry` is at or
 * below the warning days.
 */
export function acmExpiryEventPattern(certificateArns: readonly string[], expiryWarningDays: number): object {
  return {
    source: ["aws.acm"],
    "detail-type": ["ACM Certificate Approaching Expiration"],
    resources: [...certificateArns],
    detail: { DaysToExpiry: [{ numeric: ["<=", expiryWarningDays] }] },
  };
}

/** The subject alternative names, once each and without the domain name (ACM always includes it). */
export function alternativeNames(cert: Pick<AcmCertificateConfig, "domainName" | "subjectAlternativeNames">): string[] {
  return [...new Set(cert.subjectAlternativeNames)].filter((n) => n !== cert.domainName);
}

/**
 * The names that need a validation record, one per record: ACM gives
 * `*.example.com` and `example.com` the same CNAME, so both count once.
 */
export function validationDomains(cert: Pick<AcmCertificateConfig, "domainName" | "subjectAlternativeNames">): string[] {
  return [...new Set([cert.domainName, ...cert.subjectAlternativeNames].map((d) => d.replace(/^\*\./, "")))];
}

export interface DomainValidationOption {
  readonly domainName: string;
  readonly resourceRecordName: string;
  readonly resourceRecordType: string;
  readonly resourceRecordValue: string;
}

/** ACM's validation record for a domain (or its wildcard); failing loudly beats a certificate stuck in validation. */
export function validationRecordFor(options: readonly DomainValidationOption[] | undefined, domain: string): DomainValidationOption {
  const hit = (options ?? []).find((o) => o.domainName === domain || o.domainName === `*.${domain}`);
  if (hit === undefined) throw new Error(`ACM returned no DNS validation record for ${domain}`);
  return hit;
}

export function daysToExpiryAlarmArgs(
  alarmName: string,
  certificateArn: pulumi.Input<string>,
  expiryWarningDays: number,
  topicArn: pulumi.Input<string>,
): aws.cloudwatch.MetricAlarmArgs {
  return {
    name: alarmName,
    alarmDescription: `An ACM certificate expires in fewer than ${expiryWarningDays} days, or its DaysToExpiry metric stopped (expired or never issued).`,
    namespace: "AWS/CertificateManager",
    metricName: "DaysToExpiry",
    dimensions: { CertificateArn: certificateArn },
    statistic: "Minimum",
    // ACM publishes DaysToExpiry once a day.
    period: 86400,
    evaluationPeriods: 1,
    comparisonOperator: "LessThanThreshold",
    threshold: expiryWarningDays,
    treatMissingData: "breaching",
    alarmActions: [topicArn],
    okActions: [topicArn],
  };
}

export interface AcmCertificatesArgs {
  /** The environment name; alarm, rule and Config rule names carry it. */
  readonly environment: string;
  /** `upkeep:certificates.acm`. */
  readonly certificates: readonly AcmCertificateConfig[];
  /** `upkeep:certificates.expiryWarningDays`. */
  readonly expiryWarningDays: number;
  /** NotificationTopics.topicArns: expiry warnings go to `warning`. */
  readonly topicArns: { readonly warning: pulumi.Input<string> };
  /** `upkeep:aws.configRules`: one acm-certificate-expiration-check per certificate. */
  readonly configRules: boolean;
}

/** ACM certificates and their expiry alarm, event rule and Config rules. Type token: upkeep:certificates:AcmCertificates. */
export class AcmCertificates extends pulumi.ComponentResource {
  /** Certificate ARNs by config name: the validated ARN when upkeep validates it. */
  public readonly certificateArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: AcmCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:certificates:AcmCertificates", name, {}, opts);
    this.certificateArns = {};
    const env = args.environment;

    for (const cert of args.certificates) {
      const certificate = new aws.acm.Certificate(
        `${name}-${cert.name}`,
        { domainName: cert.domainName, subjectAlternativeNames: alternativeNames(cert), validationMethod: "DNS" },
        { parent: this },
      );
      let arn: pulumi.Output<string> = certificate.arn;

      const zoneId = cert.hostedZoneId;
      if (zoneId !== undefined) {
        // One record per name known from config, so preview shows them before ACM has answered.
        const records = validationDomains(cert).map((domain) => {
          const option = certificate.domainValidationOptions.apply((options) => validationRecordFor(options, domain));
          return new aws.route53.Record(
            `${name}-${cert.name}-validation-${domain}`,
            {
              zoneId,
              name: option.resourceRecordName,
              type: option.resourceRecordType,
              records: [option.resourceRecordValue],
              ttl: 60,
              // A record left by an earlier certificate for the same name has the same value: take it over.
              allowOverwrite: true,
            },
            { parent: this },
          );
        });
        const validation = new aws.acm.CertificateValidation(
          `${name}-${cert.name}-validation`,
          { certificateArn: certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
          { parent: this },
        );
        // The alarm follows issuance, so it does not breach while DNS validation is still running.
        arn = validation.certificateArn;
      }

      new aws.cloudwatch.MetricAlarm(
        `${name}-${cert.name}-days-to-expiry`,
        daysToExpiryAlarmArgs(`upkeep-${env}-acm-${cert.name}-days-to-expiry`, arn, args.expiryWarningDays, args.topicArns.warning),
        { parent: this },
      );
      this.certificateArns[cert.name] = arn;
      if (args.configRules) {
        declareConfigRule(`${name}-${cert.name}-expiration-check`, acmExpirationRule(env, cert.name, arn, args.expiryWarningDays), { environment: env, warningTopicArn: args.topicArns.warning }, this);
      }
    }

    if (args.certificates.length > 0) {
      const arns = pulumi.all(args.certificates.map((c) => this.certificateArns[c.name]!));
      routeEventsToTopic(
        `${name}-approaching-expiration`,
        {
          ruleName: `upkeep-${env}-acm-approaching-expiration`,
          what: `upkeep's ACM certificates within ${args.expiryWarningDays} days of expiry`,
          environment: env,
          pattern: arns.apply((list) => acmExpiryEventPattern(list, args.expiryWarningDays)),
          severity: "warning",
          topicArn: args.topicArns.warning,
        },
        this,
      );
    }

    this.registerOutputs({ certificateArns: this.certificateArns });
  }
}
