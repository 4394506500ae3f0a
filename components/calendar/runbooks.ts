/**
 * Runbooks, generated for every task of every environment from the same plan
 * the program deploys, so the schedule a runbook states is the schedule that
 * runs. `npm run runbooks` writes them; a test fails when one is stale.
 */
import type { CalendarEntry } from "./entries";
import type { RoutineTask } from "../config";

export interface RunbookContext {
  readonly environment: string;
  readonly stackFile: string;
  readonly severity: string;
  readonly alertRunbookBase: string;
}

interface KindText {
  readonly purpose: string;
  readonly steps: readonly string[];
  readonly verify: readonly string[];
  readonly rollback: string;
  readonly escalation: string;
}

const KINDS: Readonly<Record<string, KindText>> = {
  vacuum: {
    purpose:
      "Reclaim dead tuples and refresh planner statistics on every table of the database, online. " +
      "Runs `vacuumdb --analyze --jobs N`; never `VACUUM FULL`, which takes an ACCESS EXCLUSIVE lock.",
    steps: ["Checks it can connect; one line and exit 1 if not.", "Runs `vacuumdb --analyze --jobs $UPKEEP_VACUUM_JOBS` on `$PGDATABASE`.", "Prints `upkeep vacuum: vacuumed and analyzed <db> in N s`."],
    verify: ["`SELECT relname, n_dead_tup, last_vacuum, last_analyze FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 10;`"],
    rollback: "Nothing to undo: VACUUM changes no data.",
    escalation: "The database owner, if it keeps running out of its slot: raise `vacuum.durationMinutes` or `vacuumJobs`.",
  },
  reindex: {
    purpose: "Rebuild indexes without blocking writes (`REINDEX … CONCURRENTLY`), and repair indexes left invalid by an earlier failed run.",
    steps: [
      "Finds invalid indexes (`pg_index.indisvalid = false`); drops `*_ccnew`/`*_ccold` leftovers with `DROP INDEX CONCURRENTLY` and rebuilds any other invalid index with `REINDEX INDEX CONCURRENTLY`.",
      "Runs `reindexdb --concurrently` on the tables the maintenance role owns.",
      "Prints how many leftovers it dropped, invalid indexes it rebuilt and tables it reindexed.",
    ],
    verify: ["`SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid;` returns no rows."],
    rollback: "Nothing to undo. A cancelled run leaves leftovers that the next run drops first.",
    escalation: "The database owner, when an invalid index belongs to another role.",
  },
  cleanup: {
    purpose: "Enforce each table's retention without long locks: batches, each its own short transaction with `lock_timeout`, oldest rows first.",
    steps: [
      "Validates every table entry before touching anything.",
      "Computes each table's cutoff once from the server clock; rows newer than it are never deleted, even rows written during the run.",
      "Deletes batch after batch in one session per table, walking the timestamp index forward: the first batch is `batchSize` rows, each later one is sized to take about 0.25 s (at most 4× the last), until no expired row is left, or stops cleanly before the slot ends (exit 0; the next run continues).",
      "A lock timeout or deadlock pauses 2 s and retries the batch, three attempts at most; the log line gives each table's rows, batches, largest batch and slowest batch.",
    ],
    verify: ["`SELECT count(*) FROM <table> WHERE <column> < now() - interval '<retentionDays> days';` is 0 after a complete run."],
    rollback: "Deleted rows are gone: restore from backup if a retention was set wrong. Review `retentionDays` changes in the plan before they deploy.",
    escalation: "The team that owns the tables.",
  },
  custom: {
    purpose: "A maintenance job declared in `upkeep:jobs`, run with upkeep's hardening: its own ServiceAccount without a token, non-root, read-only root filesystem, a deadline equal to its slot, and three alerts.",
    steps: ["Whatever its image does; see its logs with `kubectl -n <namespace> logs job/<job>`."],
    verify: ["Run it once: `kubectl -n <namespace> create job --from=cronjob/<task> <task>-manual-$(date +%s)`, and check it completes."],
    rollback: "Depends on the job; its owner documents it.",
    escalation: "The team that added the job to the stack file.",
  },
  "tls-check": {
    purpose: "Every day in the window, connect to each endpoint the way clients do (with SNI) and check what they would see: a trusted chain, a matching hostname, and at least `tlsMinDays` before the certificate expires.",
    steps: [
      "Runs `openssl s_client` against each endpoint with `-servername` and `-verify_hostname`; prints one line per endpoint with the days left and the issuer.",
      "Fails (exit 1) when a certificate expires within `tlsMinDays`, the hostname does not match, the chain is not trusted, the handshake fails or the connection is refused.",
    ],
    verify: ["`kubectl -n <namespace> logs job/<job>` shows `upkeep tls: ok …` for every endpoint."],
    rollback: "Nothing to undo; the check changes nothing. Renew or fix the certificate it names.",
    escalation: "The team that owns the endpoint's certificate; the on-call when fewer than 7 days are left.",
  },
  "dump-verify": {
    purpose:
      "Prove that the newest logical dump of the database restores and holds what it should. A backup counts only once a restore has proved it; `pg_verifybackup` checks files, not usability.",
    steps: [
      "The `fetch` init container copies the newest dump under the S3 prefix into the pod (IRSA role that may read only that prefix).",
      "A scratch PostgreSQL runs as a native sidecar in the same pod, on 127.0.0.1 only; production is never touched. It starts first and makes its empty database while the dump downloads; the verifier waits for it up to 120 s.",
      "The verifier checks the dump's age against `maxAgeHours` before restoring, restores it with `pg_restore` (in parallel for the directory format), runs every check (in one session, each rolled back afterwards, so no check changes what the next one sees), and prints one JSON line with the verdict.",
    ],
    verify: ["`kubectl -n <namespace> logs job/<job> -c task` ends with a JSON line whose `verdict` is `pass`."],
    rollback: "Nothing to undo: the scratch server disappears with the pod.",
    escalation: "The database owner at once: a dump that does not restore is a backup that does not exist.",
  },
  verify: {
    purpose: "Right after each maintenance window, check that every configured endpoint answers with its expected status within its latency budget, and send a completion notice.",
    steps: [
      "Requests each endpoint with a 10-second timeout; prints one line per endpoint.",
      "Posts a completion notice to the webhook: all healthy, or which endpoints are not.",
      "Exits 1 when any endpoint is unhealthy, so the failed-run alert fires.",
    ],
    verify: ["`kubectl -n <namespace> logs job/<job>` ends with `upkeep verify: all N endpoints healthy …`."],
    rollback: "Nothing to undo; the check changes nothing. If maintenance broke an endpoint, roll back that maintenance.",
    escalation: "The environment's on-call, at once: an endpoint is unhealthy after maintenance.",
  },
};

const bullets = (items: readonly string[]) => items.map((i) => `- ${i}`).join("\n");

/** A task's runbook below the runbook base, without the extension (as alert pages are named). */
export function runbookPage(environment: string, taskId: string): string {
  return `${environment}/${taskId}`;
}

export const runbookPath = (environment: string, taskId: string): string => `${runbookPage(environment, taskId)}.md`;

export function renderTaskRunbook(entry: CalendarEntry & { readonly kind: string }, ctx: RunbookContext): string {
  const text = KINDS[entry.kind];
  if (!text) throw new Error(`no runbook text for task kind ${entry.kind}`);
  const guard = entry.guard
    ? "\n- The CronJob fires on its weekday every week; `period-guard.sh` lets only the run in the first seven days of the month through, and the others log a skip."
    : "";
  const alerts = entry.alerts.map((a) => `[${a}](${ctx.alertRunbookBase}/${a}.md)`).join(", ");
  return `# ${entry.title} (\`${entry.id}\`, ${ctx.environment})

<!-- Generated by \`npm run runbooks\` from ${ctx.stackFile}. Edit the generator, not this file. -->

## Purpose
${text.purpose}

## Schedule
- When: ${entry.description}
- Cron: \`${entry.schedule}\` with \`spec.timeZone: ${entry.timeZone}\`; slot ${entry.durationMinutes} minutes, which is also the Job's deadline.
- Mechanism: ${entry.mechanism}${guard}

## Steps
${bullets(text.steps)}

## Verify
${bullets(text.verify)}

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
  monthly: "on the first working day of each month",
  quarterly: "on the first working day of January, April, July and October",
};

/**
 * A routine check's runbook: the same in every environment, so it lives at
 * routine/<id>.md. Cadence overrides per stack change when, not what.
 */
const AUTOMATION_WORDS: Record<NonNullable<RoutineTask["automation"]>, string> = {
  "endpoint-verification": "the post-maintenance endpoint verification",
  "database-maintenance": "the database vacuum, reindex and cleanup CronJobs",
  "backup-verification": "dump verification, which restores the newest dump into a scratch server and runs its checks, or AWS Backup restore testing",
};

export function renderRoutineRunbook(task: RoutineTask): string {
  const automated = task.automation
    ? `\nWhere the stack configures it, upkeep does this itself (${AUTOMATION_WORDS[task.automation]}), and no reminder is sent.\n`
    : "";
  return `# ${task.title} (\`${task.id}\`)

<!-- Generated by \`npm run runbooks\` from components/config/routineCatalog.ts. Edit the catalog, not this file. -->

## Purpose
Part of the platform team's ${task.cadence} routine. By default an EventBridge Scheduler reminder reaches the team's \`warning\` topic ${PERIOD[task.cadence]} at \`upkeep:reviews.at\` (09:30 local), never on a weekend; \`upkeep:reviews.overrides\` changes its cadence or turns it off.
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
