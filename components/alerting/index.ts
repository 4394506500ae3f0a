/**
 * What tells people: upkeep's PrometheusRules per task, the Alertmanager routing, the SNS topics
 * alerts and reminders go to, and the EventBridge rules that feed AWS events into them.
 */
export { UpkeepAlertRouting } from "./alertmanager";
export { MaintenanceDashboard } from "./dashboard";
export { eventRuleName, routeEventsToTopic } from "./eventsToTopic";
export { ALERT_NAMES, type AlertRule, MaintenanceAlerts, runbookUrl } from "./taskAlerts";
export { figureAlertNames, RECORD_ALERT_NAMES } from "./recordAlerts";
export { monitoringObjectLabels, type MonitoringObjectLabelInputs } from "./selectorLabels";
export { NotificationTopics } from "./topics";
export { buildPushgateway, Pushgateway, PUSHGATEWAY_IMAGE, pushgatewayUrl } from "./pushgateway";
