// The pieces of post-maintenance-verify that publish the window report with
// AWS (components/jobs/reportPublisher.ts): the role's exact IAM policy, its
// IRSA trust, the pod's three steps with their exact images, commands, env
// and mounts, and the ReportPublisherRole as registered under mocks.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { installComponentMocks, type ComponentMocks } from "./support/componentMocks";
import type { VerificationOptions } from "../components/jobs/verification";

const TOPIC = "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-info";
const KEY = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789";
const ROLE = "arn:aws:iam::123456789012:role/upkeep-prod-post-maintenance-verify";
const PUSHGATEWAY = "http://upkeep-pushgateway.upkeep-prod.svc:9091";

let mocks: ComponentMocks;
let mod: typeof import("../components/jobs/reportPublisher");

before(async () => {
  mocks = await installComponentMocks("prod", { attributes: ({ name }) => ({ arn: `arn:aws:iam::123456789012:role/${name}` }) });
  mod = await import("../components/jobs/reportPublisher.js");
});

describe("reportPublisherPolicy", () => {
  test("publish to the info topic, nothing else, without a maintenance log", () => {
    assert.deepEqual(mod.reportPublisherPolicy(TOPIC), {
      Version: "2012-10-17",
      Statement: [{ Sid: "PublishCompletionNotice", Effect: "Allow", Action: "sns:Publish", Resource: TOPIC }],
    });
  });

  test("with the log, put objects under its prefix only; with encrypted topics, their key only through SNS in the topic's region", () => {
    assert.equal(
      JSON.stringify(mod.reportPublisherPolicy(TOPIC, "s3://acme-upkeep-history/prod/eu/", KEY)),
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "PublishCompletionNotice", Effect: "Allow", Action: "sns:Publish", Resource: TOPIC },
          {
            Sid: "EncryptForInfoTopic",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: KEY,
            Condition: { StringEquals: { "kms:ViaService": "sns.eu-central-1.amazonaws.com" } },
          },
          { Sid: "WriteMaintenanceLog", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::acme-upkeep-history/prod/eu/*" },
        ],
      }),
    );
  });

  test("in another partition, the bucket's ARN is that partition's", () => {
    const cn = "arn:aws-cn:sns:cn-north-1:123456789012:upkeep-prod-info";
    assert.deepEqual(mod.reportPublisherPolicy(cn, "s3://history/prod/").Statement.map((s) => s.Resource), [cn, "arn:aws-cn:s3:::history/prod/*"]);
  });
});

const TASK = { id: "post-maintenance-verify", schedule: { cadence: "custom" as const, timeZone: "Europe/Berlin", durationMinutes: 10, cron: "30 5 * * 0,6" } };
const OPTIONS: VerificationOptions & { report: { window: string; tasks: string } } = {
  environment: "prod",
  endpoints: [{ url: "https://api.example.com/healthz", expectStatus: 200, maxLatencyMs: 2000, tlsMinDays: 21 }],
  webhookSecret: { name: "upkeep-webhook", key: "url" },
  report: { window: "00:30 300", tasks: "orders-vacuum|vacuum|daily|sun,mon,tue,wed,thu,fri,sat|*" },
};
const TASK_ENV = [
  { name: "HOME", value: "/tmp" },
  { name: "UPKEEP_TASK", value: "post-maintenance-verify" },
  { name: "UPKEEP_KIND", value: "verify" },
  { name: "UPKEEP_ENVIRONMENT", value: "prod" },
  { name: "UPKEEP_CADENCE", value: "custom" },
  { name: "UPKEEP_TIMEZONE", value: "Europe/Berlin" },
  { name: "UPKEEP_SLOT_START", value: "05:30" },
  { name: "UPKEEP_DEADLINE_SECONDS", value: "600" },
];
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };
const RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "512Mi" } };
const MOUNTS = [
  { name: "tmp", mountPath: "/tmp" },
  { name: "scripts", mountPath: "/upkeep/scripts", readOnly: true },
  { name: "report", mountPath: "/report" },
];

describe("windowReportPod", () => {
  test("report (curl), publish (AWS CLI), then the outcome (curl): exact commands, env and mounts; the IRSA role on the ServiceAccount", () => {
    const { container, pod } = mod.windowReportPod(TASK, OPTIONS, PUSHGATEWAY, { roleArn: ROLE, infoTopicArn: TOPIC, location: "s3://acme-upkeep-history/prod/" });
    assert.deepEqual(pod.initContainers, [
      {
        name: "report",
        image: "docker.io/curlimages/curl:8.11.1",
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/sh", "/upkeep/scripts/window-report.sh"],
        env: [
          ...TASK_ENV,
          { name: "UPKEEP_WINDOW", value: "00:30 300" },
          { name: "UPKEEP_REPORT_TASKS", value: "orders-vacuum|vacuum|daily|sun,mon,tue,wed,thu,fri,sat|*" },
          { name: "UPKEEP_ENDPOINTS", value: "200|2000|https://api.example.com/healthz" },
          { name: "UPKEEP_TIMEOUT_SECONDS", value: "10" },
          { name: "UPKEEP_WEBHOOK_URL", valueFrom: { secretKeyRef: { name: "upkeep-webhook", key: "url" } } },
          { name: "UPKEEP_PUSHGATEWAY_URL", value: PUSHGATEWAY },
          { name: "UPKEEP_REPORT_DIR", value: "/report" },
          { name: "UPKEEP_STEP", value: "report" },
        ],
        resources: RESOURCES,
        securityContext: HARDENED,
        volumeMounts: MOUNTS,
      },
      {
        name: "publish",
        image: "docker.io/amazon/aws-cli:2.22.35",
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/sh", "/upkeep/scripts/report-publish.sh"],
        env: [
          { name: "HOME", value: "/tmp" },
          { name: "UPKEEP_REPORT_DIR", value: "/report" },
          { name: "UPKEEP_INFO_TOPIC_ARN", value: TOPIC },
          { name: "UPKEEP_MAINTENANCE_LOG", value: "s3://acme-upkeep-history/prod/" },
          { name: "AWS_MAX_ATTEMPTS", value: "2" },
          { name: "AWS_RETRY_MODE", value: "standard" },
          { name: "AWS_PAGER", value: "" },
        ],
        resources: RESOURCES,
        securityContext: HARDENED,
        volumeMounts: MOUNTS,
      },
    ]);
    assert.deepEqual(container, {
      image: "docker.io/curlimages/curl:8.11.1",
      command: ["/bin/sh", "/upkeep/scripts/window-report.sh"],
      args: [],
      env: [...TASK_ENV, { name: "UPKEEP_REPORT_DIR", value: "/report" }, { name: "UPKEEP_STEP", value: "outcome" }],
      resources: RESOURCES,
      runAsUser: 10001,
    });
    assert.deepEqual(pod.volumes, [{ name: "report", emptyDir: { sizeLimit: "16Mi" } }]);
    assert.deepEqual(pod.volumeMounts, [{ name: "report", mountPath: "/report", readOnly: true }]);
    assert.deepEqual(pod.serviceAccountAnnotations, { "eks.amazonaws.com/role-arn": ROLE });
    // No credential anywhere but what IRSA projects: no AWS key, no token in the env.
    const names = pod.initContainers.flatMap((c) => (c.env as { name: string }[]).map((e) => e.name));
    assert.deepEqual(names.filter((n) => /KEY|SECRET|TOKEN|ROLE_ARN/.test(n)), []);
  });

  test("without a log, the publisher gets no location", () => {
    const { pod } = mod.windowReportPod(TASK, OPTIONS, PUSHGATEWAY, { roleArn: ROLE, infoTopicArn: TOPIC });
    assert.ok(!(pod.initContainers[1]!.env as { name: string }[]).some((e) => e.name === "UPKEEP_MAINTENANCE_LOG"));
  });

  test("the slot must hold the requests, the notice, the report's reading and its publishing", () => {
    const endpoints = Array.from({ length: 52 }, (_, i) => ({ ...OPTIONS.endpoints[0]!, url: `https://api${i}.example.com/healthz` }));
    assert.throws(
      () => mod.windowReportPod(TASK, { ...OPTIONS, endpoints }, PUSHGATEWAY, { roleArn: ROLE, infoTopicArn: TOPIC }),
      { message: "post-maintenance-verify: 52 endpoints at up to 10 s each, plus the notice, the report's reading, its publishing, need 608 s, more than the 600-second slot" },
    );
    // Fifty, the most upkeep:endpoints takes, fit.
    mod.windowReportPod(TASK, { ...OPTIONS, endpoints: endpoints.slice(0, 50) }, PUSHGATEWAY, { roleArn: ROLE, infoTopicArn: TOPIC });
  });
});

describe("ReportPublisherRole", () => {
  test("a role only the task's ServiceAccount may assume, with exactly the publisher's policy", async () => {
    new mod.ReportPublisherRole("post-maintenance-verify", {
      namespace: "upkeep-prod",
      serviceAccount: "post-maintenance-verify",
      oidcProviderArn: OIDC,
      oidcIssuer: "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789",
      roleName: "upkeep-prod-post-maintenance-verify",
      infoTopicArn: TOPIC,
      topicKeyArn: KEY,
      location: "s3://acme-upkeep-history/prod/",
    });
    await mocks.settle();
    assert.deepEqual(mocks.byType("upkeep:notify:ReportPublisherRole").map((r) => r.name), ["post-maintenance-verify"]);
    const role = mocks.named("aws:iam/role:Role", "post-maintenance-verify-role").inputs;
    assert.equal(role.name, "upkeep-prod-post-maintenance-verify");
    assert.equal(role.description, "upkeep publishes each window's report to the info topic and writes it under s3://acme-upkeep-history/prod/ (IRSA: upkeep-prod/post-maintenance-verify)");
    assert.deepEqual(JSON.parse(role.assumeRolePolicy as string), {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "IrsaServiceAccount",
          Effect: "Allow",
          Principal: { Federated: OIDC },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789:sub": "system:serviceaccount:upkeep-prod:post-maintenance-verify",
              "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE0123456789:aud": "sts.amazonaws.com",
            },
          },
        },
      ],
    });
    const policy = mocks.named("aws:iam/rolePolicy:RolePolicy", "post-maintenance-verify-publish").inputs;
    assert.equal(policy.role, "post-maintenance-verify-role-id");
    assert.deepEqual(JSON.parse(policy.policy as string), mod.reportPublisherPolicy(TOPIC, "s3://acme-upkeep-history/prod/", KEY));
  });
});
