/**
 * The labels of every object a Prometheus picks up by label: PrometheusRules
 * (its `ruleSelector`) and ServiceMonitors (its `serviceMonitorSelector`).
 * kube-prometheus-stack selects both by `release: <helm release>` by default
 * and ignores, without a word, an object that lacks it; `upkeep:alerting.ruleLabels`
 * carries whatever the cluster's selectors ask for. Every PrometheusRule and
 * ServiceMonitor builder takes its labels from here, so none can forget them.
 */
import { componentLabels } from "../kubernetes";

export interface MonitoringObjectLabelInputs {
  readonly environment: string;
  /** `app.kubernetes.io/component`, e.g. `alerts` or `pushgateway`. */
  readonly component: string;
  /** `upkeep:alerting.ruleLabels`. */
  readonly ruleLabels: Readonly<Record<string, string>>;
}

/** upkeep's own labels win: config refuses ruleLabels under app.kubernetes.io/ and upkeep.dev/, and this order keeps it so. */
export function monitoringObjectLabels(inputs: MonitoringObjectLabelInputs): Record<string, string> {
  return {
    ...inputs.ruleLabels,
    ...componentLabels(inputs.environment, inputs.component),
  };
}
