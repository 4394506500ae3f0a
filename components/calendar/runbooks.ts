/**
 * Runbooks, generated for every task of every environment from the same plan
 * the program deploys, so the schedule a runbook states is the schedule that
 * runs. `npm run runbooks` writes them; a test fails when one is stale.
 */
import type { CalendarEntry } from "./entries";
import type { RunbookFacts } from "./runbookFacts";
import type { Automation, RoutineTask } from "../config";
import { runbookUrl } from "../alerting";
import { guardLine, REPORTED_VERIFY, reportParagraph, type RunbookReport } from "./reportRunbook";

export interface RunbookContext {
  readonly environment: string;
  readonly stackFile: string;
  /** The severity of this task's alerts. */
  readonly severity: string;
  readonly alertRunbookBase: string;
  /** Whether the tasks push their outcome (`alerting.pushgateway` is not `off`): the guard then retries. */
  readonly pushgateway?: boolean;
  /** With a window report (a Pushgateway and endpoints): where it goes. */
  readonly report?: RunbookReport;
}

interface KindText {
  readonly purpose: string;
  readonly steps: readonly string[];
  /** What the run prints when it fails (or warns), and what to do: one row each. */
  readonly failures: readonly (readonly [when: string, action: string])[];
  readonly rollback: string;
  readonly escalation: string;
}

/** The rows every task shares. */
const CONNECT = ["exit 1, `cannot connect to host:port/db as role: …`", "Check the Secret `credentialsSecret` (PGUSER, PGPASSWORD) and that the database is reachable from the namespace."] as const;
const SIGTERM = [
  "exit 143, `stopped by SIGTERM after N s…`",
  "The Job's deadline or a deleted Job stopped it; its server sessions were ended first. If it ran into the deadline, find out what held it (the lines before) and lengthen the slot.",
] as const;

const KINDS: Readonly<Record<string, KindText>> = {
  vacuum: {
    purpose:
      "Reclaim dead tuples and refresh planner statistics on every table of the database, online. " +
      "Runs `vacuumdb --analyze --jobs N`; never `VACUUM FULL`, which takes an ACCESS EXCLUSIVE lock.",
    steps: [
      "Checks it can connect; one line and exit 1 if not.",
      "Lists the tables the role may vacuum; a schema it has no USAGE on is skipped with a warning.",
      "Runs `vacuumdb --analyze --skip-locked --jobs $UPKEEP_VACUUM_JOBS` on them, under `lock_timeout` and a `statement_timeout` that ends before the slot does: a locked table is skipped with a warning, not waited on.",
      "Prints one line with the tables it vacuumed, skipped and may not vacuum, then the outcome line (`partial` when it skipped a locked table).",
    ],
    failures: [
      CONNECT,
      ["exit 0, `warning: skipping vacuum of \"t\" --- lock not available`", "Nothing if it is rare. If the same table is skipped run after run, find the holder: `SELECT pid, mode, granted, query FROM pg_locks JOIN pg_stat_activity USING (pid) WHERE relation = 't'::regclass;`"],
      ["exit 0, `warning: skipped schema s (N table(s)): role has no USAGE on it`", "If its tables should be vacuumed, `GRANT USAGE ON SCHEMA s` to the maintenance role (the Secret's `PGUSER`); else nothing."],
      ["exit 1, `stopped at the deadline after N s: vacuuming N table(s) of … did not finish`", "Raise `vacuum.durationMinutes` or `vacuumJobs`; the next run starts over."],
      SIGTERM,
    ],
    rollback: "Nothing to undo: VACUUM changes no data.",
    escalation: "The database owner, if it keeps running out of its slot: raise `vacuum.durationMinutes` or `vacuumJobs`.",
  },
  reindex: {
    purpose: "Rebuild indexes without blocking writes (`REINDEX … CONCURRENTLY`), and repair indexes left invalid by an earlier failed run.",
    steps: [
      "Finds invalid indexes (`pg_index.indisvalid = false`); drops `*_ccnew`/`*_ccold` leftovers with `DROP INDEX CONCURRENTLY` and rebuilds any other invalid index with `REINDEX INDEX CONCURRENTLY`.",
      "Leftovers in `pg_toast` are dropped too; an invalid index on a table the role does not own is skipped with a warning.",
      "Runs `REINDEX TABLE CONCURRENTLY` on each table the maintenance role owns, each under `lock_timeout` (1 min) and a `statement_timeout` that ends before the slot does; a table that times out is reported, the leftovers this run made are dropped, and the next table is still reindexed. The server's warnings are passed on.",
      "Prints how many leftovers it dropped, invalid indexes it rebuilt and tables it reindexed, then the outcome line.",
    ],
    failures: [
      CONNECT,
      ["exit 1, `reindexing t failed: canceling statement due to lock timeout…`", "Something held a lock on the table, or an old snapshot held `REINDEX CONCURRENTLY` back: a transaction left open anywhere in the database. Find it with `SELECT pid, state, xact_start, query FROM pg_stat_activity WHERE backend_xmin IS NOT NULL OR state = 'idle in transaction' ORDER BY xact_start;` and end it; the next run reindexes the table."],
      ["exit 1, `cannot drop the leftover index pg_toast.… : permission denied for schema pg_toast`", "As a superuser, `GRANT USAGE ON SCHEMA pg_toast` to the maintenance role (the Secret's `PGUSER`), or drop the index yourself: `DROP INDEX CONCURRENTLY pg_toast.…;`"],
      ["exit 0, `warning: skipped invalid index i on t: owned by o, not by role`", "The table's owner repairs it: `REINDEX INDEX CONCURRENTLY i;`, or drops it if it is a leftover."],
      ["exit 1, `stopped at the deadline after N s: …`", "Raise `reindex.durationMinutes`; the leftovers of the interrupted table were dropped."],
      SIGTERM,
    ],
    rollback: "Nothing to undo. A cancelled run leaves leftovers that the next run drops first.",
    escalation: "The database owner, when an invalid index belongs to another role.",
  },
  cleanup: {
    purpose: "Enforce each table's retention without long locks: batches, each its own short transaction with `lock_timeout`, oldest rows first.",
    steps: [
      "Validates every table entry before touching anything.",
      "Checks each table, its column's type and the role's privileges, and computes the cutoff once from the server clock; rows newer than it are never deleted, even rows written during the run. A `timestamp` or `date` column uses the table's `timestampZone`, or, without one, the cutoff safe in every zone (12 h earlier), and says so.",
      "Deletes batch after batch in one session per table, walking the timestamp index forward, or the heap in block ranges when the column has no index: the first batch is `batchSize` rows, each later one is sized to take about 0.25 s (at most 4× the last), until no expired row is left, or stops cleanly before the slot ends (exit 0, outcome `partial`; the next run continues).",
      "A lock timeout or deadlock pauses 2 s and retries the batch, three attempts at most; the log line gives each table's rows, batches, largest batch and slowest batch, and the outcome line the rows still older than the cutoff.",
    ],
    failures: [
      CONNECT,
      ["exit 1, `deleting from t failed: table t does not exist`", "Fix the table name in the stack file, or remove the entry. The other tables were cleaned."],
      ["exit 1, `deleting from t failed: permission denied: role needs DELETE on t and SELECT on its column c`", "`GRANT SELECT, DELETE ON t` to the maintenance role (the Secret's `PGUSER`)."],
      ["exit 1, `deleting from t failed: rows older than the cutoff are still referenced through foreign key fk from table r`", "Rows of `r` still point at expired rows of `t` (`ON DELETE RESTRICT`/`NO ACTION`): clean `r` first (list it before `t`, with a retention at least as short), or make the key `ON DELETE CASCADE`/`SET NULL` if that is the intent. The batches before the one that met the row stay deleted."],
      ["exit 1, `deleting from t failed: canceling statement due to lock timeout after 3 attempts`", "Find the lock holder (`pg_locks` on `t`); the next run retries."],
      ["exit 1, `deleting from t failed: canceling statement due to statement timeout`", "One batch outran the statement timeout: a slow trigger or a huge row; lower `batchSize`."],
      ["exit 0, `t: c is timestamp without time zone and has no timestampZone: …`", "Set `timestampZone` to the zone the application writes in; until then rows up to 12 h past the retention stay."],
      ["exit 0, `stopped at the deadline after deleting N row(s) …`", "Nothing once. If `rowsLeft` in the outcome line does not shrink from run to run, raise `cleanup.durationMinutes` or the cadence."],
      SIGTERM,
    ],
    rollback: "Deleted rows are gone: restore from backup if a retention was set wrong. Review `retentionDays` changes in the plan before they deploy.",
    escalation: "The team that owns the tables.",
  },
  custom: {
    purpose: "A maintenance job declared in `upkeep:jobs`, run with upkeep's hardening: its own ServiceAccount without a token, non-root, read-only root filesystem, a deadline equal to its slot, and three alerts.",
    steps: ["Whatever its image does, with the image, command and Secrets below."],
    failures: [["non-zero exit", "Read the Job's log (the command under Verify); the job's owner knows what it means."]],
    rollback: "Depends on the job; its owner documents it.",
    escalation: "The team that added the job to the stack file.",
  },
  "tls-check": {
    purpose: "Every day in the window, connect to each endpoint the way clients do (with SNI) and check what they would see: a trusted chain, a matching hostname, and at least `tlsMinDays` before the certificate expires.",
    steps: [
      "Runs `openssl s_client` against each endpoint with `-servername` and `-verify_hostname`; prints one line per endpoint with the days left and the issuer.",
      "Fails (exit 1) when a certificate expires within `tlsMinDays`, the hostname does not match, the chain is not trusted, the handshake fails or the connection is refused.",
    ],
    failures: [
      ["exit 1, `FAIL host:port: expires in N days (minimum M)` or `certificate has expired`", "Renew the certificate; check why automatic renewal did not (cert-manager `Certificate` status, ACM validation)."],
      ["exit 1, `FAIL host:port: hostname mismatch` / `untrusted certificate chain`", "The endpoint serves the wrong certificate or an incomplete chain: fix the ingress or load balancer's TLS settings."],
      ["exit 1, `FAIL host:port: connection refused` / `timed out` / `TLS handshake failed`", "The endpoint is down or not speaking TLS there: check the service."],
      ["exit 2, `malformed UPKEEP_TLS_ENDPOINTS entry …`", "Fix `endpoints` in the stack file."],
      SIGTERM,
    ],
    rollback: "Nothing to undo; the check changes nothing. Renew or fix the certificate it names.",
    escalation: "The team that owns the endpoint's certificate; the on-call when fewer than 7 days are left.",
  },
  "dump-verify": {
    purpose:
      "Prove that the newest logical dump of the database restores and holds what it should. A backup counts only once a restore has proved it; `pg_verifybackup` checks files, not usability.",
    steps: [
      "The `fetch` init container copies the newest dump under the S3 prefix (of the objects `match` selects; by default no checksum or signature file) into the pod (IRSA role that may read only that prefix).",
      "A scratch PostgreSQL runs as a native sidecar in the same pod, on 127.0.0.1 only; production is never touched. It starts first and makes its empty database while the dump downloads; the verifier waits for it up to 120 s.",
      "The verifier checks the dump's age against `maxAgeHours` before restoring, restores it with `pg_restore` (in parallel for the directory format), runs every check (in one session as `upkeep_check`, not a superuser, each its own statement under a `statement_timeout` within the slot and rolled back afterwards, so no check changes what the next one sees), and ends with the outcome line holding the verdict.",
    ],
    failures: [
      ["exit 1 (fetch), `no dump found under s3://… [matching …]`", "The backup job wrote nothing there, or its keys do not match `match`: check the backup job and the prefix."],
      ["exit 1, `the dump is N hours old, older than maxAgeHours M`", "The backup job stopped producing dumps: find out why before anything else."],
      ["exit 1, `clock skew: the dump's LastModified (…) is N s ahead of this pod's clock (…)`", "The node's clock is behind: check NTP on the nodes."],
      ["exit 1, `restore failed: …` or `the restore did not finish within the N s left before the deadline`", "A dump that does not restore is no backup: page the database owner. If it is only slow, raise the dump's `durationMinutes`."],
      ["exit 1, a check failed, erred, or `check timed out after N s, at the deadline: …`", "The check's SQL names the problem; a check runs as `upkeep_check` (reads and writes every table, no superuser rights). A slow check needs an index in the dump or a longer slot."],
      SIGTERM,
    ],
    rollback: "Nothing to undo: the scratch server disappears with the pod.",
    escalation: "The database owner at once: a dump that does not restore is a backup that does not exist.",
  },
  verify: {
    purpose: "Right after each maintenance window, check that every configured endpoint answers with its expected status within its latency budget, and send a completion notice.",
    steps: [
      "Requests each endpoint with a 10-second timeout; prints one line per endpoint.",
      "Posts a completion notice to the webhook: all healthy, or which endpoints are not. On Kubernetes only without a webhook, it fires the notice as the info alert `UpkeepMaintenanceReport` through Alertmanager.",
      "Exits 1 when any endpoint is unhealthy, so the failed-run alert fires.",
    ],
    failures: [
      ["exit 1, `FAIL url: status S, expected E` / `N ms, over M ms` / `no response (…)`", "Maintenance may have broken the endpoint: check what ran in the window (the calendar) and roll it back."],
      ["exit 1, `could not send the completion notice: …`", "The webhook is down or its URL (the `notify.webhookUrl` secret) is wrong; the endpoints themselves may be fine."],
      SIGTERM,
    ],
    rollback: "Nothing to undo; the check changes nothing. If maintenance broke an endpoint, roll back that maintenance.",
    escalation: "The environment's on-call, at once: an endpoint is unhealthy after maintenance.",
  },
  digest: {
    purpose:
      "Kubernetes only: every working day at `reviews.at`, send the platform team one message listing the routine checks due that day (daily ones; weekly ones on Mondays; monthly ones on the first Monday of the month; quarterly ones on the first Monday of January, April, July and October).",
    steps: [
      "Tells the local date from the zone's UTC offset (the image has no tzdata; `reviews.at` lies between 06:00 and 20:00, so a clock change cannot move the date).",
      "Picks that day's message, built at plan time: the same text the EventBridge Scheduler digest sends on AWS.",
      "Posts it to the webhook, or fires it as the info alert `UpkeepRoutineDigest` through Alertmanager; exits 1 when it could not be sent.",
      "Ends with one JSON line: `success`, `skipped` (nothing due, or a weekend run started by hand) or `failed`.",
    ],
    failures: [
      ["exit 1, `could not send the … digest of …: …`", "The webhook or Alertmanager did not take it (the reason says which): check `notify.webhookUrl`'s Secret or `notify.alertmanagerUrl`, then announce the day's checks by hand."],
      ["exit 0, `not sent: …`", "Nothing: no check is due that day, or a weekend run was started by hand."],
      ["exit 2, `UPKEEP_UTC_OFFSET_MINUTES must be …`", "The CronJob was edited by hand: deploy it again from the stack."],
    ],
    rollback: "Nothing to undo; the digest changes nothing.",
    escalation: "The platform team: a missed digest means the day's checks were not announced; run them from the calendar.",
  },
  notice: {
    purpose:
      "Kubernetes only: tell stakeholders about the next maintenance window at `reviews.at` on the latest working day at least `notify.noticeHours` before it, listing its tasks in local time.",
    steps: [
      "Posts the notice, built at plan time, to the webhook, or fires it as the info alert `UpkeepStakeholderNotice` through Alertmanager.",
      "Exits 1 when it could not be sent, so the failed-run alert fires before the window opens.",
    ],
    failures: [
      ["exit 1, `could not send \"…\": …`", "The webhook or Alertmanager did not take it: fix the delivery, then send the notice by hand before the window opens."],
      ["exit 2, `UPKEEP_NOTICE_MESSAGE is empty: nothing to send`", "The CronJob was edited by hand: deploy it again from the stack."],
    ],
    rollback: "Nothing to undo. If the window changed after the notice, send a correction by hand.",
    escalation: "The platform team: stakeholders were not told; tell them before the window opens, or postpone it.",
  },
  "version-check": {
    purpose:
      "Kubernetes only: every day in the window, ask the API server which Kubernetes it runs (`/version`) and fail when it is older than `kubernetes.oldestSupportedVersion`, so the failed-run alert says the cluster needs an upgrade.",
    steps: [
      "Reads `/version` with the pod's own projected ServiceAccount token (ten minutes) and the cluster CA; every authenticated identity may read `/version` through the default ClusterRoleBinding `system:public-info-viewer`, so no Role is created.",
      "Compares the major.minor of `gitVersion` with the oldest supported version; exits 1 when older, or when the API server does not answer.",
    ],
    failures: [
      ["exit 1, `the cluster runs Kubernetes …, older than the oldest supported version …: upgrade it`", "Plan the cluster's upgrade."],
      ["exit 1, `could not read …/version: …` or `… answered without a gitVersion`", "The API server did not answer the pod: check the network policy and the API server's health."],
      ["exit 2, `no ServiceAccount token at …` / `no cluster CA certificate at …`", "The pod lost its projected token volume: deploy the CronJob again from the stack."],
    ],
    rollback: "Nothing to undo; the check changes nothing. Upgrade the cluster, or lower `oldestSupportedVersion` on purpose.",
    escalation: "The cluster's owners: plan the upgrade before the version leaves support.",
  },
};

const bullets = (items: readonly string[]) => items.map((i) => `- ${i}`).join("\n");

/** A task's runbook below the runbook base, without the extension (as alert pages are named). */
export function runbookPage(environment: string, taskId: string): string {
  return `${environment}/${taskId}`;
}

export const runbookPath = (environment: string, taskId: string): string => `${runbookPage(environment, taskId)}.md`;

export function renderTaskRunbook(entry: CalendarEntry & { readonly kind: string }, ctx: RunbookContext, facts: RunbookFacts): string {
  const kindText = KINDS[entry.kind];
  if (!kindText) throw new Error(`no runbook text for task kind ${entry.kind}`);
  const report = ctx.report;
  const text = entry.kind === "verify" && report ? { ...kindText, steps: REPORTED_VERIFY.steps(report), failures: [...REPORTED_VERIFY.failures, SIGTERM] } : kindText;
  const guard = entry.guard ? `\n- ${guardLine(ctx.pushgateway ?? false)}` : "";
  // Custom jobs push no outcome, so the report does not list them.
  const reported = report && entry.kind !== "custom" ? `\n\n${reportParagraph(report)}` : "";
  const alerts = entry.alerts.map((a) => `[${a}](${runbookUrl(ctx.alertRunbookBase, a)})`).join(", ");
  return `# ${entry.title} (\`${entry.id}\`, ${ctx.environment})

<!-- Generated by \`npm run runbooks\` from ${ctx.stackFile}. Edit the generator, not this file. -->

## Purpose
${text.purpose}

## What it works on
${bullets(facts.facts)}

## Schedule
- When: ${entry.description}
- Cron: \`${entry.schedule}\` with \`spec.timeZone: ${entry.timeZone}\`; slot ${entry.durationMinutes} minutes, which is also the Job's deadline.
- Mechanism: ${entry.mechanism}${guard}

## Steps
${bullets(text.steps)}

## Verify
${bullets(facts.verify)}

## When it fails
Every run ends with one JSON outcome line (README: How the job scripts report and fail); exit 0 is \`success\` or \`partial\`.${reported}

| what it prints | what to do |
| --- | --- |
${text.failures.map(([when, action]) => `| ${when.replace(/\|/g, "\\|")} | ${action.replace(/\|/g, "\\|")} |`).join("\n")}

## Rollback
${text.rollback}

## Escalation
- Alerts (severity \`${ctx.severity}\`): ${alerts}
- ${text.escalation}
`;
}

const PERIOD: Record<string, string> = {
  daily: "every working day",
  weekly: "every Monday",
  monthly: "on the first Monday of each month",
  quarterly: "on the first Monday of January, April, July and October",
};

const AUTOMATION: Record<Automation, string> = {
  "endpoint-verification": "the post-maintenance endpoint verification",
  "database-maintenance": "the database vacuum, reindex and cleanup CronJobs",
  "kubernetes-version":
    "with `upkeep:aws.accountWideRules` and `kubernetes.oldestSupportedVersion`, the AWS Config rule eks-cluster-supported-version; on Kubernetes only, the daily CronJob `kubernetes-version-check`",
  "firewall-rules": "with `upkeep:aws.accountWideRules`, the AWS Config rules restricted-ssh and vpc-sg-open-only-to-authorized-ports",
  "backup-verification": "dump verification, which restores the newest dump into a scratch server and runs its checks, or AWS Backup restore testing",
};

/**
 * A routine check's runbook: the same in every environment, so it lives at
 * routine/<id>.md. Cadence overrides per stack change when, not what.
 */
export function renderRoutineRunbook(task: RoutineTask): string {
  const automated = task.automation
    ? `\nWhere the stack configures it, upkeep does this itself (${AUTOMATION[task.automation]}), and the digest does not list it.\n`
    : "";
  return `# ${task.title} (\`${task.id}\`)

<!-- Generated by \`npm run runbooks\` from components/config/routineCatalog.ts. Edit the catalog, not this file. -->

## Purpose
Part of the platform team's ${task.cadence} routine. By default it is listed in the day's routine digest ${PERIOD[task.cadence]} at \`upkeep:reviews.at\` (09:30 local), never on a weekend: one message a day to the team's \`warning\` topic (EventBridge Scheduler), or on Kubernetes only from the \`routine-digest\` CronJob; \`upkeep:reviews.overrides\` changes its cadence or turns it off.
${automated}
## Steps
${bullets(task.checklist)}

## Verify
- Every item above is ticked, and anything found is an issue with an owner.

## Rollback
Nothing to roll back: this is a review.

## Escalation
- Findings that threaten availability or security: the environment's on-call, at once.
- Everything else: the platform team's next planning meeting.
`;
}
