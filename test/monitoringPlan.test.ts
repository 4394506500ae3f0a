/**
 * The prod stack's plan, as `pulumi up` would apply it: the program passes
 * the monitoring settings of the stack file to every object that needs them.
 * The builders are tested on their own; this catches index.ts forgetting one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { runPlan } from "./support/planChild";

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

test("prod plan: rules carry ruleLabels, email receivers their SMTP, the window its mute, and the dashboard its sidecar label", async () => {
  const plan = await runPlan({ stack: "prod" });
  try {
    assert.equal(plan.code, 0, plan.stderr);
    const objects = parseAllDocuments(plan.file("kubernetes.yaml")!).map((d) => d.toJSON() as Obj);
    const rules = objects.filter((o) => o.kind === "PrometheusRule");
    assert.ok(rules.length > 0);
    for (const rule of rules) assert.equal(rule.metadata.labels?.release, "kube-prometheus-stack", rule.metadata.name);

    const routing = objects.find((o) => o.kind === "AlertmanagerConfig")!;
    const emails = routing.spec.receivers.flatMap((r: any) => r.emailConfigs ?? []);
    assert.ok(emails.length > 0);
    for (const e of emails) {
      assert.deepEqual(
        { from: e.from, smarthost: e.smarthost, authUsername: e.authUsername, authPassword: e.authPassword },
        { from: "upkeep-prod@example.com", smarthost: "smtp.example.com:587", authUsername: "upkeep-prod", authPassword: { name: "upkeep-smtp", key: "password" } },
      );
    }
    assert.deepEqual(routing.spec.muteTimeIntervals.map((i: any) => i.name), ["maintenance-window"]);
    assert.deepEqual(routing.spec.route.routes[1].matchers.map((m: any) => `${m.name}${m.matchType}${m.value}`), [
      "alertname=~PostgresHighLatency|PostgresSlowQueries",
      "service=~orders-db|billing-db",
      "alertname!~Upkeep.*",
    ]);

    const dashboard = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "upkeep-prod-dashboard")!;
    assert.equal(dashboard.metadata.namespace, "upkeep-maintenance");
    assert.equal(dashboard.metadata.labels?.grafana_dashboard, "1");
    assert.equal(JSON.parse(dashboard.data!["upkeep-prod.json"]!).timezone, "Europe/Berlin");
  } finally {
    plan.cleanup();
  }
});
