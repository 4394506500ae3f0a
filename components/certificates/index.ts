/**
 * What expires: cert-manager Certificates renewed in the window, ACM certificates, and
 * Secrets Manager credential rotation with the window it must fit.
 */
export { AcmCertificates } from "./acm";
export {
  buildCertificateRules,
  certificateModel,
  certificateSeries,
  ManagedCertificates,
  renewalCalendar,
  renewalWindowProblem,
} from "./certManager";
export { CredentialRotation, rotationCalendar } from "./credentials";
export { expiryWarningProblems, timeLeftAtRenewalSeconds } from "./expiryWarning";
export { credentialWindowProblems } from "./rotationWindow";
