/**
 * AWS Config managed rules upkeep creates, as plain arguments, and the
 * EventBridge pattern of each one turning NON_COMPLIANT.
 *
 * Every rule needs a configuration recorder in the account and region:
 * without one, creating the rule fails. So they are opt-in
 * (`upkeep:aws.configRules`), and of two kinds:
 * - scoped to one resource of this environment (`complianceResourceId`): its
 *   ACM certificates and the secrets it rotates. Any number of stacks in one
 *   account can own such rules without overlapping.
 * - account-wide: they evaluate every IAM user, security group or EKS cluster
 *   of the account and region, whoever owns it. One stack per account and
 *   region owns them (`upkeep:aws.accountWideRules`); a copy per stack would
 *   report every finding once per stack.
 *
 * Config takes every parameter value as a string. A rule triggered only by
 * configuration changes takes no `maximumExecutionFrequency` (AWS refuses it).
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface ManagedRule {
  /** The rule's AWS name, `upkeep-<env>-…`. */
  readonly name: string;
  /** The managed rule's name in AWS's documentation, e.g. restricted-ssh. */
  readonly managedRule: string;
  readonly args: aws.cfg.RuleArgs;
}

const DAILY = "TwentyFour_Hours";

/** acm-certificate-expiration-check for one certificate of the environment (configuration changes and periodic). */
export function acmExpirationRule(environment: string, certificate: string, certificateArn: pulumi.Input<string>, expiryWarningDays: number): ManagedRule {
  const name = `upkeep-${environment}-acm-expiration-${certificate}`;
  return {
    name,
    managedRule: "acm-certificate-expiration-check",
    args: {
      name,
      description: `ACM certificate ${certificate} must not expire within ${expiryWarningDays} days (upkeep ${environment}).`,
      source: { owner: "AWS", sourceIdentifier: "ACM_CERTIFICATE_EXPIRATION_CHECK" },
      inputParameters: JSON.stringify({ daysToExpiration: String(expiryWarningDays) }),
      scope: { complianceResourceTypes: ["AWS::ACM::Certificate"], complianceResourceId: certificateArn },
      maximumExecutionFrequency: DAILY,
    },
  };
}

/** secretsmanager-secret-periodic-rotation for one secret the environment rotates (periodic). */
export function secretRotationRule(environment: string, credential: string, secretArn: string, everyDays: number): ManagedRule {
  const name = `upkeep-${environment}-secret-rotation-${credential}`;
  return {
    name,
    managedRule: "secretsmanager-secret-periodic-rotation",
    args: {
      name,
      description: `Secret ${credential} must have rotated within the last ${everyDays} days (upkeep ${environment}).`,
      source: { owner: "AWS", sourceIdentifier: "SECRETSMANAGER_SECRET_PERIODIC_ROTATION" },
      inputParameters: JSON.stringify({ maxDaysSinceRotation: String(everyDays) }),
      scope: { complianceResourceTypes: ["AWS::SecretsManager::Secret"], complianceResourceId: secretArn },
      maximumExecutionFrequency: DAILY,
    },
  };
}

/** access-keys-rotated over every IAM user of the account (periodic); account-wide. */
export function accessKeysRotatedRule(environment: string, maxAgeDays: number): ManagedRule {
  const name = `upkeep-${environment}-access-keys-rotated`;
  return {
    name,
    managedRule: "access-keys-rotated",
    args: {
      name,
      description: `IAM access keys must be younger than ${maxAgeDays} days (account-wide, owned by upkeep ${environment}).`,
      source: { owner: "AWS", sourceIdentifier: "ACCESS_KEYS_ROTATED" },
      inputParameters: JSON.stringify({ maxAccessKeyAge: String(maxAgeDays) }),
      maximumExecutionFrequency: DAILY,
    },
  };
}

/** restricted-ssh: no security group of the region admits SSH from anywhere (configuration changes); account-wide. */
export function restrictedSshRule(environment: string): ManagedRule {
  const name = `upkeep-${environment}-restricted-ssh`;
  return {
    name,
    managedRule: "restricted-ssh",
    args: {
      name,
      description: `No security group may allow SSH (TCP 22) from 0.0.0.0/0 or ::/0 (account-wide, owned by upkeep ${environment}).`,
      source: { owner: "AWS", sourceIdentifier: "INCOMING_SSH_DISABLED" },
      scope: { complianceResourceTypes: ["AWS::EC2::SecurityGroup"] },
    },
  };
}

/** The ports as the rule's parameter: `443,1020-1025`, in the order configured. */
export function authorizedTcpPorts(ports: readonly (number | string)[]): string {
  return ports.map(String).join(",");
}

/**
 * vpc-sg-open-only-to-authorized-ports (configuration changes and periodic);
 * account-wide. Without authorized ports every group open to the internet is
 * non-compliant, which is the safe default.
 */
export function authorizedPortsRule(environment: string, ports: readonly (number | string)[]): ManagedRule {
  const name = `upkeep-${environment}-vpc-sg-authorized-ports`;
  const allowed = ports.length > 0 ? `only TCP ${authorizedTcpPorts(ports)}` : "no port";
  return {
    name,
    managedRule: "vpc-sg-open-only-to-authorized-ports",
    args: {
      name,
      description: `Security groups open to 0.0.0.0/0 or ::/0 may open ${allowed} (account-wide, owned by upkeep ${environment}).`,
      source: { owner: "AWS", sourceIdentifier: "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS" },
      ...(ports.length > 0 ? { inputParameters: JSON.stringify({ authorizedTcpPorts: authorizedTcpPorts(ports) }) } : {}),
      scope: { complianceResourceTypes: ["AWS::EC2::SecurityGroup"] },
      maximumExecutionFrequency: DAILY,
    },
  };
}

/** eks-cluster-supported-version (configuration changes); account-wide: every EKS cluster of the region. */
export function eksSupportedVersionRule(environment: string, oldestSupportedVersion: string): ManagedRule {
  const name = `upkeep-${environment}-eks-cluster-supported-version`;
  return {
    name,
    managedRule: "eks-cluster-supported-version",
    args: {
      name,
      description: `EKS clusters must run Kubernetes ${oldestSupportedVersion} or newer (account-wide, owned by upkeep ${environment}).`,
      source: { owner: "AWS", sourceIdentifier: "EKS_CLUSTER_SUPPORTED_VERSION" },
      inputParameters: JSON.stringify({ oldestVersionSupported: oldestSupportedVersion }),
      scope: { complianceResourceTypes: ["AWS::EKS::Cluster"] },
    },
  };
}

/** AWS Config's "Config Rules Compliance Change" event for one rule turning NON_COMPLIANT. */
export function nonCompliantPattern(ruleName: string): object {
  return {
    source: ["aws.config"],
    "detail-type": ["Config Rules Compliance Change"],
    detail: {
      messageType: ["ComplianceChangeNotification"],
      configRuleName: [ruleName],
      newEvaluationResult: { complianceType: ["NON_COMPLIANT"] },
    },
  };
}
