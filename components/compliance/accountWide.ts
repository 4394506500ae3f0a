/**
 * AccountWideRules: the Config rules that evaluate everything of their kind
 * in the account and region, not only this environment's resources. Exactly
 * one stack per account and region creates them (`upkeep:aws.accountWideRules:
 * true`); the others leave them out, so a finding arrives once.
 */
import * as pulumi from "@pulumi/pulumi";
import { accessKeysRotatedRule, authorizedPortsRule, eksSupportedVersionRule, restrictedSshRule } from "./configRules";
import { declareConfigRule, type RuleContext } from "./declare";

export interface AccountWideRulesArgs extends RuleContext {
  /** `upkeep:accessKeys.maxAgeDays` (default 90). */
  readonly accessKeysMaxAgeDays: number;
  /** `upkeep:aws.authorizedPorts`. */
  readonly authorizedPorts: readonly (number | string)[];
  /** `upkeep:kubernetes.oldestSupportedVersion`; no EKS version rule without it. */
  readonly oldestSupportedVersion?: string;
}

/** Where the access-key rule lived before it became account-wide and opt-in: its alias keeps the live rule. */
function formerAccessKeysRuleUrn(name: string): string {
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::upkeep:credentials:CredentialRotation$aws:cfg/rule:Rule::${name}-access-keys-rotated`;
}

/** Type token: upkeep:compliance:AccountWideRules. */
export class AccountWideRules extends pulumi.ComponentResource {
  /** The Config rule names, known before any deployment. */
  public readonly ruleNames: readonly string[];

  constructor(name: string, args: AccountWideRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:compliance:AccountWideRules", name, {}, opts);
    const env = args.environment;
    const rules = [
      { child: `${name}-access-keys-rotated`, rule: accessKeysRotatedRule(env, args.accessKeysMaxAgeDays), aliases: [formerAccessKeysRuleUrn(name)] },
      { child: `${name}-restricted-ssh`, rule: restrictedSshRule(env) },
      { child: `${name}-vpc-sg-authorized-ports`, rule: authorizedPortsRule(env, args.authorizedPorts) },
      ...(args.oldestSupportedVersion !== undefined ? [{ child: `${name}-eks-supported-version`, rule: eksSupportedVersionRule(env, args.oldestSupportedVersion) }] : []),
    ];
    for (const r of rules) declareConfigRule(r.child, r.rule, args, this, r.aliases ? { aliases: r.aliases } : {});
    this.ruleNames = rules.map((r) => r.rule.name);
    this.registerOutputs({ ruleNames: this.ruleNames });
  }
}
