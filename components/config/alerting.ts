/**
 * `upkeep:alerting`: where runbooks live, whether upkeep routes its alerts
 * itself, how its monitoring objects fit the cluster's Prometheus and
 * Alertmanager (selector labels, SMTP for email receivers, quiet windows),
 * and the Pushgateway every built-in task reports its outcome to.
 */
import { z } from "zod";
import { labelMap } from "./labels";
import { matcherSet } from "./matchers";
import { email, httpsUrl, rfc1123Name } from "./validators";

export const DEFAULT_RUNBOOK_BASE = "docs/runbooks";

/**
 * SMTP for the AlertmanagerConfig's email receivers. Since prometheus-operator
 * 0.79 an email receiver without smarthost and from makes the operator refuse
 * the whole Alertmanager configuration when the Alertmanager has no global
 * SMTP settings, so upkeep writes them on every email receiver.
 */
const smtpSchema = z
  .strictObject({
    smarthost: z.string().refine((v) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(v), {
      error: (iss) => `must be host:port, such as smtp.example.com:587 (got ${JSON.stringify(iss.input)})`,
    }),
    from: email,
    /** The SMTP login; its password lives in the Secret `authSecret` names. */
    authUsername: z.string().min(1).optional(),
    /** An existing Secret in upkeep's namespace with the key `password`. */
    authSecret: rfc1123Name(253, "Kubernetes' Secret name limit").optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.authUsername === undefined) !== (s.authSecret === undefined)) {
      const [missing, given] = s.authUsername === undefined ? ["authUsername", "authSecret"] : ["authSecret", "authUsername"];
      ctx.addIssue({ code: "custom", path: [missing], message: `is required with ${given}: set both for an SMTP login, or neither` });
    }
  });

/**
 * `deploy`: upkeep runs its own Pushgateway in the namespace; `off`: no pushed
 * outcomes, only kube-state-metrics' view of the CronJobs; an http(s) URL: an
 * existing Pushgateway (its base, without `/metrics`).
 */
export const PUSHGATEWAY_MODES = ["deploy", "off"] as const;
export const DEFAULT_PUSHGATEWAY = "deploy";

const pushgateway = z.string().refine((v) => (PUSHGATEWAY_MODES as readonly string[]).includes(v) || /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(v), {
  error: (iss) => `must be "deploy", "off" or the http(s):// URL of an existing Pushgateway (got ${JSON.stringify(iss.input)})`,
});

export const alertingSchema = z
  .strictObject({
    runbookBaseUrl: httpsUrl.default(DEFAULT_RUNBOOK_BASE),
    alertmanager: z.boolean().default(false),
    /** Added to every PrometheusRule and ServiceMonitor upkeep makes, for the Prometheus's rule and ServiceMonitor selectors. */
    ruleLabels: labelMap.default({}),
    smtp: smtpSchema.optional(),
    /** Matcher sets whose alerts the AlertmanagerConfig mutes during the maintenance window. */
    muteDuringWindow: z.array(matcherSet).default([]),
    pushgateway: pushgateway.default(DEFAULT_PUSHGATEWAY),
  })
  .default({ runbookBaseUrl: DEFAULT_RUNBOOK_BASE, alertmanager: false, ruleLabels: {}, muteDuringWindow: [], pushgateway: DEFAULT_PUSHGATEWAY });
