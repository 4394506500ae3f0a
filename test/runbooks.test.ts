import assert from "node:assert/strict";
import { test } from "node:test";
import { generateRunbooks, staleRunbooks } from "../cli/runbooks";

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
  assert.match(page, /\n- When: At 04:30, only on Saturday, the first one of each month only \(Europe\/Berlin\)\n/);
  assert.match(page, /\n- Cron: `30 4 \* \* 6` with `spec.timeZone: Europe\/Berlin`; slot 60 minutes, which is also the Job's deadline\.\n/);
  assert.match(page, /\n- Alerts \(severity `critical`\): \[UpkeepJobMissed\]\(\.\.\/UpkeepJobMissed\.md\), \[UpkeepJobFailed\]\(\.\.\/UpkeepJobFailed\.md\), \[UpkeepJobRunningTooLong\]\(\.\.\/UpkeepJobRunningTooLong\.md\)\n/);
  for (const section of ["## Purpose", "## Schedule", "## Steps", "## Verify", "## Rollback", "## Escalation"]) assert.ok(page.includes(`\n${section}\n`), section);
});
