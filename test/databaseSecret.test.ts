/**
 * `databases[].credentials`: upkeep creates the Secret the database's tasks
 * read, in the same run that creates the namespace, so the first `pulumi up`
 * needs no kubectl step. Run through the real index.ts under mocks with the
 * password as Pulumi holds it (a secret config key): the password reaches the
 * Secret only as a secret, never in any recorded input or output.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, test } from "node:test";
import { runProgram, type ProgramRun } from "../cli/mockRuntime";
import { readStackFile } from "../cli/stackFile";
import { ROOT } from "./support/configs";

type Obj = Record<string, any>;
const PASSWORD = "hunter2-db-password";
let run: ProgramRun;

before(async () => {
  const stack = readStackFile(join(ROOT, "stacks", "Pulumi.dev.yaml"));
  const databases = JSON.parse(stack.all["upkeep:databases"]!) as Obj[];
  delete databases[0]!.credentialsSecret;
  databases[0]!.credentials = { user: "maint", password: PASSWORD };
  // `pulumi config set --secret --path 'upkeep:databases[0].credentials.password'` makes the whole key secret.
  run = await runProgram(join(ROOT, "index.ts"), "dev", {
    all: { ...stack.all, "upkeep:databases": JSON.stringify(databases) },
    secretKeys: [...stack.secretKeys, "upkeep:databases"],
  });
});

test("the Secret: in the stack's namespace, its data a secret, under its database", () => {
  const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "orders-credentials");
  assert.ok(secret, "the Secret was not registered");
  assert.equal(secret.parent, "urn:pulumi:dev::upkeep::upkeep:postgres:DatabaseMaintenance::orders");
  assert.deepEqual(secret.inputs, {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      labels: {
        "app.kubernetes.io/component": "database-credentials",
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/name": "upkeep",
        "app.kubernetes.io/part-of": "upkeep",
        "upkeep.dev/environment": "dev",
      },
      name: "upkeep-orders-credentials",
      namespace: "upkeep-dev",
    },
    // The SDK's Secret class holds all of stringData as a secret, the user as well.
    stringData: { PGPASSWORD: "[secret]", PGUSER: "[secret]" },
    type: "Opaque",
  });
  assert.deepEqual(secret.options, { deleteBeforeReplace: true });
});

test("every task of the database reads that Secret; the password appears nowhere", () => {
  const cronJobs = run.resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob" && r.name.startsWith("orders-"));
  assert.deepEqual(cronJobs.map((c) => c.name).sort(), ["orders-cleanup-cronjob", "orders-vacuum-cronjob"]);
  for (const cj of cronJobs) {
    const env: Obj[] = (cj.inputs as Obj).spec.jobTemplate.spec.template.spec.containers[0].env;
    assert.deepEqual(
      env.filter((e) => e.valueFrom),
      [
        { name: "PGUSER", valueFrom: { secretKeyRef: { key: "PGUSER", name: "upkeep-orders-credentials" } } },
        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { key: "PGPASSWORD", name: "upkeep-orders-credentials" } } },
      ],
      cj.name,
    );
  }
  assert.ok(!JSON.stringify(run).includes(PASSWORD), "the password leaked into the plan");
});
