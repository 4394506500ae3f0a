/**
 * AWS Config rules, opt-in: those scoped to this environment's own resources, the account-wide
 * ones one stack per account owns, and the EventBridge rule that reports each one's findings.
 */
export { AccountWideRules } from "./accountWide";
export {
  accessKeysRotatedRule,
  acmExpirationRule,
  authorizedPortsRule,
  eksSupportedVersionRule,
  type ManagedRule,
  nonCompliantPattern,
  restrictedSshRule,
  secretRotationRule,
} from "./configRules";
export { declareConfigRule, type RuleContext } from "./declare";
