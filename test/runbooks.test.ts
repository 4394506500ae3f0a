import assert from "node:assert/strict";
import { test } from "node:test";
import { generateRunbooks, staleRunbooks } from "../cli/runbooks";
import { reportParagraph } from "../components/calendar";

test("every task of every stack has a committed, current runbook", () => {
  assert.deepEqual(staleRunbooks(generateRunbooks()), []);
});

test("a runbook whose schedule changed is reported as stale, a missing one as missing", () => {
  const expected = new Map(generateRunbooks());
  const [first] = expected.keys();
  expected.set(first!, `${expected.get(first!)}\nchanged\n`);
  expected.set("prod/not-a-task.md", "x");
  assert.deepEqual(staleRunbooks(expected), [`stale: docs/runbooks/${first}`, "missing: docs/runbooks/prod/not-a-task.md"]);
});

test("a generated runbook states the schedule in local time, its alerts and its escalation", () => {
  const page = generateRunbooks(new Date("2026-11-29T00:00:00Z")).get("prod/orders-reindex.md")!;
  assert.match(page, /^# Reindex orders concurrently \(`orders-reindex`, prod\)\n/);
  assert.match(page, /\n- When: At 01:55, only on Saturday, the first one of each month only \(Europe\/Berlin\)\n/);
  assert.match(page, /\n- Cron: `55 1 \* \* 6` with `spec.timeZone: Europe\/Berlin`; slot 60 minutes, which is also the Job's deadline\.\n/);
  assert.match(page, /\n- Alerts \(severity `critical`\): \[UpkeepJobMissed\]\(\.\.\/UpkeepJobMissed\.md\), \[UpkeepJobFailed\]\(\.\.\/UpkeepJobFailed\.md\), \[UpkeepJobRunningTooLong\]\(\.\.\/UpkeepJobRunningTooLong\.md\)\n/);
  for (const section of ["## Purpose", "## Schedule", "## Steps", "## Verify", "## Rollback", "## Escalation"]) assert.ok(page.includes(`\n${section}\n`), section);
});

test("a task's page names what upkeep knows: no placeholder is left to fill in", () => {
  const pages = [...generateRunbooks(new Date("2026-11-29T00:00:00Z"))].filter(([path]) => !path.startsWith("routine/"));
  assert.ok(pages.length > 20);
  for (const [path, page] of pages) {
    // `<db>` is the vacuum script's own log format; anything else in angle brackets is a blank to fill.
    assert.deepEqual(page.replace("vacuumed and analyzed <db>", "").match(/<(?!!--)[a-z_A-Z-]+>/g), null, path);
  }
});

test("the prod cleanup page: database, host, sslmode, Secret, tables and retentions, the CronJob and its commands", () => {
  const page = generateRunbooks(new Date("2026-11-29T00:00:00Z")).get("prod/orders-cleanup.md")!;
  const facts = page.slice(page.indexOf("## What it works on\n"), page.indexOf("\n## Schedule"));
  assert.equal(
    facts,
    [
      "## What it works on",
      "- Database: `orders` on `orders-db.internal.example.com:5432`, sslmode `require`.",
      '- Credentials: Secret `orders-db-maintenance` in `upkeep-maintenance`, keys PGUSER and PGPASSWORD, created by hand (README, "Deploying with Pulumi").',
      "- Table `public.audit_log`: rows whose `created_at` is older than 90 days are deleted, first batch 5000 rows.",
      "- CronJob `upkeep-maintenance/orders-cleanup`; logs of its recent runs: `kubectl -n upkeep-maintenance logs -l upkeep.dev/task=orders-cleanup -c task --prefix --tail=200`.",
      "",
    ].join("\n"),
  );
  assert.match(page, /\n## Verify\n- `SELECT count\(\*\) FROM public\.audit_log WHERE created_at < now\(\) - interval '90 days';` is 0 after a complete run\.\n/);
  const staging = generateRunbooks(new Date("2026-11-29T00:00:00Z")).get("staging/orders-cleanup.md")!;
  assert.match(staging, /\n- Table `public\.outbox_events`: rows whose `published_at` is older than 7 days are deleted, first batch 10000 rows\.\n/);
});

test("a custom job's page: its image, arguments, the Secrets it reads, and a run on demand", () => {
  const page = generateRunbooks(new Date("2026-11-29T00:00:00Z")).get("prod/search-rebuild.md")!;
  assert.match(page, /\n- Image: `registry\.example\.com\/search-indexer:2\.14\.0`, command `\/app\/indexer`, arguments `rebuild --all --max-minutes 18`\.\n/);
  assert.match(page, /\n- Secrets it reads: `search-indexer` in `upkeep-maintenance` \(`secretEnv`\)\.\n/);
  assert.match(page, /\n- Run it once: `kubectl -n upkeep-maintenance create job --from=cronjob\/search-rebuild search-rebuild-manual-\$\(date \+%s\)`, and check it completes\.\n/);
});

test("a task's page says where its run's report went, and the monthly guard retries with a Pushgateway", () => {
  const pages = generateRunbooks(new Date("2026-11-29T00:00:00Z"));
  const prod = pages.get("prod/orders-reindex.md")!;
  assert.ok(
    prod.includes(
      "\n- The CronJob fires on its weekday every week; `period-guard.sh` asks the Pushgateway whether this period's real run already succeeded: if so the run logs a skip (outcome `skipped`), if not this window day runs it, so a failed run is tried again on the next window day of the period. When the Pushgateway does not answer, only the run in the first seven days of the month goes through.\n",
    ),
  );
  assert.ok(
    prod.includes(
      "\n\nThis run's report: after its window, `post-maintenance-verify` lists it in the window report with its outcome, duration and figures (README: The maintenance record). It went to the `info` topic upkeep-prod-info as the completion notice. The report step's log holds it too, for the Jobs the history limits keep: `kubectl -n upkeep-maintenance logs -l upkeep.dev/task=post-maintenance-verify -c report --tail=-1`.\n",
    ),
  );
  // staging has neither a webhook nor a role: its pages say the report reached no one.
  assert.match(pages.get("staging/orders-vacuum.md")!, /It reached no one: no webhook, and no IAM role to publish it to the `info` topic \(the plan warns\)\./);
  // A custom job pushes no outcome, so its page promises no report.
  assert.doesNotMatch(pages.get("prod/search-rebuild.md")!, /This run's report/);
});

test("with maintenanceLog.location, the page names the history's files and how to list them", () => {
  const text = reportParagraph({ to: ["the webhook (`notify.webhookUrl`)"], log: "s3://ops-history/upkeep/prod/", container: "report", namespace: "upkeep-prod" });
  assert.equal(
    text,
    "This run's report: after its window, `post-maintenance-verify` lists it in the window report with its outcome, duration and figures (README: The maintenance record). " +
      "It went to the webhook (`notify.webhookUrl`) as the completion notice; the maintenance history keeps it as `s3://ops-history/upkeep/prod/<date>-<day>.md` and `.json`, after the local date and weekday the window started (`aws s3 ls s3://ops-history/upkeep/prod/`). " +
      "The report step's log holds it too, for the Jobs the history limits keep: `kubectl -n upkeep-prod logs -l upkeep.dev/task=post-maintenance-verify -c report --tail=-1`.",
  );
});
