/**
 * The real index.ts under Pulumi's runtime mocks (setMocks first, then the
 * import), with the committed prod stack plus a secret kubeconfig. Asserts the
 * exact inputs and safety options of what it registers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, test } from "node:test";
import { runProgram, type ProgramRun, type RecordedResource } from "../cli/mockRuntime";
import { readStackFile } from "../cli/stackFile";
import { readdirSync } from "node:fs";
import { loadScripts, SCRIPTS_DIR } from "../components/kubernetes/scriptsBundle";
import { cleanupTablesEnv, slotStart } from "../components/kubernetes/containers";
import { ROOT } from "./support/configs";

const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers: [{name: admin, user: {token: hunter2-token}}]";
const WEBHOOK = "https://hooks.example.com/services/hunter2-webhook";
let run: ProgramRun;

const byType = (type: string) => run.resources.filter((r) => r.type === type);
const named = (type: string, name: string): RecordedResource => {
  const hit = run.resources.find((r) => r.type === type && r.name === name);
  assert.ok(hit, `${type} ${name} was not registered`);
  return hit;
};
type Obj = Record<string, any>;

before(async () => {
  const stack = readStackFile(join(ROOT, "stacks", "Pulumi.prod.yaml"));
  // `pulumi config set --secret --path upkeep:notify.webhookUrl` makes the whole key secret.
  const notify = { ...JSON.parse(stack.all["upkeep:notify"]!), webhookUrl: WEBHOOK };
  run = await runProgram(join(ROOT, "index.ts"), "prod", {
    all: { ...stack.all, "upkeep:kubeconfig": KUBECONFIG, "upkeep:notify": JSON.stringify(notify) },
    secretKeys: [...stack.secretKeys, "upkeep:kubeconfig", "upkeep:notify"],
  });
});

test("providers are explicit: kubeconfig from the secret, AWS region and default tags from the stack", () => {
  assert.deepEqual(named("pulumi:providers:kubernetes", "upkeep-kubernetes").inputs, { enableServerSideApply: "true", kubeconfig: "[secret]" });
  const awsInputs = named("pulumi:providers:aws", "upkeep-aws").inputs;
  assert.equal(awsInputs.region, "eu-central-1");
  assert.deepEqual(JSON.parse(String(awsInputs.defaultTags)), { tags: { environment: "prod", "managed-by": "upkeep" } });
});

test("the secret kubeconfig and webhook URL never appear in any recorded input or output", () => {
  const everything = JSON.stringify(run);
  assert.ok(!everything.includes("hunter2"), "the kubeconfig leaked into the plan");
});

test("the namespace enforces Pod Security restricted and is protected in production", () => {
  const ns = named("kubernetes:core/v1:Namespace", "upkeep-namespace");
  assert.deepEqual(ns.inputs.metadata, {
    labels: {
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/part-of": "upkeep",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/warn": "restricted",
      "upkeep.dev/environment": "prod",
    },
    name: "upkeep-maintenance",
  });
  assert.deepEqual(ns.options, { protect: true });
});

test("the scripts ConfigMap carries every job script and the checksum every CronJob names", () => {
  const bundle = loadScripts();
  const cm = named("kubernetes:core/v1:ConfigMap", "upkeep-scripts");
  assert.deepEqual(cm.inputs.data, bundle.files);
  assert.deepEqual(Object.keys(bundle.files), readdirSync(SCRIPTS_DIR).filter((f) => f.endsWith(".sh")).sort());
  for (const core of ["cleanup.sh", "common.sh", "period-guard.sh", "reindex.sh", "tls-check.sh", "vacuum.sh", "verify-endpoints.sh"]) {
    assert.ok(core in bundle.files, core);
  }
  for (const cj of byType("kubernetes:batch/v1:CronJob")) {
    const meta = (cj.inputs as Obj).metadata;
    assert.equal(meta.annotations["upkeep.dev/scripts-checksum"], bundle.checksum, cj.name);
  }
});

test("every CronJob is hardened as documented", () => {
  const cronJobs = byType("kubernetes:batch/v1:CronJob");
  assert.deepEqual(cronJobs.map((c) => c.name).sort(), [
    "billing-reindex-cronjob",
    "billing-vacuum-cronjob",
    "image-scan-cronjob",
    "orders-cleanup-cronjob",
    "orders-dump-verify-cronjob",
    "orders-reindex-cronjob",
    "orders-vacuum-cronjob",
    "post-maintenance-verify-cronjob",
    "search-rebuild-cronjob",
    "tls-check-cronjob",
  ]);
  for (const cj of cronJobs) {
    const spec = (cj.inputs as Obj).spec;
    const job = spec.jobTemplate.spec;
    const pod = job.template.spec;
    const container = pod.containers[0];
    assert.equal(spec.concurrencyPolicy, "Forbid", cj.name);
    assert.equal(spec.startingDeadlineSeconds, 120, cj.name);
    assert.equal(spec.timeZone, "Europe/Berlin", cj.name);
    assert.equal(spec.suspend, false, cj.name);
    assert.equal(spec.successfulJobsHistoryLimit, 3, cj.name);
    assert.equal(spec.failedJobsHistoryLimit, 5, cj.name);
    assert.equal(job.backoffLimit, 2, cj.name);
    assert.equal(job.ttlSecondsAfterFinished, undefined, `${cj.name}: a TTL would delete failed Jobs and silence their alert`);
    assert.equal(pod.restartPolicy, "Never", cj.name);
    assert.equal(pod.automountServiceAccountToken, false, cj.name);
    assert.equal(pod.serviceAccountName, (cj.inputs as Obj).metadata.name, cj.name);
    assert.deepEqual(pod.securityContext, { runAsGroup: 10001, runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } }, cj.name);
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    }, cj.name);
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.cpu && container.resources.limits.memory, cj.name);
    assert.deepEqual(container.volumeMounts.slice(0, 2), [
      { mountPath: "/tmp", name: "tmp" },
      { mountPath: "/upkeep/scripts", name: "scripts", readOnly: true },
    ], cj.name);
    assert.deepEqual(cj.options.deleteBeforeReplace, true, cj.name);
  }
});

test("a database task: exact schedule, deadline, guard, and credentials only through secretKeyRef", () => {
  const cj = named("kubernetes:batch/v1:CronJob", "orders-reindex-cronjob");
  assert.equal(cj.parent, "urn:pulumi:prod::upkeep::upkeep:postgres:DatabaseMaintenance::orders");
  const spec = (cj.inputs as Obj).spec;
  assert.equal(spec.schedule, "55 1 * * 6");
  assert.equal(spec.jobTemplate.spec.activeDeadlineSeconds, 3600);
  assert.equal((cj.inputs as Obj).metadata.annotations["upkeep.dev/schedule"], "At 01:55, only on Saturday, the first one of each month only (Europe/Berlin)");
  const container = spec.jobTemplate.spec.template.spec.containers[0];
  assert.equal(container.image, "docker.io/library/postgres:15.10-alpine");
  assert.deepEqual(container.command, ["/bin/sh", "/upkeep/scripts/period-guard.sh", "/bin/sh", "/upkeep/scripts/reindex.sh"]);
  assert.equal(container.args, undefined);
  assert.deepEqual(container.env, [
    { name: "HOME", value: "/tmp" },
    { name: "UPKEEP_TASK", value: "orders-reindex" },
    { name: "UPKEEP_KIND", value: "reindex" },
    { name: "UPKEEP_ENVIRONMENT", value: "prod" },
    { name: "UPKEEP_CADENCE", value: "monthly" },
    { name: "UPKEEP_TIMEZONE", value: "Europe/Berlin" },
    { name: "UPKEEP_SLOT_START", value: "01:55" },
    { name: "UPKEEP_DEADLINE_SECONDS", value: "3600" },
    { name: "PGHOST", value: "orders-db.internal.example.com" },
    { name: "PGPORT", value: "5432" },
    { name: "PGDATABASE", value: "orders" },
    { name: "PGUSER", valueFrom: { secretKeyRef: { key: "PGUSER", name: "orders-db-maintenance" } } },
    { name: "PGPASSWORD", valueFrom: { secretKeyRef: { key: "PGPASSWORD", name: "orders-db-maintenance" } } },
    { name: "PGCONNECT_TIMEOUT", value: "10" },
    { name: "PGAPPNAME", value: "upkeep-orders-reindex" },
    { name: "PGSSLMODE", value: "require" },
    // Where the outcome line is pushed (and the guard asks).
    { name: "UPKEEP_PUSHGATEWAY_URL", value: "http://upkeep-pushgateway.upkeep-maintenance.svc:9091" },
  ]);
});

test("cleanup's tables carry their timestampZone; the slot's start comes from a cron with a fixed minute and hour", () => {
  assert.equal(
    cleanupTablesEnv([
      { table: "public.audit_log", timestampColumn: "created_at", retentionDays: 90, batchSize: 5000 },
      { table: "events", timestampColumn: "day", retentionDays: 7, batchSize: 100, timestampZone: "America/Argentina/Buenos_Aires" },
    ]),
    "public.audit_log:created_at:90:5000 events:day:7:100:America/Argentina/Buenos_Aires",
  );
  assert.deepEqual(["30 4 * * 6", "5 1 * 1,4,7,10 0", "0 23 * * *", "*/15 * * * *", "0 1-3 * * *", "61 1 * * *", undefined].map(slotStart), [
    "04:30", "01:05", "23:00", undefined, undefined, undefined, undefined,
  ]);
});

test("cleanup and vacuum get their task parameters; daily tasks run unguarded", () => {
  const cleanup = (named("kubernetes:batch/v1:CronJob", "orders-cleanup-cronjob").inputs as Obj).spec.jobTemplate.spec.template.spec.containers[0];
  assert.deepEqual(cleanup.command, ["/bin/sh", "/upkeep/scripts/cleanup.sh"]);
  assert.deepEqual(cleanup.env.find((e: Obj) => e.name === "UPKEEP_CLEANUP_TABLES"), { name: "UPKEEP_CLEANUP_TABLES", value: "public.audit_log:created_at:90:5000" });
  const vacuum = (named("kubernetes:batch/v1:CronJob", "billing-vacuum-cronjob").inputs as Obj).spec;
  assert.equal(vacuum.schedule, "5 1 * * *");
  assert.deepEqual(vacuum.jobTemplate.spec.template.spec.containers[0].env.find((e: Obj) => e.name === "UPKEEP_VACUUM_JOBS"), { name: "UPKEEP_VACUUM_JOBS", value: "4" });
  assert.equal(vacuum.jobTemplate.spec.activeDeadlineSeconds, 45 * 60);
});

test("a custom job keeps its own command and takes secrets only from secretEnv", () => {
  const cj = named("kubernetes:batch/v1:CronJob", "search-rebuild-cronjob");
  assert.equal(cj.parent, "urn:pulumi:prod::upkeep::upkeep:kubernetes:ScheduledJobs::upkeep");
  const spec = (cj.inputs as Obj).spec;
  assert.equal(spec.schedule, "0 5 * * 0");
  const container = spec.jobTemplate.spec.template.spec.containers[0];
  assert.deepEqual(container.command, ["/app/indexer"]);
  assert.deepEqual(container.args, ["rebuild", "--all", "--max-minutes", "18"]);
  assert.deepEqual(container.env.at(-1), { name: "SEARCH_API_TOKEN", valueFrom: { secretKeyRef: { key: "token", name: "search-indexer" } } });
});

test("every CronJob has its own ServiceAccount without a token", () => {
  for (const cj of byType("kubernetes:batch/v1:CronJob")) {
    const name = (cj.inputs as Obj).metadata.name;
    const sa = named("kubernetes:core/v1:ServiceAccount", `${cj.name.replace(/-cronjob$/, "")}-sa`);
    assert.equal((sa.inputs as Obj).metadata.name, name);
    assert.equal((sa.inputs as Obj).automountServiceAccountToken, false);
  }
});

test("the PrometheusRule has exactly the three alerts for every CronJob, those on its figures, and the metrics' absence, with production severity", () => {
  const rule = named("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "upkeep-prometheusrule").inputs as Obj;
  const rules: Obj[] = rule.spec.groups.find((g: Obj) => g.name === "upkeep.prod.maintenance-jobs").rules;
  const cronJobNames = byType("kubernetes:batch/v1:CronJob").map((c) => (c.inputs as Obj).metadata.name).sort();
  const figures: Record<string, string[]> = {
    "orders-cleanup": ["UpkeepCleanupBacklog"],
    "tls-check": ["UpkeepEndpointCertificateExpiring", "UpkeepEndpointCertificateExpiring"],
  };
  for (const name of cronJobNames) {
    assert.deepEqual(rules.filter((r) => r.labels.task === name).map((r) => r.alert), ["UpkeepJobMissed", "UpkeepJobFailed", "UpkeepJobRunningTooLong", ...(figures[name] ?? [])], name);
  }
  assert.deepEqual(rules.filter((r) => r.labels.task === undefined).map((r) => `${r.alert} ${r.labels.missing}`), ["UpkeepMetricsAbsent cronjobs", "UpkeepMetricsAbsent push"]);
  assert.equal(rules.length, 3 * cronJobNames.length + 3 + 2);
  assert.ok(rules.every((r) => r.labels.environment === "prod"));
  // The tier's severity, except the image scan's own (jobs[].severity): a failed weekend scan does not page.
  assert.deepEqual([...new Set(rules.filter((r) => r.labels.task !== "image-scan").map((r) => r.labels.severity))], ["critical"]);
  assert.deepEqual(rules.filter((r) => r.labels.task === "image-scan").map((r) => r.labels.severity), ["warning", "warning", "warning"]);
  assert.ok(rules.every((r) => r.annotations.runbook_url.startsWith("https://github.com/acme/platform-maintenance/blob/main/docs/runbooks/Upkeep")));
});

test("stack outputs: the calendar, and per window day how full it is and what the clock change takes", () => {
  const calendar = (run.outputs.calendar as Obj[]).filter((e) => e.mechanism.startsWith("Kubernetes CronJob "));
  assert.deepEqual(calendar.map((e) => [e.id, e.cadence, e.schedule]), [
    ["orders-vacuum", "daily", "30 0 * * *"],
    ["orders-reindex", "monthly", "55 1 * * 6"],
    ["orders-cleanup", "weekly", "20 3 * * 0"],
    ["billing-vacuum", "daily", "5 1 * * *"],
    ["billing-reindex", "quarterly", "55 3 * 1,4,7,10 0"],
    ["image-scan", "weekly", "35 3 * * 6"],
    ["search-rebuild", "custom", "0 5 * * 0"],
    ["tls-check", "daily", "5 3 * * *"],
    ["orders-dump-verify", "weekly", "10 4 * * 6"],
    ["post-maintenance-verify", "custom", "30 5 * * *"],
  ]);
  const schedule = run.outputs.schedule as Obj;
  assert.deepEqual(schedule.window, { days: ["sat", "sun"], start: "00:30", durationMinutes: 300, timeZone: "Europe/Berlin", gapMinutes: 5 });
  assert.deepEqual(
    (schedule.days as Obj[]).map((d) => ({ day: d.day, usedMinutes: d.usedMinutes, availableMinutes: d.availableMinutes, tasks: d.tasks, clockChange: d.clockChange })),
    [
      {
        day: "sat",
        usedMinutes: 205,
        availableMinutes: 300,
        tasks: ["orders-vacuum", "orders-reindex", "billing-vacuum", "image-scan", "tls-check", "orders-dump-verify"],
        clockChange: { minutes: 0, why: [] },
      },
      {
        day: "sun",
        usedMinutes: 195,
        availableMinutes: 240,
        tasks: ["orders-vacuum", "orders-cleanup", "billing-vacuum", "billing-reindex", "search-rebuild", "tls-check"],
        clockChange: { minutes: 60, why: ["Sun 02:00–03:00 skipped in March and repeated in October"] },
      },
    ],
  );
  assert.deepEqual(schedule.everyDay, { minutes: 60, bands: [{ from: 90, to: 150, why: ["Sun 02:00–03:00 skipped in March and repeated in October"] }] });
  assert.deepEqual(schedule.outside, [{ id: "post-maintenance-verify", cron: "30 5 * * *", durationMinutes: 10 }]);
  assert.equal(run.outputs.paused, false);
  assert.equal(run.outputs.maintenanceNamespace, "upkeep-maintenance");
});

test("components carry their type tokens and their children hang below them", () => {
  const components = run.resources.filter((r) => r.type.startsWith("upkeep:")).map((r) => `${r.type} ${r.name}`).sort();
  assert.deepEqual(components, [
    "upkeep:backups:AwsBackups upkeep",
    "upkeep:backups:DumpReaderRole orders-dump-verify",
    "upkeep:certificates:AcmCertificates upkeep",
    "upkeep:certificates:ManagedCertificates upkeep",
    "upkeep:compliance:AccountWideRules upkeep",
    "upkeep:credentials:CredentialRotation upkeep",
    "upkeep:kubernetes:MaintenanceNamespace upkeep",
    "upkeep:kubernetes:ScheduledJobs upkeep",
    "upkeep:monitoring:MaintenanceAlerts upkeep",
    "upkeep:monitoring:MaintenanceDashboard upkeep",
    "upkeep:monitoring:Pushgateway upkeep",
    "upkeep:notify:NotificationTopics upkeep",
    "upkeep:notify:ReportPublisherRole post-maintenance-verify",
    "upkeep:notify:UpkeepAlertRouting upkeep",
    "upkeep:postgres:DatabaseMaintenance billing",
    "upkeep:postgres:DatabaseMaintenance orders",
    "upkeep:routine:RoutineSchedules upkeep",
  ]);
  const urns = new Set(run.resources.map((r) => r.urn));
  for (const r of run.resources) {
    if (!r.parent.endsWith("pulumi:pulumi:Stack::upkeep-prod")) assert.ok(urns.has(r.parent), `${r.urn} has an unknown parent ${r.parent}`);
  }
});

test("every task's CronJob and ServiceAccount alias their place under the pre-0.2 per-task component, so upgrading moves nothing", () => {
  const former = (r: RecordedResource) => (r.options.aliases as unknown[]).filter((a) => typeof a === "string");
  const objects = run.resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob" || r.type === "kubernetes:core/v1:ServiceAccount");
  assert.equal(objects.length, 20);
  assert.deepEqual(former(named("kubernetes:batch/v1:CronJob", "orders-reindex-cronjob")), [
    "urn:pulumi:prod::upkeep::upkeep:postgres:DatabaseMaintenance$upkeep:kubernetes:MaintenanceCronJob$kubernetes:batch/v1:CronJob::orders-reindex-cronjob",
  ]);
  assert.deepEqual(former(named("kubernetes:core/v1:ServiceAccount", "orders-reindex-sa")), [
    "urn:pulumi:prod::upkeep::upkeep:postgres:DatabaseMaintenance$upkeep:kubernetes:MaintenanceCronJob$kubernetes:core/v1:ServiceAccount::orders-reindex-sa",
  ]);
  assert.deepEqual(former(named("kubernetes:batch/v1:CronJob", "search-rebuild-cronjob")), [
    "urn:pulumi:prod::upkeep::upkeep:kubernetes:MaintenanceCronJob$kubernetes:batch/v1:CronJob::search-rebuild-cronjob",
  ]);
  for (const r of objects) {
    const [alias] = former(r);
    const owner = r.parent.split("::")[2]!;
    const formerOwner = owner === "upkeep:kubernetes:ScheduledJobs" ? "" : `${owner}$`;
    assert.equal(alias, `urn:pulumi:prod::upkeep::${formerOwner}upkeep:kubernetes:MaintenanceCronJob$${r.type}::${r.name}`, r.name);
  }
});

test("the webhook reaches Kubernetes only as a Secret, and the verification job reads it by reference", () => {
  const secret = named("kubernetes:core/v1:Secret", "upkeep-webhook").inputs as Obj;
  assert.deepEqual(secret.stringData, { url: "[secret]" });
  assert.equal(secret.metadata.name, "upkeep-webhook");
  const verify = (named("kubernetes:batch/v1:CronJob", "post-maintenance-verify-cronjob").inputs as Obj).spec;
  assert.equal(verify.schedule, "30 5 * * *", "right after the 00:30 + 300 min window");
  // The report step verifies and sends the webhook its notice; the main container only reports the run.
  const pod = verify.jobTemplate.spec.template.spec;
  const [report] = pod.initContainers;
  assert.equal(report.image, "docker.io/curlimages/curl:8.11.1");
  assert.deepEqual(report.env.find((e: Obj) => e.name === "UPKEEP_WEBHOOK_URL"), { name: "UPKEEP_WEBHOOK_URL", valueFrom: { secretKeyRef: { key: "url", name: "upkeep-webhook" } } });
  assert.deepEqual(report.env.find((e: Obj) => e.name === "UPKEEP_ENDPOINTS"), { name: "UPKEEP_ENDPOINTS", value: "200|2000|https://api.example.com/healthz 200|1500|https://www.example.com/" });
  assert.equal(pod.containers[0].env.find((e: Obj) => e.name === "UPKEEP_WEBHOOK_URL"), undefined);
});

test("with AWS, the window report is published to the info topic by a role that may do only that, assumed through IRSA", () => {
  const verify = named("kubernetes:batch/v1:CronJob", "post-maintenance-verify-cronjob").inputs as Obj;
  const pod = verify.spec.jobTemplate.spec.template.spec;
  assert.deepEqual(pod.initContainers.map((c: Obj) => [c.name, c.image, c.command.join(" ")]), [
    ["report", "docker.io/curlimages/curl:8.11.1", "/bin/sh /upkeep/scripts/window-report.sh"],
    ["publish", "docker.io/amazon/aws-cli:2.22.35", "/bin/sh /upkeep/scripts/report-publish.sh"],
  ]);
  assert.deepEqual(pod.containers.map((c: Obj) => [c.name, c.image, c.command.join(" "), c.env.find((e: Obj) => e.name === "UPKEEP_STEP").value]), [
    ["task", "docker.io/curlimages/curl:8.11.1", "/bin/sh /upkeep/scripts/window-report.sh", "outcome"],
  ]);
  assert.deepEqual(pod.initContainers[1].env.find((e: Obj) => e.name === "UPKEEP_INFO_TOPIC_ARN"), { name: "UPKEEP_INFO_TOPIC_ARN", value: "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-info" });
  // No maintenance log in this stack: the topic only.
  assert.equal(pod.initContainers[1].env.find((e: Obj) => e.name === "UPKEEP_MAINTENANCE_LOG"), undefined);
  assert.equal(pod.automountServiceAccountToken, false, "only the token IRSA projects");
  const sa = named("kubernetes:core/v1:ServiceAccount", "post-maintenance-verify-sa").inputs as Obj;
  assert.deepEqual(sa.metadata.annotations, { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/upkeep-prod-post-maintenance-verify" });
  const role = named("aws:iam/role:Role", "post-maintenance-verify-role");
  assert.equal(role.inputs.name, "upkeep-prod-post-maintenance-verify");
  assert.equal(role.parent, "urn:pulumi:prod::upkeep::upkeep:notify:ReportPublisherRole::post-maintenance-verify");
  assert.deepEqual(JSON.parse(String(named("aws:iam/rolePolicy:RolePolicy", "post-maintenance-verify-publish").inputs.policy)), {
    Version: "2012-10-17",
    Statement: [{ Sid: "PublishCompletionNotice", Effect: "Allow", Action: "sns:Publish", Resource: "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-info" }],
  });
});

test("every SNS path: three topics, publishers limited by policy, email and secret webhook subscriptions", () => {
  const topics = byType("aws:sns/topic:Topic").map((t) => [t.inputs.name, t.options.protect]);
  assert.deepEqual(topics, [["upkeep-prod-critical", true], ["upkeep-prod-info", true], ["upkeep-prod-warning", true]]);
  const subs = byType("aws:sns/topicSubscription:TopicSubscription").map((r) => [r.name, r.inputs.protocol, r.inputs.endpoint]);
  assert.deepEqual(subs.sort(), [
    ["upkeep-critical-email-3a21d47a", "email", "platform-oncall@example.com"],
    ["upkeep-critical-webhook", "https", "[secret]"],
    ["upkeep-info-email-60a7141b", "email", "eng-all@example.com"],
    ["upkeep-info-webhook", "https", "[secret]"],
    ["upkeep-warning-email-3a21d47a", "email", "platform-oncall@example.com"],
    ["upkeep-warning-webhook", "https", "[secret]"],
  ]);
  const policy = JSON.parse(String(named("aws:sns/topicPolicy:TopicPolicy", "upkeep-critical-policy").inputs.policy));
  const principals = policy.Statement.flatMap((st: Obj) => [st.Principal.Service].flat());
  // Scheduler publishes through its role, not the topic policy.
  assert.deepEqual(principals.sort(), ["cloudwatch.amazonaws.com", "events.amazonaws.com"]);
  assert.ok(policy.Statement.every((st: Obj) => st.Action === "sns:Publish" && st.Resource === "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-critical"));
});

test("one digest a working day to the warning topic; notices at 09:30 on a working day before each window, on the info topic", () => {
  const schedules = byType("aws:scheduler/schedule:Schedule");
  const digest = named("aws:scheduler/schedule:Schedule", "upkeep-digest-mon-first-quarter").inputs as Obj;
  assert.equal(digest.scheduleExpression, "cron(30 9 ? 1,4,7,10 MON#1 *)");
  assert.equal(digest.scheduleExpressionTimezone, "Europe/Berlin");
  assert.equal(digest.state, "ENABLED");
  assert.equal(digest.target.arn, "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-warning");
  assert.equal(digest.target.roleArn, "arn:aws:iam::123456789012:role/upkeep-scheduler");
  // capacity-planning is disabled by override; performance-optimization, review-service-health, the firewall and Kubernetes versions are automated,
  // and (dump verification, restore testing) verify-backups and disaster-recovery-test.
  const listed = [...String(digest.target.input).matchAll(/^- \[ \] .+ \(([a-z-]+)\): /gm)].map((m) => m[1]);
  assert.equal(listed.length, 11);
  for (const automated of ["capacity-planning", "performance-optimization", "review-service-health", "review-firewall-rules", "update-kubernetes-versions", "verify-backups", "disaster-recovery-test"]) {
    assert.ok(!listed.includes(automated), automated);
  }
  const notice = named("aws:scheduler/schedule:Schedule", "upkeep-notice-sat").inputs as Obj;
  assert.equal(notice.scheduleExpression, "cron(30 9 ? * THU *)");
  assert.equal(notice.target.arn, "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-info");
  assert.equal(schedules.length, 7 + 2, "seven digest schedules, two notices, nothing per check");
});

test("Config rules: the prod stack owns the account-wide ones, and its certificate and secret rules are scoped to them", () => {
  const rules = byType("aws:cfg/rule:Rule").map((r) => String(r.inputs.name)).sort();
  assert.deepEqual(rules, [
    "upkeep-prod-access-keys-rotated",
    "upkeep-prod-acm-expiration-www",
    "upkeep-prod-eks-cluster-supported-version",
    "upkeep-prod-restricted-ssh",
    "upkeep-prod-secret-rotation-orders-db",
    "upkeep-prod-vpc-sg-authorized-ports",
  ]);
  const noncompliant = byType("aws:cloudwatch/eventRule:EventRule").filter((r) => String(r.inputs.name).endsWith("-noncompliant"));
  assert.deepEqual(noncompliant.map((r) => String(r.inputs.name)).sort(), rules.map((r) => `${r}-noncompliant`));
  assert.deepEqual(named("aws:cfg/rule:Rule", "upkeep-access-keys-rotated").options.aliases, [
    "urn:pulumi:prod::upkeep::upkeep:credentials:CredentialRotation$aws:cfg/rule:Rule::upkeep-access-keys-rotated",
  ]);
});

test("with alertmanager: true, an AlertmanagerConfig routes upkeep's alerts to the webhook Secret", () => {
  const amc = named("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig", "upkeep-alertmanagerconfig").inputs as Obj;
  assert.equal(amc.metadata.name, "upkeep-prod");
  const webhooks = amc.spec.receivers.flatMap((r: Obj) => r.webhookConfigs ?? []);
  assert.ok(webhooks.length > 0 && webhooks.every((w: Obj) => w.urlSecret.name === "upkeep-webhook" && w.urlSecret.key === "url"));
});

test("a dump is verified by restoring it in the pod: scratch PostgreSQL sidecar first, beside the fetch init container, IRSA role for one prefix", () => {
  const cj = (named("kubernetes:batch/v1:CronJob", "orders-dump-verify-cronjob").inputs as Obj).spec.jobTemplate.spec.template.spec;
  assert.deepEqual(cj.initContainers.map((c: Obj) => [c.name, c.restartPolicy ?? null]), [["scratch-postgres", "Always"], ["fetch", null]]);
  assert.equal(cj.initContainers[0].startupProbe, undefined, "a startup probe would hold the fetch back");
  const sa = named("kubernetes:core/v1:ServiceAccount", "orders-dump-verify-sa").inputs as Obj;
  assert.deepEqual(sa.metadata.annotations, { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/upkeep-prod-orders-dump-verify" });
  const policy = JSON.parse(String(named("aws:iam/rolePolicy:RolePolicy", "orders-dump-verify-read").inputs.policy));
  assert.deepEqual(policy.Statement.map((st: Obj) => [st.Action, st.Resource]), [
    ["s3:ListBucket", "arn:aws:s3:::acme-db-dumps"],
    ["s3:GetObject", "arn:aws:s3:::acme-db-dumps/prod/orders/*"],
    // The bucket's SSE-KMS key (backups.dumps[].kmsKeyArn), that key only.
    ["kms:Decrypt", "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
  ]);
});

test("production backups: the vault is protected, kept on delete and locked", () => {
  const vault = named("aws:backup/vault:Vault", "upkeep-vault");
  assert.deepEqual(vault.options, { protect: true, retainOnDelete: true });
  const lock = byType("aws:backup/vaultLockConfiguration:VaultLockConfiguration");
  assert.equal(lock.length, 1);
  assert.equal(lock[0]!.inputs.changeableForDays, 3);
});
