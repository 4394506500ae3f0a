/**
 * The knobs a real job needs, from stack config to the exact object each one
 * produces: a custom job's labels, /tmp, volumes, pull secrets and placement;
 * a database's sslmode and CA bundle; a dump's scratch sizing and ephemeral
 * storage; a job's own alert severity. Every CronJob built here also passes
 * the published Kubernetes schema, as the plan checks it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { taskRules } from "../components/alerting/taskAlerts";
import { parseConfig, TIER_DEFAULTS, type UpkeepConfig } from "../components/config";
import { customJobPod } from "../components/jobs/customJob";
import { dumpVerificationPod } from "../components/jobs/dumpVerification";
import { customContainer, databaseContainer, databasePodExtras } from "../components/kubernetes/containers";
import { buildCronJob, type CronJobInputs } from "../components/kubernetes/cronjob";
import { planTasks, type CustomTask, type DatabaseTask } from "../components/tasks/maintenanceTasks";
import { validateObjects, type KubernetesObject } from "../cli/validateObjects";
import { referenceConfig } from "./support/configs";

type Obj = Record<string, any>;

function plan(edit: (raw: Obj) => void): { config: UpkeepConfig; tasks: ReturnType<typeof planTasks> } {
  const raw = referenceConfig();
  edit(raw);
  const config = parseConfig(raw, new Set(), "eu-central-1", "prod");
  return { config, tasks: planTasks(config, { fromYear: 2026 }) };
}

function cronJob(task: CronJobInputs["task"], container: CronJobInputs["container"], pod?: CronJobInputs["pod"]) {
  return buildCronJob({
    task,
    environment: "prod",
    paused: false,
    namespace: "upkeep-maintenance",
    tier: TIER_DEFAULTS.production,
    container,
    ...(pod ? { pod } : {}),
    scriptsConfigMap: "upkeep-scripts",
    scriptsChecksum: "sha256:0",
    runbookUrl: "https://runbooks.example.com/prod/x.md",
    window: "sat,sun 01:30 240 Europe/Berlin",
  });
}

const SCAN_KNOBS = {
  severity: "warning",
  labels: { team: "security", "cost-center": "cc-4711" },
  tmpSizeLimit: "4Gi",
  volumes: [
    { name: "trivy-cache", mountPath: "/var/cache/trivy", emptyDir: { sizeLimit: "10Gi" } },
    { name: "reports", mountPath: "/reports", persistentVolumeClaim: { claimName: "scan-reports" } },
    { name: "policies", mountPath: "/policies", readOnly: true, persistentVolumeClaim: { claimName: "scan-policies", readOnly: true } },
  ],
  imagePullSecrets: ["ghcr-pull"],
  nodeSelector: { "node.kubernetes.io/pool": "batch" },
  tolerations: [{ key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" }, { key: "spot", operator: "Exists" }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }],
      },
    },
  },
  serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/image-scan" },
};

describe("a custom job's knobs", () => {
  const { tasks } = plan((raw) => Object.assign(raw.jobs[0], SCAN_KNOBS));
  const scan = tasks.find((t): t is CustomTask => t.id === "image-scan")!;
  const built = cronJob(scan, customContainer(scan, "prod"), customJobPod(scan.job));
  const podTemplate = (built.spec as Obj).jobTemplate.spec.template;

  test("labels go on the CronJob, its Jobs and their pods, beside upkeep's own", () => {
    const expected = {
      team: "security",
      "cost-center": "cc-4711",
      "app.kubernetes.io/name": "upkeep",
      "app.kubernetes.io/instance": "image-scan",
      "app.kubernetes.io/component": "custom",
      "app.kubernetes.io/part-of": "upkeep",
      "app.kubernetes.io/managed-by": "pulumi",
      "upkeep.dev/environment": "prod",
      "upkeep.dev/task": "image-scan",
      "upkeep.dev/cadence": "weekly",
    };
    assert.deepEqual((built.metadata as Obj).labels, expected);
    assert.deepEqual((built.spec as Obj).jobTemplate.metadata.labels, expected);
    assert.deepEqual(podTemplate.metadata.labels, expected);
  });

  test("the pod: /tmp sized, its volumes and mounts, pull secrets, node selector, tolerations and affinity, still restricted", () => {
    const spec = podTemplate.spec;
    assert.deepEqual(spec.volumes, [
      { name: "tmp", emptyDir: { sizeLimit: "4Gi" } },
      { name: "scripts", configMap: { name: "upkeep-scripts", defaultMode: 0o444 } },
      { name: "trivy-cache", emptyDir: { sizeLimit: "10Gi" } },
      { name: "reports", persistentVolumeClaim: { claimName: "scan-reports", readOnly: false } },
      { name: "policies", persistentVolumeClaim: { claimName: "scan-policies", readOnly: true } },
    ]);
    assert.deepEqual(spec.containers[0].volumeMounts, [
      { name: "tmp", mountPath: "/tmp" },
      { name: "scripts", mountPath: "/upkeep/scripts", readOnly: true },
      { name: "trivy-cache", mountPath: "/var/cache/trivy" },
      { name: "reports", mountPath: "/reports" },
      { name: "policies", mountPath: "/policies", readOnly: true },
    ]);
    assert.deepEqual(spec.imagePullSecrets, [{ name: "ghcr-pull" }]);
    assert.deepEqual(spec.nodeSelector, { "node.kubernetes.io/pool": "batch" });
    assert.deepEqual(spec.tolerations, [
      { key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" },
      { key: "spot", operator: "Exists" },
    ]);
    assert.deepEqual(spec.affinity, SCAN_KNOBS.affinity);
    assert.deepEqual(spec.securityContext, { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
    assert.equal(spec.automountServiceAccountToken, false);
  });

  test("the ServiceAccount annotations reach the task's own ServiceAccount (IRSA)", () => {
    assert.deepEqual(customJobPod(scan.job).serviceAccountAnnotations, { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/image-scan" });
  });

  test("the CronJob passes the published schema", async () => {
    assert.deepEqual(await validateObjects([built as unknown as KubernetesObject]), []);
  });

  test("its alerts carry its own severity; the other tasks keep the tier's", () => {
    const inputs = { environment: "prod", namespace: "upkeep-maintenance", severity: "critical" as const, runbookBaseUrl: "https://r.example.com", tasks, now: new Date("2026-11-29T00:00:00Z"), ruleLabels: {} };
    assert.deepEqual(taskRules(scan, inputs).map((r) => r.labels.severity), ["warning", "warning", "warning"]);
    assert.deepEqual(taskRules(tasks.find((t) => t.id === "orders-vacuum")!, inputs).map((r) => r.labels.severity), ["critical", "critical", "critical"]);
  });

  test("a job without knobs renders exactly as before: no empty lists or maps in its pod", () => {
    const { tasks: plain } = plan(() => {});
    const job = plain.find((t): t is CustomTask => t.id === "image-scan")!;
    const spec = (cronJob(job, customContainer(job, "prod"), customJobPod(job.job)).spec as Obj).jobTemplate.spec.template.spec;
    assert.deepEqual(Object.keys(spec).sort(), ["automountServiceAccountToken", "containers", "restartPolicy", "securityContext", "serviceAccountName", "volumes"]);
    assert.deepEqual(spec.volumes[0], { name: "tmp", emptyDir: { sizeLimit: "256Mi" } });
  });
});

describe("a database's TLS", () => {
  const dbEnv = (tier: string, edit: (db: Obj) => void = () => {}) => {
    const { tasks } = plan((raw) => {
      raw.environment.tier = tier;
      if (tier !== "production") delete raw.backups;
      edit(raw.databases[0]);
    });
    const task = tasks.find((t): t is DatabaseTask => t.id === "orders-vacuum")!;
    return { task, env: databaseContainer(task, "docker.io/library/postgres:15.10-alpine", "prod").env.filter((e) => e.name.startsWith("PGSSL")) };
  };

  test("sslmode by tier: prefer in development, require in staging and production, or what the stack sets", () => {
    assert.deepEqual(dbEnv("development").env, [{ name: "PGSSLMODE", value: "prefer" }]);
    assert.deepEqual(dbEnv("staging").env, [{ name: "PGSSLMODE", value: "require" }]);
    assert.deepEqual(dbEnv("production").env, [{ name: "PGSSLMODE", value: "require" }]);
    assert.deepEqual(dbEnv("development", (db) => (db.sslmode = "disable")).env, [{ name: "PGSSLMODE", value: "disable" }]);
  });

  test("sslRootCertSecret: the Secret's key mounted read-only as root.crt, and PGSSLROOTCERT pointing at it", async () => {
    const { task, env } = dbEnv("production", (db) => {
      db.sslmode = "verify-full";
      db.sslRootCertSecret = { name: "rds-ca", key: "global-bundle.pem" };
    });
    assert.deepEqual(env, [
      { name: "PGSSLMODE", value: "verify-full" },
      { name: "PGSSLROOTCERT", value: "/upkeep/tls/root.crt" },
    ]);
    const pod = databasePodExtras(task.database);
    assert.deepEqual(pod, {
      volumes: [{ name: "ssl-root-cert", secret: { secretName: "rds-ca", items: [{ key: "global-bundle.pem", path: "root.crt" }], defaultMode: 0o444 } }],
      volumeMounts: [{ name: "ssl-root-cert", mountPath: "/upkeep/tls", readOnly: true }],
    });
    const built = cronJob(task, databaseContainer(task, "docker.io/library/postgres:15.10-alpine", "prod"), pod);
    assert.deepEqual(await validateObjects([built as unknown as KubernetesObject]), []);
    assert.equal(dbEnv("production", (db) => (db.sslRootCertSecret = "rds-ca")).task.database.sslRootCertSecret?.key, "ca.crt", "a name alone means the key ca.crt");
  });

  test("a database without a CA bundle gets no extra volume", () => {
    assert.equal(databasePodExtras(dbEnv("production").task.database), undefined);
  });
});

describe("a dump's scratch server and disk", () => {
  test("scratchResources size the scratch server; ephemeralStorage requests the dump's and the restore's disk and bounds their emptyDirs", () => {
    const { tasks } = plan((raw) => {
      raw.kubernetes.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE";
      raw.backups.dumps = [
        {
          database: "orders",
          location: "s3://acme-db-dumps/prod/orders/",
          maxAgeHours: 26,
          cadence: "weekly",
          durationMinutes: 30,
          scratchResources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "4Gi" } },
          ephemeralStorage: { dump: "20Gi", restore: "60Gi" },
        },
      ];
    });
    const task = tasks.find((t) => t.kind === "dump-verify")!;
    assert.equal(task.kind, "dump-verify");
    if (task.kind !== "dump-verify") return;
    const pod = dumpVerificationPod({ ...task.schedule, id: task.id }, task.dump, {
      postgresImage: "docker.io/library/postgres:15.10-alpine",
      environment: "prod",
      namespace: "upkeep-maintenance",
      roleArn: "arn:aws:iam::123456789012:role/r",
    });
    const [scratch, fetch] = pod.initContainers;
    assert.deepEqual(scratch!.resources, { requests: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "60Gi" }, limits: { cpu: "1", memory: "4Gi" } });
    assert.deepEqual(fetch!.resources, { requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "20Gi" }, limits: { cpu: "1", memory: "512Mi" } });
    assert.deepEqual(pod.volumes, [
      { name: "dump", emptyDir: { sizeLimit: "20Gi" } },
      { name: "scratch", emptyDir: { sizeLimit: "60Gi" } },
    ]);
  });
});
