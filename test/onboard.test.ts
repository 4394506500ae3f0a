/**
 * `npm run onboard` end to end, in a child process as a user runs it, against
 * a temporary copy of stacks/ so the repository is never touched: the exact
 * stack file, that it validates and plans, the next steps, and refusals.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { renderNextSteps } from "../cli/onboard/nextSteps";
import { parseStackYaml, readStackFile } from "../cli/stackFile";
import { parsePulumiConfig } from "../components/config/load";
import { ROOT } from "./support/configs";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function onboard(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(ROOT, "cli", "onboard.ts"), ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const USAGE =
  'usage: npm run onboard -- --env <name> --tier <tier> --timezone <tz> --window "<days> <HH:MM> <minutes>" ' +
  "[--namespace <ns>] [--region <region>] [--stacks-dir <dir>] [--out <plan-dir>]\n";

const QA_ARGS = ["--env", "qa", "--tier", "staging", "--timezone", "America/Chicago", "--window", "mon,wed 02:00 180", "--namespace", "upkeep-qa"];

const EXPECTED_QA_FILE = `# qa: stack file of the upkeep environment qa (tier staging),
# written by \`npm run onboard\`. Pulumi reads it for the stack qa
# (Pulumi.yaml: stackConfigDir: stacks); \`npm run plan -- --stack qa\` shows
# offline what it deploys. Keys are explained in README.md, "Config reference".
#
# Commented keys show the default upkeep uses while they are absent, and
# examples: uncomment and change what you need, then plan again.
# Secrets never go here in plain text; set them with \`pulumi config set --secret\`.
config:
  aws:region: eu-central-1
  upkeep:environment:
    name: qa
    tier: staging
    timezone: America/Chicago
    paused: false  # true: change freeze, every CronJob is suspended
    window:
      days: [mon, wed]  # weekly, monthly and quarterly tasks run on these days
      start: "02:00"  # local time in America/Chicago
      durationMinutes: 180
  upkeep:kubernetes:
    namespace: upkeep-qa
    # postgresImage: docker.io/library/postgres:15.10-alpine
  # upkeep:notify:
  #   emails: [oncall@example.com]            # critical and warning alerts
  #   stakeholderEmails: [team@example.com]   # window notices and completion notices
  #   noticeHours: 24                         # notice this long before each window
  #   # webhookUrl is secret only: pulumi config set --secret --path 'upkeep:notify.webhookUrl' https://…
  # upkeep:alerting:
  #   runbookBaseUrl: docs/runbooks
  #   alertmanager: false                     # true: an AlertmanagerConfig routes upkeep's alerts
  #   pushgateway: deploy                     # where tasks push their outcome: deploy, off or http(s)://…
  # upkeep:maintenanceLog:
  #   location: s3://bucket/upkeep/qa/     # each window's report: the maintenance history
  #   roleArn: arn:aws:iam::123456789012:role/upkeep-qa-log   # else created from kubernetes.oidcProviderArn
  # upkeep:reviews:
  #   at: "09:30"                             # local time of routine reminders
  # upkeep:endpoints:                         # checked after every window
  #   - url: https://api.qa.example.com/healthz
  #     expectStatus: 200
  #     maxLatencyMs: 2000
  # upkeep:databases:
  #   - name: orders
  #     host: orders-db.qa.internal.example.com
  #     database: orders
  #     credentialsSecret: orders-db-maintenance   # existing Secret with PGUSER and PGPASSWORD
  #     vacuum: daily                              # default: daily, 30 min
  #     reindex: monthly                           # default: monthly, 60 min
  #     cleanup:
  #       cadence: weekly
  #       tables:
  #         - { table: public.audit_log, timestampColumn: created_at, retentionDays: 30 }
  # upkeep:jobs:
  #   - name: image-scan
  #     cadence: weekly
  #     durationMinutes: 20
  #     image: ghcr.io/aquasecurity/trivy:0.58.1   # pinned by tag or digest, never latest
  #     args: ["image", "--exit-code", "1", "registry.example.com/api:qa"]
#
# The tier staging sets (README.md, "Tier defaults"); change the tier to change them:
#   successfulJobsHistoryLimit: 3
#   failedJobsHistoryLimit: 3
#   Job backoffLimit: 1
#   alert severity: warning
#   namespace protect: no
`;

let dir: string;
let stacksDir: string;
let outDir: string;
let qaFile: string;
let first: Run;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "upkeep-onboard-"));
  stacksDir = join(dir, "stacks");
  outDir = join(dir, "plan");
  qaFile = join(stacksDir, "Pulumi.qa.yaml");
  cpSync(join(ROOT, "stacks"), stacksDir, { recursive: true });
  first = await onboard([...QA_ARGS, "--stacks-dir", stacksDir, "--out", outDir]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("onboarding qa writes exactly the template, with the tier's defaults as comments", () => {
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, "");
  assert.equal(readFileSync(qaFile, "utf8"), EXPECTED_QA_FILE);
  assert.ok(!existsSync(join(ROOT, "stacks", "Pulumi.qa.yaml")), "the repository's stacks/ is untouched");
});

test("the written file validates through the schema, as the program reads it", () => {
  const stack = readStackFile(qaFile);
  const config = parsePulumiConfig(stack.all, new Set(stack.secretKeys));
  assert.deepEqual(config.environment, {
    name: "qa",
    tier: "staging",
    timezone: "America/Chicago",
    paused: false,
    window: { days: ["mon", "wed"], start: "02:00", durationMinutes: 180 },
  });
  assert.equal(config.kubernetes.namespace, "upkeep-qa");
  assert.equal(config.awsRegion, "eu-central-1");
  assert.deepEqual([config.databases, config.jobs], [[], []]);
});

test("the commented examples are valid config once uncommented", () => {
  const uncommented = EXPECTED_QA_FILE.split("\n")
    .filter((line) => !line.includes("webhookUrl is secret only"))
    .map((line) => line.replace(/^ {2}# (upkeep:| {2})/, "  $1"))
    .join("\n");
  const stack = parseStackYaml(uncommented, "uncommented qa");
  const config = parsePulumiConfig(stack.all, new Set(stack.secretKeys));
  assert.equal(config.kubernetes.postgresImage, "docker.io/library/postgres:15.10-alpine", "still a comment: the default stays");
  assert.deepEqual(config.notify.emails, ["oncall@example.com"]);
  assert.deepEqual(config.databases.map((d) => d.name), ["orders"]);
  assert.deepEqual(config.jobs.map((j) => j.name), ["image-scan"]);
  assert.equal(config.endpoints.length, 1);
});

test("onboarding plans qa offline into --out, and prints the plan and the exact next steps", () => {
  for (const file of ["resources.json", "kubernetes.yaml", "calendar.json", "calendar.md", "calendar.ics"]) {
    assert.ok(existsSync(join(outDir, file)), file);
  }
  assert.ok(!existsSync(join(ROOT, "plan", "qa")), "nothing in the repository's plan/");
  const [namespace] = parseAllDocuments(readFileSync(join(outDir, "kubernetes.yaml"), "utf8")).map((d) => d.toJSON());
  assert.equal(namespace.kind, "Namespace");
  assert.equal(namespace.metadata.name, "upkeep-qa");

  const head = `upkeep onboard: wrote ${qaFile}; it validates. Planning it offline:\n`;
  const tail = `
upkeep onboard: qa is ready; its plan is in ${outDir}.

Next steps:
  1. Commit ${qaFile} first: \`pulumi config set\` may rewrite it without its comments.
  2. Create the stack:
       pulumi stack init qa
  3. The cluster's kubeconfig, as a secret (without it, the ambient kubeconfig is used):
       pulumi config set --secret upkeep:kubeconfig < kubeconfig.yaml
  4. The alert webhook, as a secret; a staging stack needs it for on-call:
       pulumi config set --secret --path 'upkeep:notify.webhookUrl' https://…
  5. Add databases and jobs (see the commented examples), then \`npm run plan -- --stack qa\` and \`npm run runbooks\`.
  6. Preview what Pulumi would change:
       pulumi preview --stack qa
`;
  assert.ok(first.stdout.startsWith(head), first.stdout);
  assert.ok(first.stdout.endsWith(tail), first.stdout);
  // Between them, the plan's own summary, unchanged.
  const summary = first.stdout.slice(head.length, -tail.length);
  assert.match(summary, new RegExp(`^upkeep plan: stack qa → ${outDir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\nresources \\(\\d+\\):\n`));
  assert.match(summary, /\ntasks \(0\): none\n/);
});

test("a development stack's webhook is optional; staging and production need it for on-call", () => {
  assert.match(renderNextSteps("sandbox", "development", "stacks/Pulumi.sandbox.yaml"), /\n {2}4\. Optional for a development stack: a webhook for alerts and notices, as a secret:\n/);
  assert.match(renderNextSteps("live", "production", "stacks/Pulumi.live.yaml"), /\n {2}4\. The alert webhook, as a secret; a production stack needs it for on-call:\n/);
});

test("onboarding refuses to overwrite an existing stack file: exit 2, one line, file unchanged", async () => {
  const again = await onboard([...QA_ARGS.slice(0, 2), "--tier", "production", ...QA_ARGS.slice(4), "--stacks-dir", stacksDir, "--out", join(dir, "plan-again")]);
  assert.equal(again.code, 2);
  assert.equal(again.stdout, "");
  assert.equal(again.stderr, `upkeep onboard: ${qaFile} already exists; onboarding never overwrites a stack file (edit it, or choose another --env)\n`);
  assert.equal(readFileSync(qaFile, "utf8"), EXPECTED_QA_FILE);
  assert.ok(!existsSync(join(dir, "plan-again")));
});

const BAD_ARGS: ReadonlyArray<{ name: string; args: string[]; lines: string[] }> = [
  {
    name: "--tier prd",
    args: ["--env", "uat", "--tier", "prd", "--timezone", "America/Chicago", "--window", "mon,wed 02:00 180"],
    lines: ['upkeep onboard: --tier must be one of development, staging, production (got "prd")'],
  },
  {
    name: "--timezone Mars/Base",
    args: ["--env", "uat", "--tier", "staging", "--timezone", "Mars/Base", "--window", "mon,wed 02:00 180"],
    lines: ['upkeep onboard: --timezone must be an IANA time zone such as Europe/Berlin or UTC (got "Mars/Base")'],
  },
  {
    name: '--window "sat 25:00 10"',
    args: ["--env", "uat", "--tier", "staging", "--timezone", "America/Chicago", "--window", "sat 25:00 10"],
    lines: [
      'upkeep onboard: --window start must be a 24-hour time HH:MM such as "01:30" (got "25:00")',
      "upkeep onboard: --window minutes must be at least 15 (got 10)",
    ],
  },
  {
    name: "missing --env",
    args: ["--tier", "staging", "--timezone", "America/Chicago", "--window", "mon,wed 02:00 180"],
    lines: ["upkeep onboard: --env is required"],
  },
  {
    name: "every problem at once",
    args: ["--env", "UAT", "--tier", "prd", "--timezone", "Mars/Base", "--window", "sat,sa 02:00", "--region", "moon"],
    lines: [
      'upkeep onboard: --window must be "<days> <HH:MM> <minutes>", such as "sat,sun 01:30 240" (got "sat,sa 02:00")',
      'upkeep onboard: --region must be an AWS region such as eu-central-1 (got "moon")',
      "upkeep onboard: --env must be an RFC 1123 name: lower-case letters, digits and '-', starting and ending with a letter or digit (got \"UAT\")",
      'upkeep onboard: --tier must be one of development, staging, production (got "prd")',
      'upkeep onboard: --timezone must be an IANA time zone such as Europe/Berlin or UTC (got "Mars/Base")',
    ],
  },
];

for (const bad of BAD_ARGS) {
  test(`bad arguments (${bad.name}): exit 2, one line per problem and the usage, nothing written`, async () => {
    const before = readdirSync(stacksDir).sort();
    const out = join(dir, "plan-bad");
    const run = await onboard([...bad.args, "--stacks-dir", stacksDir, "--out", out]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, [...bad.lines, USAGE].join("\n"));
    assert.deepEqual(readdirSync(stacksDir).sort(), before);
    assert.ok(!existsSync(out));
  });
}
