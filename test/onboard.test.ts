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
import { FLAGS, renderHelp } from "../cli/onboard/args";
import { renderNextSteps } from "../cli/onboard/nextSteps";
import { parseStackYaml, readStackFile } from "../cli/stackFile";
import { parsePulumiConfig } from "../components/config/load";
import { ROOT } from "./support/configs";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The region variables a shell may carry are removed; a test sets the ones it means. */
function onboard(args: readonly string[], regionEnv: Record<string, string> = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...regionEnv };
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) if (!(name in regionEnv)) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(ROOT, "cli", "onboard.ts"), ...args], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const USAGE =
  'usage: npm run onboard -- --env <name> --tier <tier> --timezone <tz> --window "<days> <HH:MM> <minutes>" ' +
  '[--namespace <ns>] [--region <region>] [--emails <a@x,b@y>] [--runbook-base-url <https://…>] [--no-aws-backup "<why>"] ' +
  "[--stacks-dir <dir>] [--out <plan-dir>] [--help]\n";

const RUNBOOKS = "https://github.com/acme/platform-maintenance/blob/main/docs/runbooks";
const QA_ARGS = ["--env", "qa", "--tier", "staging", "--timezone", "America/Chicago", "--window", "mon,wed 02:00 180", "--runbook-base-url", RUNBOOKS];

const EXPECTED_QA_FILE = `# qa: stack file of the upkeep environment qa (tier staging),
# written by \`npm run onboard\`. Pulumi reads it for the stack qa
# (Pulumi.yaml: stackConfigDir: stacks); \`npm run plan -- --stack qa\` shows
# offline what it deploys. Keys are explained in README.md, "Config reference".
#
# Commented keys show the default upkeep uses while they are absent, and
# examples: uncomment and change what you need, then plan again.
# Secrets never go here in plain text; set them with \`pulumi config set --secret\`.
config:
  aws:region: us-east-2
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
  upkeep:alerting:
    runbookBaseUrl: https://github.com/acme/platform-maintenance/blob/main/docs/runbooks
    # alertmanager: false                   # true: an AlertmanagerConfig routes upkeep's alerts
    # pushgateway: deploy                   # where tasks push their outcome: deploy, off or http(s)://…
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
  #     credentialsSecret: orders-db-maintenance   # existing Secret with PGUSER and PGPASSWORD, or credentials: { user } (README)
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
  first = await onboard([...QA_ARGS, "--stacks-dir", stacksDir, "--out", outDir], { AWS_REGION: "us-east-2", AWS_DEFAULT_REGION: "eu-west-1" });
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
  assert.equal(config.kubernetes.namespace, "upkeep-qa", "its own namespace, upkeep-<env>, without --namespace");
  assert.equal(config.awsRegion, "us-east-2", "AWS_REGION before AWS_DEFAULT_REGION");
  assert.equal(config.alerting.runbookBaseUrl, RUNBOOKS);
  assert.deepEqual([config.databases, config.jobs], [[], []]);
});

test("the commented examples are valid config once uncommented", () => {
  const uncommented = EXPECTED_QA_FILE.split("\n")
    .filter((line) => !line.includes("webhookUrl is secret only"))
    .map((line) => line.replace(/^ {2}# (upkeep:| {2})/, "  $1"))
    .join("\n");
  const stack = parseStackYaml(uncommented, "uncommented qa");
  const config = parsePulumiConfig(stack.all, new Set(stack.secretKeys), "qa");
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

  const head = `upkeep onboard: wrote ${qaFile} (aws:region us-east-2, from AWS_REGION); it validates. Planning it offline:\n`;
  const tail = `\nupkeep onboard: qa is ready; its plan is in ${outDir}.\n\n${renderNextSteps("qa", "staging", "upkeep-qa", qaFile)}`;
  assert.ok(first.stdout.startsWith(head), first.stdout);
  assert.ok(first.stdout.endsWith(tail), first.stdout);
  // Between them, the plan's own summary, unchanged.
  const summary = first.stdout.slice(head.length, -tail.length);
  assert.match(summary, new RegExp(`^upkeep plan: stack qa → ${outDir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\nresources \\(\\d+\\):\n`));
  assert.match(summary, /\ntasks \(0\): none\n/);
});

test("a development stack's webhook is optional; staging and production page people through it or their emails", () => {
  assert.match(renderNextSteps("sandbox", "development", "upkeep-sandbox", "stacks/Pulumi.sandbox.yaml"), /the alert webhook \(optional for a development stack, whose alerts are info only\)/);
  assert.match(renderNextSteps("live", "production", "upkeep-live", "stacks/Pulumi.live.yaml"), /the alert webhook \(a production stack pages people through it or `notify\.emails`\)/);
});

test("onboarding refuses to overwrite an existing stack file: exit 2, one line, file unchanged", async () => {
  const again = await onboard([...QA_ARGS.slice(0, 2), "--tier", "development", ...QA_ARGS.slice(4), "--region", "eu-central-1", "--stacks-dir", stacksDir, "--out", join(dir, "plan-again")]);
  assert.equal(again.code, 2);
  assert.equal(again.stdout, "");
  assert.equal(again.stderr, `upkeep onboard: ${qaFile} already exists; onboarding never overwrites a stack file (edit it, or choose another --env)\n`);
  assert.equal(readFileSync(qaFile, "utf8"), EXPECTED_QA_FILE);
  assert.ok(!existsSync(join(dir, "plan-again")));
});

const STAGING = ["--tier", "staging", "--timezone", "America/Chicago", "--window", "mon,wed 02:00 180", "--runbook-base-url", RUNBOOKS];

const BAD_ARGS: ReadonlyArray<{ name: string; args: string[]; env?: Record<string, string>; lines: string[] }> = [
  {
    name: "--tier prd",
    args: ["--env", "uat", "--tier", "prd", "--timezone", "America/Chicago", "--window", "mon,wed 02:00 180", "--region", "eu-central-1"],
    lines: ['upkeep onboard: --tier must be one of development, staging, production (got "prd")'],
  },
  {
    name: "--timezone Mars/Base",
    args: ["--env", "uat", ...STAGING.slice(0, 2), "--timezone", "Mars/Base", ...STAGING.slice(4), "--region", "eu-central-1"],
    lines: ['upkeep onboard: --timezone must be an IANA time zone such as Europe/Berlin or UTC (got "Mars/Base")'],
  },
  {
    name: '--window "sat 25:00 10"',
    args: ["--env", "uat", ...STAGING.slice(0, 4), "--window", "sat 25:00 10", ...STAGING.slice(6), "--region", "eu-central-1"],
    lines: [
      'upkeep onboard: --window start must be a 24-hour time HH:MM such as "01:30" (got "25:00")',
      "upkeep onboard: --window minutes must be at least 15 (got 10)",
    ],
  },
  {
    name: "missing --env",
    args: [...STAGING, "--region", "eu-central-1"],
    lines: ["upkeep onboard: --env is required"],
  },
  {
    name: "no --region, no AWS_REGION, no AWS_DEFAULT_REGION",
    args: ["--env", "uat", ...STAGING],
    lines: ["upkeep onboard: --region is required: neither AWS_REGION nor AWS_DEFAULT_REGION is set, and onboarding never guesses a region"],
  },
  {
    name: "a malformed AWS_DEFAULT_REGION is named as such",
    args: ["--env", "uat", ...STAGING],
    env: { AWS_DEFAULT_REGION: "Frankfurt" },
    lines: ['upkeep onboard: AWS_DEFAULT_REGION must be an AWS region such as eu-central-1 (got "Frankfurt")'],
  },
  {
    name: "a staging runbook base that is a relative path",
    args: ["--env", "uat", ...STAGING.slice(0, 7), "docs/runbooks", "--region", "eu-central-1"],
    lines: [
      'upkeep onboard: --runbook-base-url must be an absolute https:// URL in a staging stack, such as https://github.com/<org>/<repo>/blob/main/docs/runbooks, so that an alert\'s runbook_url opens from a page (got "docs/runbooks")',
    ],
  },
  {
    name: "production without what only a flag can give",
    args: ["--env", "live", "--tier", "production", "--timezone", "Europe/Berlin", "--window", "sat,sun 01:30 240", "--region", "eu-central-1"],
    lines: [
      "upkeep onboard: --emails is required for a production stack: its alerts must reach someone (a webhook, a secret set after `pulumi stack init`, may replace them later)",
      "upkeep onboard: --runbook-base-url is required for a production stack: an absolute https:// URL of this repository's docs/runbooks, such as https://github.com/<org>/<repo>/blob/main/docs/runbooks",
      'upkeep onboard: --no-aws-backup "<why>" is required for a production stack: onboarding does not choose a backup vault for you; say why the stack has none for now, then configure upkeep:backups.aws in its place (README, "Config reference")',
    ],
  },
  {
    name: "production with a reason too short to be one, and a bad address",
    args: [
      "--env", "live", "--tier", "production", "--timezone", "Europe/Berlin", "--window", "sat,sun 01:30 240", "--region", "eu-central-1",
      "--emails", "oncall@example.com,pager", "--runbook-base-url", RUNBOOKS, "--no-aws-backup", "n/a",
    ],
    lines: [
      'upkeep onboard: --emails must be an email address (got "pager")',
      'upkeep onboard: --no-aws-backup must say in a sentence why this stack has no AWS Backup (got "n/a")',
    ],
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
      "upkeep onboard: --namespace (upkeep-UAT, from --env) must be an RFC 1123 name: lower-case letters, digits and '-', starting and ending with a letter or digit (got \"upkeep-UAT\")",
    ],
  },
];

for (const bad of BAD_ARGS) {
  test(`bad arguments (${bad.name}): exit 2, one line per problem and the usage, nothing written`, async () => {
    const before = readdirSync(stacksDir).sort();
    const out = join(dir, "plan-bad");
    const run = await onboard([...bad.args, "--stacks-dir", stacksDir, "--out", out], bad.env);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, [...bad.lines, USAGE].join("\n"));
    assert.deepEqual(readdirSync(stacksDir).sort(), before);
    assert.ok(!existsSync(out));
  });
}

test("--help prints the usage and every flag, and exits 0 without writing anything", async () => {
  const before = readdirSync(stacksDir).sort();
  const run = await onboard(["--help"]);
  assert.deepEqual(run, { code: 0, stdout: renderHelp(), stderr: "" });
  assert.ok(run.stdout.startsWith(USAGE));
  for (const { flag } of FLAGS) assert.ok(run.stdout.includes(`  ${flag}`), flag);
  assert.deepEqual(readdirSync(stacksDir).sort(), before);
});

test("the README documents every flag onboard takes", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Adding an environment"), readme.indexOf("## Adding a task"));
  for (const { flag, text } of FLAGS) assert.ok(section.includes(`| \`${flag}\` | ${text} |`), flag);
});

test("a production stack: on-call emails, an https runbook base and the stated reason it has no AWS Backup, written live", async () => {
  const out = join(dir, "plan-live");
  const run = await onboard(
    [
      "--env", "live", "--tier", "production", "--timezone", "Europe/Berlin", "--window", "sat,sun 01:30 240", "--emails", "oncall@example.com, sre@example.com",
      "--runbook-base-url", RUNBOOKS, "--no-aws-backup", "The RDS snapshots of this account are managed by the database team.", "--stacks-dir", stacksDir, "--out", out,
    ],
    { AWS_DEFAULT_REGION: "eu-west-1" },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.startsWith(`upkeep onboard: wrote ${join(stacksDir, "Pulumi.live.yaml")} (aws:region eu-west-1, from AWS_DEFAULT_REGION); it validates.`));
  const text = readFileSync(join(stacksDir, "Pulumi.live.yaml"), "utf8");
  assert.ok(
    text.includes(`  upkeep:notify:
    emails: [oncall@example.com, sre@example.com]  # critical and warning alerts
    # stakeholderEmails: [team@example.com]   # window notices and completion notices
    # noticeHours: 24                         # notice this long before each window
    # # webhookUrl is secret only: pulumi config set --secret --path 'upkeep:notify.webhookUrl' https://…
  upkeep:alerting:
    runbookBaseUrl: ${RUNBOOKS}
    # alertmanager: false                   # true: an AlertmanagerConfig routes upkeep's alerts
    # pushgateway: deploy                   # where tasks push their outcome: deploy, off or http(s)://…
  # upkeep:maintenanceLog:
  #   location: s3://bucket/upkeep/live/     # each window's report: the maintenance history
  #   roleArn: arn:aws:iam::123456789012:role/upkeep-live-log   # else created from kubernetes.oidcProviderArn
  upkeep:backups:
    aws:
      none: "The RDS snapshots of this account are managed by the database team."  # replace with a vault and restore testing (README, "Config reference")
  # upkeep:reviews:
`),
    text,
  );
  const stack = readStackFile(join(stacksDir, "Pulumi.live.yaml"));
  const config = parsePulumiConfig(stack.all, new Set(stack.secretKeys), "live");
  assert.deepEqual(config.notify.emails, ["oncall@example.com", "sre@example.com"]);
  assert.equal(config.backups.awsOptOut, "The RDS snapshots of this account are managed by the database team.");
  assert.equal(config.kubernetes.namespace, "upkeep-live");
});
