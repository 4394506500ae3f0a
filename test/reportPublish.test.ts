// Publishing the window report with AWS: report-publish.sh runs the real AWS
// CLI (Debian's awscli, v2 like the pod's image) against an HTTP server on
// 127.0.0.1 that stands in for SNS and S3. The only thing between the script
// and the CLI is `aws` first on PATH, which execs the real one with
// `--endpoint-url` of that server: the CLI still builds, signs and sends each
// request and reads each answer and error itself. The script's PATH holds
// nothing else, so it needs sh and aws only, as in the AWS CLI image.
// Then the pod's three steps in order (window-report.sh UPKEEP_STEP=report,
// report-publish.sh, window-report.sh UPKEEP_STEP=outcome) against the real
// Pushgateway: a failed publish makes the run partial, with one line.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server as HttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/postgres";
import { startPushgateway, type Server } from "./support/monitoring";
import { close, listen } from "./support/http";
import { assertPushedAsRecorded } from "./support/record";
import { outcomeOf, SCRIPTS } from "./support/scripts";

const AWS = process.env.UPKEEP_AWS_CLI ?? "/usr/bin/aws";
const TOPIC = "arn:aws:sns:eu-central-1:123456789012:upkeep-prod-info";
const LOG = "s3://acme-upkeep-history/prod/";
const work = mkdtempSync(join(tmpdir(), "upkeep-publish-"));
const bin = join(work, "bin");

interface Request { method: string; path: string; headers: IncomingHttpHeaders; body: string }
/** What the stand-in answers: per service, a status and an error code (AWS's XML error shape). */
const answer: Record<"sns" | "s3", { status: number; code?: string; message?: string }> = { sns: { status: 200 }, s3: { status: 200 } };
let requests: Request[] = [];
let endpoint = "";
let server: HttpServer;
let gateway: Server;

before(async () => {
  mkdirSync(bin);
  // The real CLI, pointed at the stand-in.
  writeFileSync(join(bin, "aws"), `#!/bin/sh\nexec ${AWS} --endpoint-url "$FAKE_AWS_ENDPOINT" "$@"\n`);
  chmodSync(join(bin, "aws"), 0o755);
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      const service = req.method === "PUT" ? "s3" : "sns";
      const a = answer[service];
      res.statusCode = a.status;
      if (a.status !== 200) {
        res.setHeader("Content-Type", "text/xml");
        res.end(
          service === "sns"
            ? `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${a.code}</Code><Message>${a.message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${a.code}</Code><Message>${a.message}</Message><RequestId>r-2</RequestId><HostId>h</HostId></Error>`,
        );
      } else if (service === "s3") {
        res.setHeader("ETag", '"9b2cf535f27731c974343645a3985328"');
        res.end();
      } else {
        res.setHeader("Content-Type", "text/xml");
        res.end('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>5f1c8b-0001</MessageId></PublishResult><ResponseMetadata><RequestId>r-0</RequestId></ResponseMetadata></PublishResponse>');
      }
    });
  });
  endpoint = `http://127.0.0.1:${await listen(server)}`;
  gateway = await startPushgateway();
});

after(async () => {
  if (server) await close(server);
  await gateway?.stop();
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
  answer.sns = { status: 200 };
  answer.s3 = { status: 200 };
});

interface Run { code: number; stdout: string; stderr: string }

/** IRSA's credentials are temporary: a key, a secret and a session token, as the CLI gets them from STS. */
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "ASIAEXAMPLEKEY000001", AWS_SECRET_ACCESS_KEY: "example-secret", AWS_SESSION_TOKEN: "example-session-token" };

function run(args: string[], env: Record<string, string>, path: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile("/bin/sh", args, { env: { PATH: path, HOME: work, ...env }, timeout: 90_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** report-publish.sh as the pod runs it: the env the pod gives it, and only `aws` on PATH. */
const publish = (dir: string, env: Record<string, string> = {}) =>
  run([join(SCRIPTS, "report-publish.sh")], {
    ...CREDENTIALS,
    FAKE_AWS_ENDPOINT: endpoint,
    UPKEEP_REPORT_DIR: dir,
    UPKEEP_INFO_TOPIC_ARN: TOPIC,
    UPKEEP_MAINTENANCE_LOG: LOG,
    AWS_MAX_ATTEMPTS: "2",
    AWS_RETRY_MODE: "standard",
    AWS_PAGER: "",
    ...env,
  }, bin);

const NAME = "2026-12-05-sat";
const NOTICE = "# Maintenance report: prod, Sat 2026-12-05 00:30–05:30 Europe/Berlin\n\n3 task(s): 2 succeeded, 1 failed, 0 partial, 0 skipped, 0 did not run. Endpoints: 1 of 1 healthy.\n";
const SUBJECT = "[upkeep prod] Maintenance report Sat 2026-12-05 00:30-05:30 Europe/Berlin";

/** What the report step leaves: the report, the notice and its subject. */
function reportDir(withReport = true): string {
  const dir = mkdtempSync(join(work, "report-"));
  writeFileSync(join(dir, "notice.md"), NOTICE);
  writeFileSync(join(dir, "subject"), `${SUBJECT}\n`);
  writeFileSync(join(dir, "published"), "");
  if (withReport) {
    writeFileSync(join(dir, "name"), `${NAME}\n`);
    writeFileSync(join(dir, `${NAME}.json`), '{"environment": "prod"}\n');
    writeFileSync(join(dir, `${NAME}.md`), NOTICE);
  }
  return dir;
}

const form = (body: string) => Object.fromEntries(new URLSearchParams(body));
const published = (dir: string) => readFileSync(join(dir, "published"), "utf8");

describe("report-publish.sh with the real AWS CLI against a stand-in for SNS and S3", () => {
  test("the notice to the info topic, the report under the prefix, each request signed with the role's session", async () => {
    const dir = reportDir();
    const r = await publish(dir);
    assert.deepEqual([r.code, r.stderr], [0, ""]);
    assert.equal(
      r.stdout,
      [
        `upkeep publish: published the completion notice to ${TOPIC} (message 5f1c8b-0001)`,
        `upkeep publish: wrote ${LOG}${NAME}.json and .md`,
        "",
      ].join("\n"),
    );
    assert.equal(published(dir), `topic published 5f1c8b-0001\nlog written ${LOG}${NAME}\n`);
    assert.deepEqual(
      requests.map((q) => [q.method, q.path, q.headers["content-type"]]),
      [
        ["POST", "/", "application/x-www-form-urlencoded; charset=utf-8"],
        ["PUT", `/acme-upkeep-history/prod/${NAME}.json`, "application/json"],
        ["PUT", `/acme-upkeep-history/prod/${NAME}.md`, "text/markdown; charset=utf-8"],
      ],
    );
    assert.deepEqual(form(requests[0]!.body), { Action: "Publish", Version: "2010-03-31", TopicArn: TOPIC, Subject: SUBJECT, Message: NOTICE });
    assert.equal(requests[1]!.body, '{"environment": "prod"}\n');
    assert.equal(requests[2]!.body, NOTICE);
    for (const [q, service] of [[requests[0]!, "sns"], [requests[1]!, "s3"], [requests[2]!, "s3"]] as const) {
      assert.match(String(q.headers.authorization), new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.AWS_ACCESS_KEY_ID}/\\d{8}/eu-central-1/${service}/aws4_request, SignedHeaders=\\S*x-amz-security-token\\S*, Signature=[0-9a-f]{64}$`));
      assert.equal(q.headers["x-amz-security-token"], CREDENTIALS.AWS_SESSION_TOKEN);
    }
  });

  test("SNS refusing the role: one line with the CLI's reason, the log still written, exit 0 for the next step", async () => {
    answer.sns = { status: 403, code: "AuthorizationError", message: `User: arn:aws:sts::123456789012:assumed-role/upkeep-prod-post-maintenance-verify/botocore-session-1 is not authorized to perform: SNS:Publish on resource: ${TOPIC}` };
    const dir = reportDir();
    const r = await publish(dir);
    assert.equal(r.code, 0);
    const why = `could not publish the completion notice to ${TOPIC}: An error occurred (AuthorizationError) when calling the Publish operation: ${answer.sns.message}`;
    assert.equal(r.stderr, `upkeep publish: ${why}\n`);
    assert.equal(published(dir), `topic failed ${why}\nlog written ${LOG}${NAME}\n`);
    // An authorization error is not retried.
    assert.deepEqual(requests.map((q) => q.method), ["POST", "PUT", "PUT"]);
  });

  test("S3 refusing the first object: one line, the second not tried", async () => {
    answer.s3 = { status: 403, code: "AccessDenied", message: "Access Denied" };
    const dir = reportDir();
    const r = await publish(dir);
    assert.equal(r.code, 0);
    const why = `could not write ${LOG}${NAME}.json: An error occurred (AccessDenied) when calling the PutObject operation: Access Denied`;
    assert.equal(r.stderr, `upkeep publish: ${why}\n`);
    assert.equal(published(dir), `topic published 5f1c8b-0001\nlog failed ${why}\n`);
    assert.deepEqual(requests.map((q) => q.method), ["POST", "PUT"]);
  });

  test("a server error is retried once (AWS_MAX_ATTEMPTS=2), then reported", async () => {
    answer.sns = { status: 500, code: "InternalError", message: "We encountered an internal error. Please try again." };
    const dir = reportDir();
    const r = await publish(dir, { UPKEEP_MAINTENANCE_LOG: "" });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `upkeep publish: could not publish the completion notice to ${TOPIC}: An error occurred (InternalError) when calling the Publish operation (reached max retries: 1): We encountered an internal error. Please try again.\n`);
    assert.deepEqual(requests.map((q) => q.method), ["POST", "POST"]);
  });

  test("nobody listening: one line naming the endpoint the CLI could not reach", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const dir = reportDir();
    const r = await publish(dir, { FAKE_AWS_ENDPOINT: closed, UPKEEP_MAINTENANCE_LOG: "" });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `upkeep publish: could not publish the completion notice to ${TOPIC}: Could not connect to the endpoint URL: "${closed}/"\n`);
    assert.match(published(dir), /^topic failed could not publish the completion notice to /);
  });

  test("without a report (the Pushgateway could not be read), the notice still goes out and the log says there is none", async () => {
    const dir = reportDir(false);
    const r = await publish(dir);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `upkeep publish: could not write the report to ${LOG}: there is no report to write\n`);
    assert.equal(published(dir), `topic published 5f1c8b-0001\nlog failed could not write the report to ${LOG}: there is no report to write\n`);
    assert.deepEqual(requests.map((q) => q.method), ["POST"]);
  });

  test("without a maintenance log only the topic is published", async () => {
    const dir = reportDir();
    const r = await publish(dir, { UPKEEP_MAINTENANCE_LOG: "" });
    assert.deepEqual([r.code, r.stderr], [0, ""]);
    assert.equal(published(dir), "topic published 5f1c8b-0001\n");
    assert.deepEqual(requests.map((q) => q.method), ["POST"]);
  });
});

// ---------------------------------------------------------------- the pod's three steps

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

describe("the three steps of post-maintenance-verify with AWS", () => {
  let app: HttpServer;
  let base = "";
  before(async () => {
    app = createServer((_req, res) => res.end("ok"));
    base = `http://127.0.0.1:${await listen(app)}`;
  });
  after(async () => {
    if (app) await close(app);
  });

  /** report (this PATH), publish (only aws), outcome (this PATH), as the pod runs them, sharing one directory. */
  async function pod(environment: string) {
    const dir = mkdtempSync(join(work, "pod-"));
    const start = new Date(Date.now() - 90 * 60_000);
    const hhmm = start.toISOString().slice(11, 16);
    const common = {
      UPKEEP_TASK: "post-maintenance-verify",
      UPKEEP_KIND: "verify",
      UPKEEP_ENVIRONMENT: environment,
      UPKEEP_TIMEZONE: "UTC",
      UPKEEP_REPORT_DIR: dir,
    };
    const path = process.env.PATH ?? "/usr/bin:/bin";
    const report = await run([join(SCRIPTS, "window-report.sh")], {
      ...common,
      UPKEEP_STEP: "report",
      UPKEEP_WINDOW: `${hhmm} 120`,
      UPKEEP_REPORT_TASKS: `orders-vacuum|vacuum|daily|${DAYS.join(",")}|*`,
      UPKEEP_ENDPOINTS: `200|5000|${base}/healthz`,
      UPKEEP_PUSHGATEWAY_URL: gateway.url,
    }, path);
    const published = await publish(dir);
    const outcome = await run([join(SCRIPTS, "window-report.sh")], { ...common, UPKEEP_STEP: "outcome", UPKEEP_PUSHGATEWAY_URL: gateway.url }, path);
    const name = `${start.toISOString().slice(0, 10)}-${DAYS[start.getUTCDay()]}`;
    return { dir, name, report, published, outcome };
  }

  test("all published: the outcome is the verification's success, its figures say where the report went", async () => {
    const p = await pod("aws-ok");
    assert.deepEqual([p.report.code, p.report.stderr], [0, ""]);
    assert.doesNotMatch(p.report.stdout, /^\{/m, "the report step prints no outcome line");
    assert.deepEqual([p.published.code, p.published.stderr], [0, ""]);
    assert.deepEqual([p.outcome.code, p.outcome.stderr], [0, ""]);
    const { log, outcome } = outcomeOf(p.outcome.stdout);
    assert.equal(log, "");
    assert.deepEqual([outcome.task, outcome.kind, outcome.outcome, outcome.reason], ["post-maintenance-verify", "verify", "success", null]);
    const figures = outcome.figures as { endpoints: { url: string; ok: boolean }[]; notice: string; report: string; topic: string; log: string };
    assert.deepEqual(figures.endpoints.map((e) => [e.url, e.ok]), [[`${base}/healthz`, true]]);
    assert.deepEqual([figures.notice, figures.report, figures.topic, figures.log], ["none", p.name, "published", "written"]);
    // The run started when the report step did.
    assert.equal(Date.parse(outcome.start) / 1000, Number(readFileSync(join(p.dir, "start"), "utf8")));
    assert.deepEqual(requests.map((q) => [q.method, q.path]), [["POST", "/"], ["PUT", `/acme-upkeep-history/prod/${p.name}.json`], ["PUT", `/acme-upkeep-history/prod/${p.name}.md`]]);
    assert.equal(requests[1]!.body, readFileSync(join(p.dir, `${p.name}.json`), "utf8"));
    assert.equal(form(requests[0]!.body).Message, readFileSync(join(p.dir, `${p.name}.md`), "utf8"));
    await assertPushedAsRecorded(gateway.url, outcome);
  });

  test("a failed publish: one line from the publisher, and the run is partial, never a silent success", async () => {
    answer.sns = { status: 403, code: "AuthorizationError", message: "User is not authorized to perform: SNS:Publish" };
    const p = await pod("aws-denied");
    assert.equal(p.published.code, 0);
    const why = `could not publish the completion notice to ${TOPIC}: An error occurred (AuthorizationError) when calling the Publish operation: User is not authorized to perform: SNS:Publish`;
    assert.equal(p.published.stderr, `upkeep publish: ${why}\n`);
    assert.equal(p.outcome.code, 0, "partial exits 0, as every job's partial run");
    const { outcome } = outcomeOf(p.outcome.stdout);
    assert.deepEqual([outcome.outcome, outcome.reason], ["partial", why]);
    assert.deepEqual((outcome.figures as { topic: string; log: string }).topic, "failed");
    assert.deepEqual((outcome.figures as { topic: string; log: string }).log, "written");
    // Pushed as partial: the dashboard's outcome panel shows it, and the last success does not move.
    await assertPushedAsRecorded(gateway.url, outcome);
    assert.ok(existsSync(join(p.dir, `${p.name}.json`)));
  });
});
