// The Pushgateway upkeep deploys: pinned, one replica that never shares its
// volume, its data on a PVC, Pod Security "restricted", a ServiceMonitor that
// keeps the pushed labels and carries alerting.ruleLabels; and the URL every
// task pushes to in each mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildPushgateway, PUSHGATEWAY_IMAGE, pushgatewayUrl } from "../components/alerting/pushgateway";
import { validateObjects } from "../cli/validateObjects";

const objects = buildPushgateway({ environment: "prod", namespace: "upkeep-maintenance", protect: true, ruleLabels: { release: "kube-prometheus-stack" } });

test("every object validates against the published schemas", async () => {
  assert.deepEqual(await validateObjects(Object.values(objects)), []);
});

test("pinned, one replica, Recreate, its data on the PVC, hardened", () => {
  const spec = objects.deployment.spec as any;
  assert.match(PUSHGATEWAY_IMAGE, /^quay\.io\/prometheus\/pushgateway:v\d+\.\d+\.\d+$/);
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: "Recreate" });
  const pod = spec.template.spec;
  assert.equal(pod.automountServiceAccountToken, false);
  assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } });
  const c = pod.containers[0];
  assert.equal(c.image, PUSHGATEWAY_IMAGE);
  assert.deepEqual(c.args, ["--web.listen-address=:9091", "--persistence.file=/data/pushgateway.data", "--persistence.interval=1m"]);
  assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
  assert.deepEqual(c.volumeMounts, [{ name: "data", mountPath: "/data" }]);
  assert.deepEqual(pod.volumes, [{ name: "data", persistentVolumeClaim: { claimName: "upkeep-pushgateway" } }]);
  assert.deepEqual((objects.persistentVolumeClaim.spec as any).accessModes, ["ReadWriteOnce"]);
  assert.deepEqual(c.readinessProbe.httpGet, { path: "/-/ready", port: "http" });
});

test("the ServiceMonitor keeps the pushed labels and is selected by ruleLabels; the Service selects only this gateway", () => {
  const sm = objects.serviceMonitor;
  assert.equal(sm.metadata.labels.release, "kube-prometheus-stack");
  assert.deepEqual((sm.spec as any).endpoints, [{ port: "http", path: "/metrics", interval: "30s", honorLabels: true }]);
  assert.deepEqual((sm.spec as any).selector.matchLabels, (objects.service.spec as any).selector);
  assert.deepEqual((objects.service.spec as any).selector, { "app.kubernetes.io/name": "upkeep-pushgateway", "upkeep.dev/environment": "prod" });
});

test("where the tasks push: the Service, an existing gateway's URL, or nowhere", () => {
  assert.equal(pushgatewayUrl("deploy", "upkeep-dev"), "http://upkeep-pushgateway.upkeep-dev.svc:9091");
  assert.equal(pushgatewayUrl("https://push.example.com/base/", "x"), "https://push.example.com/base");
  assert.equal(pushgatewayUrl("off", "x"), undefined);
});
