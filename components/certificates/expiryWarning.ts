/**
 * An expiry alert that fires before cert-manager would even try to renew is
 * noise: it pages for a certificate that is fine. `expiryWarningDays` must be
 * below the time a certificate has left when renewal starts, and with
 * `renewInWindow`, when the window may first let it start.
 */
import { formatPath } from "../config";
import { renewBeforeSeconds, windowWaitSeconds, type KubernetesCertificateConfig, type MaintenanceWindow } from "./certManager";

const DAY = 86_400;

const days = (seconds: number): string => `${Number((seconds / DAY).toFixed(1))} days`;

/** The least time a certificate has left when cert-manager starts renewing it. */
export function timeLeftAtRenewalSeconds(cert: KubernetesCertificateConfig, window: MaintenanceWindow): number {
  return renewBeforeSeconds(cert) - (cert.renewInWindow ? windowWaitSeconds(window) : 0);
}

/** The key that sets when renewal starts: renewBefore, renewBeforePercentage, or the certificate (cert-manager's default third). */
function renewalKey(cert: KubernetesCertificateConfig, i: number): (string | number)[] {
  const base = ["certificates", "kubernetes", i];
  if (cert.renewBefore !== undefined) return [...base, "renewBefore"];
  if (cert.renewBeforePercentage !== undefined) return [...base, "renewBeforePercentage"];
  return base;
}

/** One problem per certificate whose expiry alert would fire before its renewal starts. */
export function expiryWarningProblems(
  certificates: readonly KubernetesCertificateConfig[],
  expiryWarningDays: number,
  window: MaintenanceWindow,
): { path: string; reason: string }[] {
  return certificates.flatMap((cert, i) => {
    const left = timeLeftAtRenewalSeconds(cert, window);
    if (expiryWarningDays * DAY < left) return [];
    const starts = `cert-manager starts renewing ${cert.name} ${days(renewBeforeSeconds(cert))} before it expires`;
    const waits = cert.renewInWindow ? `, may wait ${days(windowWaitSeconds(window))} for the maintenance window (renewInWindow), leaving ${days(left)}` : "";
    return [
      {
        path: formatPath(renewalKey(cert, i)),
        reason:
          `${starts}${waits}, which is not more than upkeep:certificates.expiryWarningDays (${expiryWarningDays} days): ` +
          "UpkeepCertificateExpiringSoon would fire before cert-manager even tries to renew; renew earlier or lower expiryWarningDays",
      },
    ];
  });
}
