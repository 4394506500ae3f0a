/**
 * `npm run plan` end to end, in child processes: every committed stack plans
 * and validates, runs are byte-identical, and bad input writes nothing.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { validateObjects, type KubernetesObject } from "../cli/validateObjects";
import { ROOT } from "./support/configs";
import { runPlan } from "./support/planChild";

type Obj = Record<string, any>;
const STACKS = readdirSync(join(ROOT, "stacks"))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();
const devYaml = () => readFileSync(join(ROOT, "stacks", "Pulumi.dev.yaml"), "utf8");

test("the committed stacks are dev, staging and prod, each a different tier, zone and window, and onprem on Kubernetes only", () => {
  assert.deepEqual(STACKS, ["dev", "onprem", "prod", "staging"]);
});

for (const stack of STACKS) {
  test(`plan of ${stack}: succeeds, validates, and every CronJob is in its window with three alerts`, async () => {
    const plan = await runPlan({ stack });
    try {
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, new RegExp(`^upkeep plan: stack ${stack} → `));
      const objects = parseAllDocuments(plan.file("kubernetes.yaml")!).map((d) => d.toJSON() as KubernetesObject);
      assert.deepEqual(await validateObjects(objects), []);
      assert.equal(objects[0]!.kind, "Namespace", "the namespace comes first, so kubectl apply works in one pass");

      const resources = plan.json<Obj[]>("resources.json");
      const urns = resources.map((r) => r.urn);
      assert.deepEqual(urns, [...urns].sort(), "resources.json is sorted by URN");
      for (const r of resources) assert.deepEqual(Object.keys(r), ["urn", "type", "name", "parent", "inputs", "options"]);

      const calendar = plan.json<Obj[]>("calendar.json");
      const cronJobs = objects.filter((o) => o.kind === "CronJob");
      const scheduled = calendar.filter((e) => e.mechanism.startsWith("Kubernetes CronJob "));
      assert.deepEqual(scheduled.map((e) => e.id).sort(), cronJobs.map((c) => c.metadata!.name).sort());
      const rules: Obj[] = (objects.find((o) => o.kind === "PrometheusRule")!.spec as Obj).groups.flatMap((g: Obj) => g.rules);
      for (const entry of calendar) {
        assert.deepEqual(Object.keys(entry).filter((k) => k !== "guard" && k !== "description" && k !== "kind"), [
          "id", "title", "cadence", "mechanism", "schedule", "timeZone", "durationMinutes", "next", "alerts",
        ]);
        assert.equal(entry.next.length, 6, entry.id);
        for (const iso of entry.next) assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d$/);
        assert.deepEqual([...new Set(rules.filter((r) => r.labels.task === entry.id).map((r) => r.alert))], entry.alerts);
      }
      assert.match(plan.file("calendar.md")!, new RegExp(`^# Maintenance calendar: ${stack}\n`));
      // The digests link each check's runbook: in the Scheduler input with AWS, in the digest CronJob's env on Kubernetes only.
      const digestTexts = [
        ...resources.filter((r) => r.type === "aws:scheduler/schedule:Schedule").map((r) => r.inputs.target.input as string),
        ...cronJobs.flatMap((c) => (c.spec as Obj).jobTemplate.spec.template.spec.containers[0].env.filter((e: Obj) => /^UPKEEP_DIGEST_/.test(e.name)).map((e: Obj) => e.value as string)),
      ];
      const reminderRunbooks = digestTexts.flatMap((text) => [...text.matchAll(/^- \[ \] .+ \([a-z-]+\): (\S+)$/gm)].map((m) => m[1]!));
      assert.ok(reminderRunbooks.length > 0, "digests link their checks' runbooks");
      const runbooks = [
        ...reminderRunbooks,
        ...rules.map((r) => r.annotations.runbook_url as string),
        ...cronJobs.map((c) => (c.metadata as Obj).annotations["upkeep.dev/runbook-url"] as string),
      ];
      for (const url of runbooks) {
        const inRepo = url.slice(url.indexOf("docs/runbooks/"));
        assert.ok(existsSync(join(ROOT, inRepo)), `runbook ${url} is missing from docs/runbooks`);
      }
    } finally {
      plan.cleanup();
    }
  });
}

test("two plans of the same stack are byte-identical", async () => {
  const [a, b] = await Promise.all([runPlan({ stack: "prod" }), runPlan({ stack: "prod" })]);
  try {
    for (const file of ["resources.json", "kubernetes.yaml", "calendar.json", "calendar.md", "calendar.ics"]) {
      assert.ok(a.file(file)!.length > 0, file);
      assert.equal(a.file(file), b.file(file), file);
    }
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test("next runs are real local times: monthly on the first window Saturday, across the DST change", async () => {
  const plan = await runPlan({ stack: "prod", now: "2027-02-20T00:00:00Z" });
  try {
    const entry = plan.json<Obj[]>("calendar.json").find((e) => e.id === "orders-reindex")!;
    // Saturday 01:55–02:55: Berlin's clocks change only on Sundays, so Saturday's 02:00–03:00 is safe.
    assert.deepEqual(entry.next, [
      "2027-03-06T01:55:00+01:00",
      "2027-04-03T01:55:00+02:00",
      "2027-05-01T01:55:00+02:00",
      "2027-06-05T01:55:00+02:00",
      "2027-07-03T01:55:00+02:00",
      "2027-08-07T01:55:00+02:00",
    ]);
  } finally {
    plan.cleanup();
  }
});

test("invalid config: exit 2, every problem on its own line, no stack trace, nothing written", async () => {
  const yaml = devYaml()
    .replace("timezone: Europe/Berlin", "timezone: Berlin")
    .replace("retentionDays: 14", "retentionDays: 0")
    .replace("image: ghcr.io/aquasecurity/trivy:0.58.1", "image: ghcr.io/aquasecurity/trivy");
  const plan = await runPlan({ stack: "dev", stackYaml: yaml });
  try {
    assert.equal(plan.code, 2);
    assert.equal(
      plan.stderr,
      [
        "upkeep: invalid configuration:",
        'upkeep:environment.timezone: must be an IANA time zone such as Europe/Berlin or UTC (got "Berlin")',
        "upkeep:databases[0].cleanup.tables[0].retentionDays: must be at least 1 (got 0)",
        'upkeep:jobs[0].image: must carry an explicit tag or digest, such as :1.2.3 or @sha256:… (got "ghcr.io/aquasecurity/trivy")',
        "",
      ].join("\n"),
    );
    assert.equal(plan.stdout, "");
    assert.equal(existsSync(plan.outDir), false, "nothing is written");
  } finally {
    plan.cleanup();
  }
});

test("tasks that do not fit the window: exit 2, each line names the task, the slot it needs and the longest free slot", async () => {
  const yaml = devYaml().replace("durationMinutes: 180", "durationMinutes: 45");
  const plan = await runPlan({ stack: "dev", stackYaml: yaml });
  try {
    assert.equal(plan.code, 2);
    assert.equal(
      plan.stderr,
      "upkeep: invalid configuration:\n" +
        "upkeep:environment.window.durationMinutes: orders-cleanup (upkeep:databases[0].cleanup) does not fit: it needs a free 30-minute slot, with the 5-minute gap after it, " +
        "on one window day (tue, thu), and the longest free slot is 10 minutes, Tuesday 23:05–23:15; on Tuesday tasks hold 30 of the window's 45 minutes; " +
        "lengthen the window, add a window day, or shorten or move tasks\n" +
        "upkeep:environment.window.durationMinutes: image-scan (upkeep:jobs[0]) does not fit: it needs a free 20-minute slot, with the 5-minute gap after it, " +
        "on one window day (tue, thu), and the longest free slot is 10 minutes, Tuesday 23:05–23:15; on Tuesday tasks hold 30 of the window's 45 minutes; " +
        "lengthen the window, add a window day, or shorten or move tasks\n",
    );
    assert.equal(existsSync(plan.outDir), false);
  } finally {
    plan.cleanup();
  }
});

test("a paused environment suspends every CronJob, and the plan says so", async () => {
  const plan = await runPlan({ stack: "dev", stackYaml: devYaml().replace("paused: false", "paused: true") });
  try {
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /\nPAUSED: change freeze; every CronJob, reminder and notice is suspended and nothing will run\.\n/);
    const cronJobs = parseAllDocuments(plan.file("kubernetes.yaml")!).map((d) => d.toJSON() as Obj).filter((o) => o.kind === "CronJob");
    assert.equal(cronJobs.length, 3);
    assert.ok(cronJobs.every((c) => c.spec.suspend === true));
    assert.match(plan.file("calendar.md")!, /\*\*Paused:\*\* every CronJob, reminder and notice is suspended/);
    const schedules = plan.json<Obj[]>("resources.json").filter((r) => r.type === "aws:scheduler/schedule:Schedule");
    assert.ok(schedules.length > 0 && schedules.every((r) => r.inputs.state === "DISABLED"), "every reminder and notice is disabled");
  } finally {
    plan.cleanup();
  }
});

test("the development tier: short history, no retries, info alerts, no protection", async () => {
  const plan = await runPlan({ stack: "dev" });
  try {
    const resources = plan.json<Obj[]>("resources.json");
    const ns = resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
    assert.deepEqual(ns.options, { protect: false });
    for (const cj of resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob")) {
      assert.equal(cj.inputs.spec.successfulJobsHistoryLimit, 1);
      assert.equal(cj.inputs.spec.failedJobsHistoryLimit, 1);
      assert.equal(cj.inputs.spec.jobTemplate.spec.backoffLimit, 0);
    }
    const rule = resources.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")!;
    assert.ok(rule.inputs.spec.groups[0].rules.every((r: Obj) => r.labels.severity === "info"));
    assert.match(
      plan.stdout,
      /\n {2}tue: 60\/180 min \(33%\) orders-vacuum, orders-cleanup\n {2}thu: 50\/180 min \(28%\) orders-vacuum, image-scan\nirreversible:\n {2}orders-cleanup deletes the rows of public\.audit_log whose created_at is older than 14 days\n/,
    );
    // dev has on-call emails but no stakeholders and no webhook: its notices would reach nobody, and the plan says so.
    assert.match(
      plan.stdout,
      /\nwarnings \(1\):\n {2}upkeep:notify: the info topic upkeep-dev-info has no subscriber \(no stakeholderEmails, no webhookUrl\): stakeholder notices sent there reach nobody\n$/,
    );
    // The README shows this summary to a new user: its count must be what the plan prints.
    const printed = /^resources \((\d+)\):$/m.exec(plan.stdout)?.[1];
    assert.equal(printed, String(resources.length));
    assert.match(readFileSync(join(ROOT, "README.md"), "utf8"), new RegExp(`^upkeep plan: stack dev → plan/dev\nresources \\(${printed}\\):$`, "m"));
  } finally {
    plan.cleanup();
  }
});

test("the prod summary says what cannot be taken back: the vault lock with the day it becomes permanent, and what cleanup deletes", async () => {
  const plan = await runPlan({ stack: "prod", now: "2026-12-01T00:00:00Z" });
  try {
    assert.equal(plan.code, 0, plan.stderr);
    assert.ok(
      plan.stdout.endsWith(
        "\nirreversible:\n" +
          "  vault lock on backup vault prod-maintenance: changeable for 3 days after it is first applied; first applied on 2026-12-01 (--now), " +
          "it is permanent from 2026-12-04: no one, root included, can then remove it or delete a backup younger than 7 days\n" +
          "  orders-cleanup deletes the rows of public.audit_log whose created_at is older than 90 days\n",
      ),
      plan.stdout,
    );
  } finally {
    plan.cleanup();
  }
});

test("a copied stack file that keeps the old environment.name is refused with both names, nothing written", async () => {
  const plan = await runPlan({ stack: "eu-prod", stackYaml: readFileSync(join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8") });
  try {
    assert.equal(plan.code, 2);
    assert.equal(
      plan.stderr,
      "upkeep: invalid configuration:\n" +
        'upkeep:environment.name: must equal the stack\'s name "eu-prod" (got "prod"): upkeep names the stack\'s resources after it ' +
        "(upkeep-prod-critical, its alerts, roles and schedules), so two stacks with one name would own the same resources\n",
    );
    assert.equal(existsSync(plan.outDir), false);
  } finally {
    plan.cleanup();
  }
});

test("a stack file without kubernetes.namespace is refused with the namespace to choose", async () => {
  const plan = await runPlan({ stack: "dev", stackYaml: devYaml().replace("  upkeep:kubernetes:\n    namespace: upkeep-dev\n", "") });
  try {
    assert.equal(plan.code, 2);
    assert.equal(
      plan.stderr,
      "upkeep: invalid configuration:\n" +
        "upkeep:kubernetes.namespace: is required: use upkeep-dev for a new stack, or upkeep-maintenance for a stack already deployed without it " +
        "(the old default; changing a deployed namespace deletes and re-creates everything in it)\n",
    );
  } finally {
    plan.cleanup();
  }
});

test("encrypted topics: the plan writes the statements the key's policy needs and says so in the summary", async () => {
  const key = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const yaml = devYaml().replace("    emails: [platform-dev@example.com]\n", `    emails: [platform-dev@example.com]\n    kmsKeyArn: ${key}\n`);
  const plan = await runPlan({ stack: "dev", stackYaml: yaml });
  try {
    assert.equal(plan.code, 0, plan.stderr);
    const actions = ["kms:Decrypt", "kms:GenerateDataKey*"];
    assert.deepEqual(plan.json<Obj[]>("kms-key-policy.json"), [
      { Sid: "AllowCloudWatchAlarmsToPublishToUpkeepTopics", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: actions, Resource: "*" },
      { Sid: "AllowEventBridgeRulesToPublishToUpkeepTopics", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: actions, Resource: "*" },
      { Sid: "AllowUpkeepSchedulerRoleToPublish", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/upkeep-scheduler" }, Action: actions, Resource: "*" },
    ]);
    assert.match(plan.stdout, /\n {2}upkeep:notify\.kmsKeyArn: the key's policy must let CloudWatch, EventBridge and the scheduler role use it, or every alarm, event and reminder is lost: add the statements of the stack output topicKeyPolicyStatements \(kms-key-policy\.json in the plan\)\n/);
    const topics = plan.json<Obj[]>("resources.json").filter((r) => r.type === "aws:sns/topic:Topic");
    assert.deepEqual(topics.map((t) => t.inputs.kmsMasterKeyId), [key, key, key]);
  } finally {
    plan.cleanup();
  }
  const unencrypted = await runPlan({ stack: "dev" });
  try {
    assert.equal(unencrypted.file("kms-key-policy.json"), undefined, "no key, no key policy file");
  } finally {
    unencrypted.cleanup();
  }
});

test("a secure: value in a stack file reaches the program as a redacted secret", async () => {
  const yaml = devYaml().replace("config:\n", "config:\n  upkeep:kubeconfig:\n    secure: v1:Zm9vYmFy\n");
  const plan = await runPlan({ stack: "dev", stackYaml: yaml });
  try {
    assert.equal(plan.code, 0, plan.stderr);
    const provider = plan.json<Obj[]>("resources.json").find((r) => r.type === "pulumi:providers:kubernetes")!;
    assert.equal(provider.inputs.kubeconfig, "[secret]");
    assert.ok(!plan.file("resources.json")!.includes("Zm9vYmFy"));
  } finally {
    plan.cleanup();
  }
});

test("credentials from a secure: password: the plan shows [secret] and the Secret precedes the CronJobs that read it", async () => {
  const yaml = devYaml().replace(
    "      credentialsSecret: orders-db-maintenance\n",
    "      credentials:\n        user: maint\n        password:\n          secure: v1:Y2lwaGVydGV4dA==\n",
  );
  const plan = await runPlan({ stack: "dev", stackYaml: yaml });
  try {
    assert.equal(plan.code, 0, plan.stderr);
    const objects = parseAllDocuments(plan.file("kubernetes.yaml")!).map((d) => d.toJSON() as Obj);
    const kinds = objects.map((o) => `${o.kind} ${o.metadata.name}`);
    const secret = kinds.indexOf("Secret upkeep-orders-credentials");
    assert.ok(secret > kinds.indexOf("Namespace upkeep-dev") && secret < kinds.indexOf("CronJob orders-vacuum"), kinds.join(", "));
    assert.deepEqual(objects[secret]!.stringData, { PGPASSWORD: "[secret]", PGUSER: "[secret]" });
    assert.ok(!plan.file("resources.json")!.includes("Y2lwaGVydGV4dA") && !plan.file("kubernetes.yaml")!.includes("Y2lwaGVydGV4dA"));
  } finally {
    plan.cleanup();
  }
});

test("a plain-text database password is refused, and not echoed", async () => {
  const yaml = devYaml().replace("      credentialsSecret: orders-db-maintenance\n", "      credentials: { user: maint, password: hunter2 }\n");
  const plan = await runPlan({ stack: "dev", stackYaml: yaml });
  try {
    assert.equal(plan.code, 2);
    assert.equal(
      plan.stderr,
      "upkeep: invalid configuration:\nupkeep:databases[0].credentials.password: must be a secret; set it with: pulumi config set --secret --path 'upkeep:databases[0].credentials.password' …\n",
    );
  } finally {
    plan.cleanup();
  }
});

test("a plain-text kubeconfig is refused", async () => {
  const yaml = devYaml().replace("config:\n", "config:\n  upkeep:kubeconfig: |\n    apiVersion: v1\n");
  const plan = await runPlan({ stack: "dev", stackYaml: yaml });
  try {
    assert.equal(plan.code, 2);
    assert.equal(plan.stderr, "upkeep: invalid configuration:\nupkeep:kubeconfig: must be a secret; set it with: pulumi config set --secret upkeep:kubeconfig …\n");
  } finally {
    plan.cleanup();
  }
});

test("bad arguments: one clear line and exit 2", async () => {
  const plan = await runPlan({ stack: "nosuch" });
  try {
    assert.equal(plan.code, 2);
    assert.match(plan.stderr, /^upkeep plan: no stack file .*stacks\/Pulumi\.nosuch\.yaml; add stacks\/Pulumi\.nosuch\.yaml\nusage: /);
  } finally {
    plan.cleanup();
  }
});

test("an object that breaks its schema is named, so the plan can fail on it", async () => {
  const broken = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "x", namespace: "n" }, spec: { schedule: 5, jobTemplate: {} } };
  const problems = await validateObjects([broken as unknown as KubernetesObject]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^CronJob n\/x: .*schedule/);
  assert.deepEqual(await validateObjects([{ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }]), [
    "Widget w: no schema for example.com/v1 Widget; add one to cli/validateObjects.ts",
  ]);
});
