/**
 * UpkeepAlertRouting: an AlertmanagerConfig that sends upkeep's alerts of one
 * environment to its receivers by severity (critical and warning: webhook and
 * on-call email; info: webhook only), for clusters whose Alertmanager is run
 * by the Prometheus Operator (`upkeep:alerting.alertmanager: true`).
 * The webhook URL is a secret, so it lives in a Kubernetes Secret, the one
 * MaintenanceNamespace keeps for every consumer (WEBHOOK_SECRET), which the
 * receivers reference (`urlSecret`); it never appears in the custom resource.
 */
import { k8s } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { environmentLabels, WEBHOOK_SECRET } from "../kubernetes";
import type { Severity } from "../config";

/** Every upkeep alert is named `Upkeep…` (see ALERT_NAMES in alerts.ts). */
export const UPKEEP_ALERTNAME_REGEX = "Upkeep.*";

export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly matchType: "=" | "!=" | "=~" | "!~";
}

export interface Route {
  readonly receiver: string;
  readonly groupBy?: readonly string[];
  readonly matchers?: readonly Matcher[];
  readonly routes?: readonly Route[];
}

export interface Receiver {
  readonly name: string;
  readonly webhookConfigs?: readonly { readonly urlSecret: { readonly name: string; readonly key: string } }[];
  readonly emailConfigs?: readonly { readonly to: string }[];
}

/** A type alias, not an interface, so it stays assignable to the plan's generic KubernetesObject. */
export type AlertmanagerConfigObject = {
  readonly apiVersion: "monitoring.coreos.com/v1alpha1";
  readonly kind: "AlertmanagerConfig";
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  readonly spec: { readonly route: Route; readonly receivers: readonly Receiver[] };
};

export interface AlertRoutingInputs {
  readonly environment: string;
  readonly namespace: string;
  /** On-call addresses (`upkeep:notify.emails`): critical and warning. */
  readonly emails: readonly string[];
  /** Whether `upkeep:notify.webhookUrl` is set (and so the WEBHOOK_SECRET Secret exists): every severity then also goes to it. */
  readonly hasWebhook: boolean;
  /**
   * Kubernetes only: the daily digest arrives as an info alert (UpkeepRoutineDigest);
   * like the SNS warning topic it replaces, it goes to the on-call emails as well.
   */
  readonly digestToEmails?: boolean;
}

/** The alert the Kubernetes-only digest fires when there is no webhook (routine-digest.sh). */
export const DIGEST_ALERTNAME = "UpkeepRoutineDigest";

/** Which severities reach which channel. Info is for the webhook only: it must not mail on-call. */
const EMAILED: Readonly<Record<Severity, boolean>> = { critical: true, warning: true, info: false };
const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];

export function buildAlertmanagerConfig(inputs: AlertRoutingInputs): AlertmanagerConfigObject {
  const digestToEmails = inputs.digestToEmails === true && inputs.emails.length > 0;
  const receiver = (severity: Severity): Receiver => ({
    name: severity,
    ...(inputs.hasWebhook ? { webhookConfigs: [{ urlSecret: { ...WEBHOOK_SECRET } }] } : {}),
    ...(EMAILED[severity] && inputs.emails.length > 0 ? { emailConfigs: inputs.emails.map((to) => ({ to })) } : {}),
  });
  return {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    metadata: {
      name: `upkeep-${inputs.environment}`,
      namespace: inputs.namespace,
      labels: { ...environmentLabels(inputs.environment), "app.kubernetes.io/name": "upkeep", "app.kubernetes.io/component": "alert-routing" },
    },
    spec: {
      route: {
        // An alert with an unexpected severity still reaches people rather than nobody.
        receiver: "warning",
        groupBy: ["alertname", "task"],
        matchers: [
          { name: "environment", value: inputs.environment, matchType: "=" },
          { name: "alertname", value: UPKEEP_ALERTNAME_REGEX, matchType: "=~" },
        ],
        routes: [
          ...(digestToEmails ? [{ receiver: "digest", matchers: [{ name: "alertname", value: DIGEST_ALERTNAME, matchType: "=" as const }] }] : []),
          ...SEVERITIES.map((severity) => ({ receiver: severity, matchers: [{ name: "severity", value: severity, matchType: "=" as const }] })),
        ],
      },
      // A receiver with no channel (info without a webhook) drops its alerts on purpose.
      receivers: [
        ...(digestToEmails
          ? [{ name: "digest", ...(inputs.hasWebhook ? { webhookConfigs: [{ urlSecret: { ...WEBHOOK_SECRET } }] } : {}), emailConfigs: inputs.emails.map((to) => ({ to })) }]
          : []),
        ...SEVERITIES.map(receiver),
      ],
    },
  };
}

export interface AlertmanagerYamlOptions {
  /** The URL the Secret holds (the operator inlines it); required when a receiver uses the webhook. */
  readonly webhookUrl?: string;
  /** Alertmanager's global SMTP settings, which email receivers inherit. Defaults to placeholders that satisfy `amtool check-config`. */
  readonly smtpSmarthost?: string;
  readonly smtpFrom?: string;
}

function matcherString(m: Matcher): string {
  return `${m.name}${m.matchType}${JSON.stringify(m.value)}`;
}

/**
 * The plain Alertmanager configuration the operator renders from the custom
 * resource, so `amtool` can check it: the root route goes to "null", the
 * resource's route hangs below it with receivers named `<ns>/<name>/<receiver>`,
 * the operator's own `namespace="<ns>"` matcher appended and `continue: true`.
 */
export function toAlertmanagerYaml(config: AlertmanagerConfigObject, options: AlertmanagerYamlOptions = {}): string {
  const { name, namespace } = config.metadata;
  const qualify = (receiver: string) => `${namespace}/${name}/${receiver}`;
  type PlainRoute = { receiver: string; group_by?: string[]; matchers?: string[]; continue?: boolean; routes?: PlainRoute[] };
  const convert = (route: Route, top: boolean): PlainRoute => {
    const matchers = [...(route.matchers ?? []).map(matcherString), ...(top ? [`namespace=${JSON.stringify(namespace)}`] : [])];
    return {
      receiver: qualify(route.receiver),
      ...(route.groupBy ? { group_by: [...route.groupBy] } : {}),
      ...(matchers.length > 0 ? { matchers } : {}),
      ...(top ? { continue: true } : {}),
      ...(route.routes ? { routes: route.routes.map((r) => convert(r, false)) } : {}),
    };
  };
  const receivers = config.spec.receivers.map((r) => {
    if (r.webhookConfigs && options.webhookUrl === undefined) throw new Error(`receiver ${r.name} uses the webhook, but no webhookUrl was given`);
    return {
      name: qualify(r.name),
      ...(r.webhookConfigs ? { webhook_configs: r.webhookConfigs.map(() => ({ url: options.webhookUrl })) } : {}),
      ...(r.emailConfigs ? { email_configs: r.emailConfigs.map((e) => ({ to: e.to })) } : {}),
    };
  });
  return stringify({
    global: { smtp_smarthost: options.smtpSmarthost ?? "localhost:25", smtp_from: options.smtpFrom ?? "alertmanager@localhost" },
    route: { receiver: "null", routes: [convert(config.spec.route, true)] },
    receivers: [{ name: "null" }, ...receivers],
  });
}

/**
 * The AlertmanagerConfig. Type token: upkeep:notify:UpkeepAlertRouting.
 * Create it only with `upkeep:alerting.alertmanager: true`, and after the
 * namespace (whose component holds the webhook Secret): the operator rejects
 * a config whose urlSecret does not exist.
 */
export class UpkeepAlertRouting extends pulumi.ComponentResource {
  public readonly configName: pulumi.Output<string>;

  constructor(name: string, args: AlertRoutingInputs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:notify:UpkeepAlertRouting", name, {}, opts);
    const built = buildAlertmanagerConfig(args);
    const resource = new k8s.apiextensions.CustomResource(
      `${name}-alertmanagerconfig`,
      { apiVersion: built.apiVersion, kind: built.kind, metadata: built.metadata, spec: built.spec },
      // A fixed name: a replacement must delete first.
      { parent: this, deleteBeforeReplace: true },
    );
    this.configName = resource.metadata.name;
    this.registerOutputs({ configName: this.configName });
  }
}
