/**
 * cert-manager Certificates and their alerts. Every Certificate gets an
 * explicit ECDSA P-256 key that is regenerated on every renewal, and, when it
 * opts in with `renewInWindow`, a renewal window equal to the environment's
 * maintenance window, so a renewal (and the restarts it may cause) happens
 * when people expect changes.
 *
 * `spec.renewal` is new in cert-manager v1.21. Its shape, as published:
 *   renewal: { policy: RenewBefore | Disabled, windows: [{ cron, timezone, windowDuration }] }
 * - cert-manager/website#2210 (docs/usage/certificate.md, "Renewal policies and
 *   renewal windows"): `policy: RenewBefore` with `windows: - cron: "0 4 * * 2",
 *   timezone: America/Chicago, windowDuration: 3h`;
 * - cert-manager/cert-manager#9146: admission checks "the cron syntax, timezone
 *   and presence of windowDuration" of `spec.renewal.windows` (added in #8258);
 * - the generated API docs (IO::K8s::CertManager::V1::CertificateRenewalWindows):
 *   cron opens a window, timezone is IANA (UTC when unset), windowDuration is a
 *   Go duration.
 * A window is a preference: with none open before expiry cert-manager renews
 * anyway, but reports Ready=False (WindowError) meanwhile (#9146), so
 * `renewalWindowProblem` refuses windows that cannot open in time.
 */
import { k8s } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import type { ExternalScheduleEntry } from "../calendar";
import { runbookUrl, type AlertRule } from "../alerting";
import { CERT_MANAGER_DEFAULT_DURATION, goDurationSeconds, type UpkeepConfig, type Severity } from "../config";
import { componentLabels } from "../kubernetes";
import { WEEKDAYS, type Weekday } from "../schedule";

export type KubernetesCertificateConfig = UpkeepConfig["certificates"]["kubernetes"][number];

export const CERTIFICATE_ALERT_NAMES = Object.freeze({
  expiringSoon: "UpkeepCertificateExpiringSoon",
  notReady: "UpkeepCertificateNotReady",
});

const DAY = 86_400;
/** A clock change can stretch the gap between two window openings by an hour. */
const CLOCK_CHANGE_SECONDS = 3600;

export interface MaintenanceWindow {
  readonly days: readonly Weekday[];
  /** Local `HH:MM`. */
  readonly start: string;
  /** May cross local midnight: the window still opens on its day. */
  readonly durationMinutes: number;
}

export interface CertificateOptions {
  readonly namespace: string;
  readonly environment: string;
  /** Required when a certificate sets `renewInWindow`. */
  readonly window?: MaintenanceWindow;
  /** IANA zone of the window. */
  readonly timeZone: string;
}

export interface RenewalWindow {
  readonly cron: string;
  readonly timezone: string;
  readonly windowDuration: string;
}

export interface CertificateObject {
  readonly apiVersion: "cert-manager.io/v1";
  readonly kind: "Certificate";
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  readonly spec: {
    readonly secretName: string;
    readonly dnsNames: readonly string[];
    readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: "cert-manager.io" };
    readonly duration?: string;
    readonly renewBefore?: string;
    readonly renewBeforePercentage?: number;
    readonly privateKey: { readonly algorithm: "ECDSA"; readonly size: 256; readonly rotationPolicy: "Always" };
    readonly renewal?: { readonly policy: "RenewBefore"; readonly windows: readonly RenewalWindow[] };
  };
}

/** The maintenance window as one cert-manager renewal window: opens on its days at its start, in its zone. */
export function renewalWindow(window: MaintenanceWindow, timeZone: string): RenewalWindow {
  const [hour, minute] = window.start.split(":").map(Number);
  const days = window.days.map((d) => WEEKDAYS.indexOf(d)).sort((a, b) => a - b);
  return { cron: `${minute} ${hour} * * ${days.join(",")}`, timezone: timeZone, windowDuration: `${window.durationMinutes}m` };
}

/** How long before expiry cert-manager starts renewing: renewBefore, the percentage of the duration, or its default third. */
export function renewBeforeSeconds(cert: KubernetesCertificateConfig): number {
  const duration = goDurationSeconds(cert.duration ?? CERT_MANAGER_DEFAULT_DURATION)!;
  if (cert.renewBefore !== undefined) return goDurationSeconds(cert.renewBefore)!;
  if (cert.renewBeforePercentage !== undefined) return Math.floor((duration * cert.renewBeforePercentage) / 100);
  return Math.floor(duration / 3);
}

/** The longest time from one window opening to the next: the widest gap between its weekdays. */
function longestGapSeconds(days: readonly Weekday[]): number {
  const sorted = [...new Set(days.map((d) => WEEKDAYS.indexOf(d)))].sort((a, b) => a - b);
  const gaps = sorted.map((d, i) => (i + 1 < sorted.length ? sorted[i + 1]! - d : sorted[0]! + 7 - d));
  return Math.max(...gaps) * DAY;
}

/** The longest a renewal due at any moment waits for the window to open: the widest gap, plus an hour for a clock change. */
export function windowWaitSeconds(window: MaintenanceWindow): number {
  return longestGapSeconds(window.days) + CLOCK_CHANGE_SECONDS;
}

/**
 * Why a renewal window could miss the renewal period, or undefined. Renewal
 * starts `renewBefore` before expiry; a window must open in that time
 * whichever day it starts on, or cert-manager reports the Certificate not
 * Ready until it renews outside the window anyway.
 */
export function renewalWindowProblem(cert: KubernetesCertificateConfig, window: MaintenanceWindow): string | undefined {
  const before = renewBeforeSeconds(cert);
  const needed = windowWaitSeconds(window);
  if (before >= needed) return undefined;
  return (
    `renewInWindow needs renewal to start at least ${needed / 3600}h before expiry (the longest gap between the window's openings plus an hour for a clock change), ` +
    `but it starts ${Math.round(before / 60)}m before; renew earlier with renewBefore or renewBeforePercentage, add window days, or drop renewInWindow`
  );
}

export function buildCertificate(cert: KubernetesCertificateConfig, options: CertificateOptions): CertificateObject {
  let renewal: CertificateObject["spec"]["renewal"];
  if (cert.renewInWindow) {
    if (!options.window) throw new Error(`certificate ${cert.name}: renewInWindow needs the maintenance window`);
    const problem = renewalWindowProblem(cert, options.window);
    if (problem) throw new Error(`certificate ${cert.name}: ${problem}`);
    renewal = { policy: "RenewBefore", windows: [renewalWindow(options.window, options.timeZone)] };
  }
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: {
      name: cert.name,
      // The workload's namespace, where its Secret must be; upkeep's own by default.
      namespace: cert.namespace ?? options.namespace,
      labels: componentLabels(options.environment, "certificate"),
    },
    spec: {
      secretName: cert.secretName,
      dnsNames: [...cert.dnsNames],
      issuerRef: { name: cert.issuer.name, kind: cert.issuer.kind, group: "cert-manager.io" },
      ...(cert.duration !== undefined ? { duration: cert.duration } : {}),
      ...(cert.renewBefore !== undefined ? { renewBefore: cert.renewBefore } : {}),
      ...(cert.renewBeforePercentage !== undefined ? { renewBeforePercentage: cert.renewBeforePercentage } : {}),
      // Explicit: cert-manager's default key is RSA 2048, and its rotationPolicy was Never before 1.18.
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      // Only when asked: clusters before cert-manager 1.21 reject the field.
      ...(renewal ? { renewal } : {}),
    },
  };
}

interface Validatable {
  validate(): void;
}

/**
 * A model for cli/validateObjects.ts. @kubernetes-models/cert-manager 4.4
 * predates `spec.renewal` and ignores fields it does not know, so it would
 * pass any renewal block unchecked: the model validates the Certificate
 * without it, and `spec.renewal` is checked here against the shape above.
 */
export async function certificateModel(): Promise<new (data: never) => Validatable> {
  const { Certificate } = await import("@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate");
  return class {
    constructor(private readonly data: { spec?: { renewal?: unknown } }) {}
    validate(): void {
      const { renewal, ...spec } = this.data.spec ?? {};
      new Certificate({ ...this.data, spec } as never).validate();
      if (renewal !== undefined) checkRenewal(renewal);
    }
  };
}

function checkRenewal(renewal: unknown): void {
  const fail = (why: string): never => {
    throw new Error(`data/spec/renewal ${why}`);
  };
  const keys = (o: object) => Object.keys(o).sort().join(",");
  if (typeof renewal !== "object" || renewal === null) return fail("must be an object");
  const r = renewal as { policy?: unknown; windows?: unknown };
  if (!["policy", "policy,windows", "windows"].includes(keys(r))) fail(`may only have policy and windows (got ${keys(r)})`);
  if (r.policy !== undefined && r.policy !== "RenewBefore" && r.policy !== "Disabled") fail("policy must be RenewBefore or Disabled");
  if (r.windows === undefined) return;
  if (!Array.isArray(r.windows) || r.windows.length === 0) return fail("windows must be a non-empty array");
  r.windows.forEach((w: unknown, i) => {
    if (typeof w !== "object" || w === null || keys(w) !== "cron,timezone,windowDuration") fail(`windows/${i} must have exactly cron, timezone and windowDuration`);
    const { cron, timezone, windowDuration } = w as Record<string, unknown>;
    if (typeof cron !== "string" || cron.trim().split(/\s+/).length !== 5) fail(`windows/${i}/cron must be a five-field cron expression`);
    if (typeof timezone !== "string" || timezone === "") fail(`windows/${i}/timezone must be an IANA zone`);
    if (typeof windowDuration !== "string" || !goDurationSeconds(windowDuration)) fail(`windows/${i}/windowDuration must be a duration such as 3h`);
  });
}

export interface ManagedCertificatesInputs extends CertificateOptions {
  readonly certificates: readonly KubernetesCertificateConfig[];
}

/** One cert-manager Certificate per configured certificate. Type token: upkeep:certificates:ManagedCertificates. */
export class ManagedCertificates extends pulumi.ComponentResource {
  public readonly certificateNames: pulumi.Output<string>[];

  constructor(name: string, inputs: ManagedCertificatesInputs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:certificates:ManagedCertificates", name, {}, opts);
    this.certificateNames = inputs.certificates.map((cert) => {
      const obj = buildCertificate(cert, inputs);
      // The Certificate keeps a fixed name that alerts and the Secret's users refer to: replace by deleting first.
      const resource = new k8s.apiextensions.CustomResource(
        `${name}-${cert.name}`,
        { apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, spec: obj.spec },
        { parent: this, deleteBeforeReplace: true },
      );
      return resource.metadata.name;
    });
    this.registerOutputs({ certificateNames: this.certificateNames });
  }
}

/** Each certificate renewed in the window, as a calendar entry: cert-manager opens the window by cron. */
export function renewalCalendar(certificates: readonly KubernetesCertificateConfig[], window: MaintenanceWindow, timeZone: string): ExternalScheduleEntry[] {
  // One window for all of them: the environment's.
  const w = renewalWindow(window, timeZone);
  return certificates
    .filter((c) => c.renewInWindow)
    .map((c) => ({
      id: `renew-${c.name}`,
      kind: "renewal-window",
      title: `Renewal window for certificate ${c.name}`,
      cadence: "when due",
      mechanism: `cert-manager Certificate ${c.name} (spec.renewal.windows)`,
      expression: w.cron,
      timeZone,
      durationMinutes: window.durationMinutes,
      description: `cert-manager may renew ${c.name} only in the maintenance window, opening at ${w.cron} (${timeZone}) for ${w.windowDuration}`,
    }));
}

// ---------------------------------------------------------------- alerts

export interface CertificateAlertInputs {
  readonly environment: string;
  readonly namespace: string;
  readonly severity: Severity;
  readonly runbookBaseUrl: string;
  readonly certificates: readonly KubernetesCertificateConfig[];
  readonly expiryWarningDays: number;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** When cert-manager starts renewing, in the stack file's own terms. */
function renewalText(cert: KubernetesCertificateConfig): string {
  const lifetime = `its ${cert.duration ?? CERT_MANAGER_DEFAULT_DURATION} lifetime`;
  if (cert.renewBefore !== undefined) return `renewal starts ${cert.renewBefore} before expiry`;
  if (cert.renewBeforePercentage !== undefined) return `renewal starts when ${cert.renewBeforePercentage}% of ${lifetime} is left`;
  return `renewal starts when a third of ${lifetime} is left`;
}

/**
 * A cert-manager metric of one Certificate, whichever way cert-manager is
 * scraped. Its Helm chart's ServiceMonitor uses `honorLabels: false`, so
 * Prometheus moves the Certificate's namespace to `exported_namespace` and
 * `namespace` becomes cert-manager's own; with `honorLabels: true` it stays
 * in `namespace`. `exported_namespace=""` keeps the second selector from
 * also matching the first shape when cert-manager runs in the same namespace.
 */
export function certificateSeries(metric: string, namespace: string, labels: string): string {
  return `${metric}{exported_namespace="${namespace}",${labels}} or ${metric}{namespace="${namespace}",exported_namespace="",${labels}}`;
}

/**
 * Two alerts per Certificate from cert-manager's own metrics, as the
 * cert-manager mixin does, but per Certificate and with upkeep's labels.
 * `max by (name)` drops the scrape labels (pod, instance, the two namespace
 * shapes) so a restarted controller or a second scrape does not double an
 * alert. The alert's `namespace` is upkeep's, which its AlertmanagerConfig
 * routes (the operator matches on it); the Certificate's own namespace is
 * `certificate_namespace`.
 */
export function certificateRules(cert: KubernetesCertificateConfig, inputs: CertificateAlertInputs): AlertRule[] {
  const certNs = cert.namespace ?? inputs.namespace;
  const series = (metric: string, extra = "") => certificateSeries(metric, certNs, `name="${cert.name}"${extra}`);
  const labels = { severity: inputs.severity, environment: inputs.environment, namespace: inputs.namespace, certificate: cert.name, certificate_namespace: certNs };
  const what = `cert-manager Certificate ${certNs}/${cert.name} (Secret ${cert.secretName}, ${cert.dnsNames.join(", ")}; ${cert.issuer.kind} ${cert.issuer.name})`;
  return [
    {
      alert: CERTIFICATE_ALERT_NAMES.expiringSoon,
      expr: `(max by (name) (${series("certmanager_certificate_expiration_timestamp_seconds")}) - time()) < ${inputs.expiryWarningDays * DAY}`,
      for: "1h",
      labels,
      annotations: {
        summary: `${cert.name} expires in less than ${inputs.expiryWarningDays} days`,
        description:
          `${what} expires in {{ $value | humanizeDuration }} and has not been renewed, although ${renewalText(cert)}.`,
        runbook_url: runbookUrl(inputs.runbookBaseUrl, CERTIFICATE_ALERT_NAMES.expiringSoon),
      },
    },
    {
      alert: CERTIFICATE_ALERT_NAMES.notReady,
      // Unknown counts as not Ready: an issuance that never finishes is as broken as one that failed.
      expr: `max by (name) (${series("certmanager_certificate_ready_status", ',condition="True"')}) != 1`,
      for: "10m",
      labels,
      annotations: {
        summary: `${cert.name} is not Ready`,
        description: `${what} has not been Ready for 10 minutes: issuing or renewing it fails.`,
        runbook_url: runbookUrl(inputs.runbookBaseUrl, CERTIFICATE_ALERT_NAMES.notReady),
      },
    },
  ];
}

/** The certificates' rule group, for the environment's PrometheusRule next to the job alerts. */
export function buildCertificateRules(inputs: CertificateAlertInputs): RuleGroup {
  return { name: `upkeep.${inputs.environment}.certificates`, rules: inputs.certificates.flatMap((c) => certificateRules(c, inputs)) };
}
