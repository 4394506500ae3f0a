/**
 * UpkeepAlertRouting: an AlertmanagerConfig that sends upkeep's alerts of one
 * environment to its receivers by severity (critical and warning: webhook and
 * on-call email; info: webhook only), for clusters whose Alertmanager is run
 * by the Prometheus Operator (`upkeep:alerting.alertmanager: true`).
 * The webhook URL is a secret, so it lives in a Kubernetes Secret, the one
 * MaintenanceNamespace keeps for every consumer (WEBHOOK_SECRET), which the
 * receivers reference (`urlSecret`); it never appears in the custom resource.
 * Email receivers carry their own SMTP settings (`upkeep:alerting.smtp`).
 * With `upkeep:alerting.muteDuringWindow`, other alerts matched there are
 * routed the same way but muted during the maintenance window; upkeep's own
 * alerts take the first route, which is never muted.
 */
import { k8s } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { componentLabels, WEBHOOK_SECRET } from "../kubernetes";
import { UPKEEP_ALERT_PREFIX, type AlertMatcher, type Severity, type UpkeepConfig } from "../config";
import { windowMuteInterval, type MuteTimeInterval, type QuietWindowInputs, type TimeInterval } from "./quietWindow";
import { SEVERITIES } from "./topics";

/** Every upkeep alert is named `Upkeep…` (see ALERT_NAMES in alerts.ts). */
export const UPKEEP_ALERTNAME_REGEX = `${UPKEEP_ALERT_PREFIX}.*`;

/** The key of `upkeep:alerting.smtp.authSecret`'s Secret that holds the SMTP password. */
export const SMTP_PASSWORD_KEY = "password";

export type SmtpSettings = NonNullable<UpkeepConfig["alerting"]["smtp"]>;

export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly matchType: "=" | "!=" | "=~" | "!~";
}

export interface Route {
  readonly receiver: string;
  readonly groupBy?: readonly string[];
  readonly matchers?: readonly Matcher[];
  readonly muteTimeIntervals?: readonly string[];
  readonly routes?: readonly Route[];
}

export interface EmailConfig {
  readonly to: string;
  readonly from: string;
  readonly smarthost: string;
  readonly authUsername?: string;
  readonly authPassword?: { readonly name: string; readonly key: string };
}

export interface Receiver {
  readonly name: string;
  readonly webhookConfigs?: readonly { readonly urlSecret: { readonly name: string; readonly key: string } }[];
  readonly emailConfigs?: readonly EmailConfig[];
}

/** A type alias, not an interface, so it stays assignable to the plan's generic KubernetesObject. */
export type AlertmanagerConfigObject = {
  readonly apiVersion: "monitoring.coreos.com/v1alpha1";
  readonly kind: "AlertmanagerConfig";
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  readonly spec: { readonly route: Route; readonly receivers: readonly Receiver[]; readonly muteTimeIntervals?: readonly MuteTimeInterval[] };
};

export interface AlertRoutingInputs {
  readonly environment: string;
  readonly namespace: string;
  /** On-call addresses (`upkeep:notify.emails`): critical and warning. */
  readonly emails: readonly string[];
  /** Whether `upkeep:notify.webhookUrl` is set (and so the WEBHOOK_SECRET Secret exists): every severity then also goes to it. */
  readonly hasWebhook: boolean;
  /** `upkeep:alerting.smtp`: required when `emails` is not empty. */
  readonly smtp?: SmtpSettings;
  /** `upkeep:alerting.muteDuringWindow` and the window they are muted in. */
  readonly quietWindow?: { readonly matcherSets: readonly (readonly AlertMatcher[])[] } & QuietWindowInputs;
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

/** The receiver that sends nothing: the top route's, when it must match more than upkeep's alerts. */
const NOBODY = "none";

function emailConfig(to: string, smtp: SmtpSettings): EmailConfig {
  return {
    to,
    from: smtp.from,
    smarthost: smtp.smarthost,
    ...(smtp.authSecret !== undefined ? { authUsername: smtp.authUsername!, authPassword: { name: smtp.authSecret, key: SMTP_PASSWORD_KEY } } : {}),
  };
}

/** By severity, the same for upkeep's alerts and muted ones; `mute` goes on every leaf, as Alertmanager checks it only there. */
function severityRoutes(mute: readonly string[] = []): Route[] {
  return SEVERITIES.map((severity) => ({
    receiver: severity,
    matchers: [{ name: "severity", value: severity, matchType: "=" as const }],
    ...(mute.length > 0 ? { muteTimeIntervals: [...mute] } : {}),
  }));
}

export function buildAlertmanagerConfig(inputs: AlertRoutingInputs): AlertmanagerConfigObject {
  if (inputs.emails.length > 0 && inputs.smtp === undefined) {
    throw new Error("email receivers need SMTP settings (upkeep:alerting.smtp): prometheus-operator 0.79+ refuses the whole configuration without them");
  }
  const receiver = (name: string, emailed: boolean): Receiver => ({
    name,
    ...(inputs.hasWebhook ? { webhookConfigs: [{ urlSecret: { ...WEBHOOK_SECRET } }] } : {}),
    ...(emailed && inputs.emails.length > 0 ? { emailConfigs: inputs.emails.map((to) => emailConfig(to, inputs.smtp!)) } : {}),
  });
  const upkeepMatchers: Matcher[] = [
    { name: "environment", value: inputs.environment, matchType: "=" },
    { name: "alertname", value: UPKEEP_ALERTNAME_REGEX, matchType: "=~" },
  ];
  const metadata = {
    name: `upkeep-${inputs.environment}`,
    namespace: inputs.namespace,
    labels: componentLabels(inputs.environment, "alert-routing"),
  };
  const digestToEmails = inputs.digestToEmails === true && inputs.emails.length > 0;
  // A receiver with no channel (info without a webhook) drops its alerts on purpose.
  const receivers: Receiver[] = [...(digestToEmails ? [receiver("digest", true)] : []), ...SEVERITIES.map((severity) => receiver(severity, EMAILED[severity]))];
  // The digest, an info alert, still reaches on-call's mail; then everything by severity.
  const upkeepRoutes: Route[] = [
    ...(digestToEmails ? [{ receiver: "digest", matchers: [{ name: "alertname", value: DIGEST_ALERTNAME, matchType: "=" as const }] }] : []),
    ...severityRoutes(),
  ];
  const sets = inputs.quietWindow?.matcherSets ?? [];
  if (sets.length === 0) {
    return {
      apiVersion: "monitoring.coreos.com/v1alpha1",
      kind: "AlertmanagerConfig",
      metadata,
      spec: {
        // An alert with an unexpected severity still reaches people rather than nobody.
        route: { receiver: "warning", groupBy: ["alertname", "task"], matchers: upkeepMatchers, routes: upkeepRoutes },
        receivers,
      },
    };
  }
  const interval = windowMuteInterval(inputs.quietWindow!);
  const mute = [interval.name];
  return {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    metadata,
    spec: {
      // The top route must see other alerts too now; what no child takes goes nowhere.
      route: {
        receiver: NOBODY,
        groupBy: ["alertname", "task"],
        routes: [
          // First, and never muted: upkeep's own alerts are how on-call learns that a task failed in the window.
          { receiver: "warning", matchers: upkeepMatchers, routes: upkeepRoutes },
          ...sets.map((set) => ({
            receiver: "warning",
            matchers: [...set, { name: "alertname", value: UPKEEP_ALERTNAME_REGEX, matchType: "!~" as const }],
            muteTimeIntervals: mute,
            routes: severityRoutes(mute),
          })),
        ],
      },
      receivers: [...receivers, { name: NOBODY }],
      muteTimeIntervals: [interval],
    },
  };
}

export interface AlertmanagerYamlOptions {
  /** The URL the Secret holds (the operator inlines it); required when a receiver uses the webhook. */
  readonly webhookUrl?: string;
  /** The password the SMTP auth Secret holds (the operator inlines it); required when a receiver logs in. */
  readonly smtpPassword?: string;
  /** The Alertmanager's own global SMTP settings. None by default, as on an Alertmanager without them. */
  readonly globalSmtp?: { readonly smarthost: string; readonly from: string };
  /**
   * The Alertmanager's `alertmanagerConfigMatcherStrategy`: `OnNamespace` (the
   * default) adds `namespace="<ns>"` to the top route; `None` adds nothing.
   */
  readonly matcherStrategy?: "OnNamespace" | "None";
}

function matcherString(m: Matcher): string {
  return `${m.name}${m.matchType}${JSON.stringify(m.value)}`;
}

/** A time interval as Alertmanager's own configuration spells it. */
function plainInterval(t: TimeInterval) {
  return {
    ...(t.times ? { times: t.times.map((r) => ({ start_time: r.startTime, end_time: r.endTime })) } : {}),
    ...(t.daysOfMonth ? { days_of_month: t.daysOfMonth.map((d) => `${d.start}:${d.end}`) } : {}),
    ...(t.months ? { months: [...t.months] } : {}),
    ...(t.years ? { years: [...t.years] } : {}),
  };
}

/**
 * The plain Alertmanager configuration the operator renders from the custom
 * resource, so `amtool` can check it: the root route goes to "null", the
 * resource's route hangs below it with receivers and mute intervals named
 * `<ns>/<name>/<name>`, the operator's own `namespace="<ns>"` matcher
 * appended (unless the strategy is None) and `continue: true`.
 */
export function toAlertmanagerYaml(config: AlertmanagerConfigObject, options: AlertmanagerYamlOptions = {}): string {
  const { name, namespace } = config.metadata;
  const qualify = (local: string) => `${namespace}/${name}/${local}`;
  const onNamespace = (options.matcherStrategy ?? "OnNamespace") === "OnNamespace";
  type PlainRoute = { receiver: string; group_by?: string[]; matchers?: string[]; continue?: boolean; mute_time_intervals?: string[]; routes?: PlainRoute[] };
  const convert = (route: Route, top: boolean): PlainRoute => {
    const matchers = [...(route.matchers ?? []).map(matcherString), ...(top && onNamespace ? [`namespace=${JSON.stringify(namespace)}`] : [])];
    return {
      receiver: qualify(route.receiver),
      ...(route.groupBy ? { group_by: [...route.groupBy] } : {}),
      ...(matchers.length > 0 ? { matchers } : {}),
      ...(top ? { continue: true } : {}),
      ...(route.muteTimeIntervals ? { mute_time_intervals: route.muteTimeIntervals.map(qualify) } : {}),
      ...(route.routes ? { routes: route.routes.map((r) => convert(r, false)) } : {}),
    };
  };
  const receivers = config.spec.receivers.map((r) => {
    if (r.webhookConfigs && options.webhookUrl === undefined) throw new Error(`receiver ${r.name} uses the webhook, but no webhookUrl was given`);
    const emails = (r.emailConfigs ?? []).map((e) => {
      if (e.authPassword && options.smtpPassword === undefined) throw new Error(`receiver ${r.name} logs in to SMTP, but no smtpPassword was given`);
      return {
        to: e.to,
        from: e.from,
        smarthost: e.smarthost,
        ...(e.authUsername !== undefined ? { auth_username: e.authUsername, auth_password: options.smtpPassword } : {}),
      };
    });
    return {
      name: qualify(r.name),
      ...(r.webhookConfigs ? { webhook_configs: r.webhookConfigs.map(() => ({ url: options.webhookUrl })) } : {}),
      ...(emails.length > 0 ? { email_configs: emails } : {}),
    };
  });
  const intervals = (config.spec.muteTimeIntervals ?? []).map((i) => ({ name: qualify(i.name), time_intervals: i.timeIntervals.map(plainInterval) }));
  return stringify({
    ...(options.globalSmtp ? { global: { smtp_smarthost: options.globalSmtp.smarthost, smtp_from: options.globalSmtp.from } } : {}),
    route: { receiver: "null", routes: [convert(config.spec.route, true)] },
    receivers: [{ name: "null" }, ...receivers],
    ...(intervals.length > 0 ? { mute_time_intervals: intervals } : {}),
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
