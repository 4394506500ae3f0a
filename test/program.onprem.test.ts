/**
 * The real index.ts under Pulumi's runtime mocks with the committed
 * Kubernetes-only stack (stacks/Pulumi.onprem.yaml): no AWS provider and no
 * AWS resource at all; the routine digest, the stakeholder notices and the
 * version check are hardened CronJobs carrying the messages the Scheduler
 * path would send; the completion report fires through Alertmanager.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, test } from "node:test";
import { runProgram, type ProgramRun, type RecordedResource } from "../cli/mockRuntime";
import { readStackFile } from "../cli/stackFile";
import { parsePulumiConfig } from "../components/config";
import { routineDigests } from "../components/routine/digest";
import { ROOT } from "./support/configs";

type Obj = Record<string, any>;
let run: ProgramRun;
const stack = readStackFile(join(ROOT, "stacks", "Pulumi.onprem.yaml"));

const named = (type: string, name: string): RecordedResource => {
  const hit = run.resources.find((r) => r.type === type && r.name === name);
  assert.ok(hit, `${type} ${name} was not registered`);
  return hit;
};
const podOf = (name: string): Obj => (named("kubernetes:batch/v1:CronJob", `${name}-cronjob`).inputs as Obj).spec.jobTemplate.spec.template.spec;
const envOf = (name: string): Record<string, string> =>
  Object.fromEntries(podOf(name).containers[0].env.map((e: Obj) => [e.name, e.value ?? JSON.stringify(e.valueFrom)]));

before(async () => {
  run = await runProgram(join(ROOT, "index.ts"), "onprem", stack);
});

test("no AWS provider and no AWS resource: the stack needs no AWS account", () => {
  assert.deepEqual(run.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws").map((r) => r.urn), []);
  assert.equal(run.outputs.topicArns, null);
  assert.deepEqual(run.outputs.topicKeyPolicyStatements, []);
  const providers = run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.type);
  assert.deepEqual(providers, ["pulumi:providers:kubernetes"]);
});

test("the routine runs as CronJobs at the review time: the digest every working day, each notice on its working day", () => {
  const schedule = (name: string) => {
    const spec = (named("kubernetes:batch/v1:CronJob", `${name}-cronjob`).inputs as Obj).spec;
    return [spec.schedule, spec.timeZone];
  };
  assert.deepEqual(schedule("routine-digest"), ["0 9 * * 1-5", "Europe/Paris"]);
  // Wed 01:00 − 48 h is Monday 01:00: the last working day at 09:00 before it is Friday. Sat 01:00 − 48 h: Wednesday.
  assert.deepEqual(schedule("stakeholder-notice-wed"), ["0 9 * * 5", "Europe/Paris"]);
  assert.deepEqual(schedule("stakeholder-notice-sat"), ["0 9 * * 3", "Europe/Paris"]);
  const version = (named("kubernetes:batch/v1:CronJob", "kubernetes-version-check-cronjob").inputs as Obj).metadata.annotations;
  assert.equal(version["upkeep.dev/outside-window"], undefined, "the version check runs in the window");
});

test("the digest CronJob carries the messages the Scheduler path would send, the zone's standard offset, and Alertmanager", () => {
  const config = parsePulumiConfig(stack.all, new Set(stack.secretKeys));
  const messages = Object.fromEntries(routineDigests(config).map((d) => [d.kind, d.message]));
  const env = envOf("routine-digest");
  assert.deepEqual(
    [env.UPKEEP_DIGEST_TUE_FRI, env.UPKEEP_DIGEST_MON, env.UPKEEP_DIGEST_MON_FIRST, env.UPKEEP_DIGEST_MON_FIRST_QUARTER],
    [messages["tue-fri"], messages.mon, messages["mon-first"], messages["mon-first-quarter"]],
  );
  assert.match(env.UPKEEP_DIGEST_MON_FIRST_QUARTER!, /^\[upkeep onprem\] Routine checks due today: 3 daily, 4 weekly, 4 monthly, 4 quarterly\n/);
  assert.equal(env.UPKEEP_UTC_OFFSET_MINUTES, "60", "Europe/Paris outside summer time");
  assert.equal(env.UPKEEP_ALERTMANAGER_URL, "http://alertmanager-operated.monitoring.svc:9093");
  assert.equal(env.UPKEEP_NAMESPACE, "upkeep-onprem");
  assert.equal(env.UPKEEP_WEBHOOK_URL, undefined);
  assert.deepEqual(podOf("routine-digest").containers[0].command, ["/bin/sh", "/upkeep/scripts/routine-digest.sh"]);
});

test("each notice CronJob carries its window's notice; the completion report goes to Alertmanager", () => {
  assert.match(envOf("stakeholder-notice-wed").UPKEEP_NOTICE_MESSAGE!, /^\[upkeep onprem\] Maintenance window Wed 01:00–04:00 Europe\/Paris\n/);
  assert.match(envOf("stakeholder-notice-sat").UPKEEP_NOTICE_MESSAGE!, /^\[upkeep onprem\] Maintenance window Sat 01:00–04:00 Europe\/Paris\n/);
  const verify = envOf("post-maintenance-verify");
  assert.equal(verify.UPKEEP_ALERTMANAGER_URL, "http://alertmanager-operated.monitoring.svc:9093");
  assert.equal(verify.UPKEEP_NAMESPACE, "upkeep-onprem");
  // The window report, in one container: no publisher, no role, nothing but the Pushgateway and Alertmanager.
  const pod = podOf("post-maintenance-verify");
  assert.deepEqual(pod.containers[0].command, ["/bin/sh", "/upkeep/scripts/window-report.sh"]);
  assert.equal(pod.initContainers, undefined);
  assert.equal(verify.UPKEEP_STEP, undefined);
  assert.equal(verify.UPKEEP_PUSHGATEWAY_URL, "http://upkeep-pushgateway.upkeep-onprem.svc:9091");
  assert.equal(verify.UPKEEP_WINDOW, "01:00 180");
  const sa = named("kubernetes:core/v1:ServiceAccount", "post-maintenance-verify-sa").inputs as Obj;
  assert.equal(sa.metadata.annotations, undefined, "no IRSA role");
});

test("the routine CronJobs push their outcome like every task", () => {
  for (const task of ["routine-digest", "stakeholder-notice-wed", "stakeholder-notice-sat", "kubernetes-version-check"]) {
    assert.equal(envOf(task).UPKEEP_PUSHGATEWAY_URL, "http://upkeep-pushgateway.upkeep-onprem.svc:9091", task);
  }
});

test("the version check reads /version with a projected token of its own ServiceAccount, and stays hardened", () => {
  const pod = podOf("kubernetes-version-check");
  assert.equal(pod.automountServiceAccountToken, false, "no automounted token: only the projected one");
  assert.deepEqual(pod.volumes.find((v: Obj) => v.name === "api-token"), {
    name: "api-token",
    projected: {
      defaultMode: 0o444,
      sources: [
        { serviceAccountToken: { expirationSeconds: 600, path: "token" } },
        { configMap: { items: [{ key: "ca.crt", path: "ca.crt" }], name: "kube-root-ca.crt" } },
      ],
    },
  });
  assert.deepEqual(pod.containers[0].volumeMounts.at(-1), { mountPath: "/var/run/secrets/upkeep", name: "api-token", readOnly: true });
  assert.deepEqual(pod.containers[0].securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
  });
  const env = envOf("kubernetes-version-check");
  assert.equal(env.UPKEEP_OLDEST_SUPPORTED_VERSION, "1.29");
  assert.equal(env.UPKEEP_SERVICE_ACCOUNT_DIR, "/var/run/secrets/upkeep");
  // No Role or ClusterRole: system:public-info-viewer already lets every authenticated identity read /version.
  assert.deepEqual(run.resources.filter((r) => /rbac/.test(r.type)).map((r) => r.type), []);
});

test("the AlertmanagerConfig mails the digest to on-call, as the warning topic would", () => {
  const amc = named("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "upkeep-alertmanagerconfig").inputs as Obj;
  assert.deepEqual(amc.spec.route.routes[0], { matchers: [{ matchType: "=", name: "alertname", value: "UpkeepRoutineDigest" }], receiver: "digest" });
  assert.deepEqual(amc.spec.receivers[0], { emailConfigs: [{ to: "platform-onprem@example.com", from: "upkeep-onprem@example.com", smarthost: "mail.onprem.example.com:25" }], name: "digest" });
});

test("every routine CronJob has its three alerts", () => {
  const rule = named("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "upkeep-prometheusrule").inputs as Obj;
  const tasks = new Set(rule.spec.groups.flatMap((g: Obj) => g.rules.map((r: Obj) => r.labels.task)));
  for (const task of ["routine-digest", "stakeholder-notice-wed", "stakeholder-notice-sat", "kubernetes-version-check"]) assert.ok(tasks.has(task), task);
});
