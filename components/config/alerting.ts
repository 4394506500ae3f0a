/**
 * `upkeep:alerting`: where runbooks live, whether upkeep routes its alerts
 * itself, and the Pushgateway every built-in task reports its outcome to.
 */
import { z } from "zod";
import { httpsUrl } from "./validators";

export const DEFAULT_RUNBOOK_BASE = "docs/runbooks";

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
    pushgateway: pushgateway.default(DEFAULT_PUSHGATEWAY),
  })
  .default({ runbookBaseUrl: DEFAULT_RUNBOOK_BASE, alertmanager: false, pushgateway: DEFAULT_PUSHGATEWAY });
