/**
 * What upkeep knows about a task, for its runbook page: where it runs, what it
 * touches, which Secret it reads, and the exact commands to look at it. No
 * `<namespace>` or `<task>` to fill in at three in the morning.
 */
import type { MaintenanceTask } from "../tasks";

export interface RunbookFacts {
  /** Bullets for "What it works on". */
  readonly facts: readonly string[];
  /** The kind's checks, with names filled in. */
  readonly verify: readonly string[];
}

const code = (text: string) => `\`${text}\``;

/** Commands every task's page shows: its logs and a run on demand. */
export function taskCommands(namespace: string, taskId: string): { logs: string; runNow: string } {
  return {
    logs: `kubectl -n ${namespace} logs -l upkeep.dev/task=${taskId} -c task --prefix --tail=200`,
    runNow: `kubectl -n ${namespace} create job --from=cronjob/${taskId} ${taskId}-manual-$(date +%s)`,
  };
}

function databaseFacts(task: Extract<MaintenanceTask, { kind: "vacuum" | "reindex" | "cleanup" }>, namespace: string): string[] {
  const db = task.database;
  const tls = db.sslRootCertSecret
    ? `, sslmode ${code(db.sslmode)} with the CA from Secret ${code(db.sslRootCertSecret.name)} (key ${code(db.sslRootCertSecret.key)})`
    : `, sslmode ${code(db.sslmode)}`;
  const secret = db.credentials
    ? `Credentials: Secret ${code(db.credentialsSecret)} in ${code(namespace)} (PGUSER ${code(db.credentials.user)}, PGPASSWORD), created by upkeep from ${code("upkeep:databases")} Pulumi secrets.`
    : `Credentials: Secret ${code(db.credentialsSecret)} in ${code(namespace)}, keys PGUSER and PGPASSWORD, created by hand (README, "Deploying with Pulumi").`;
  const out = [`Database: ${code(db.database)} on ${code(`${db.host}:${db.port}`)}${tls}.`, secret];
  if (task.kind === "vacuum") out.push(`Parallel jobs: ${db.vacuumJobs} (${code("vacuumJobs")}).`);
  if (task.kind === "cleanup" && db.cleanup) {
    for (const t of db.cleanup.tables) {
      out.push(`Table ${code(t.table)}: rows whose ${code(t.timestampColumn)} is older than ${t.retentionDays} days are deleted, first batch ${t.batchSize} rows.`);
    }
  }
  return out;
}

export function runbookFacts(task: MaintenanceTask, namespace: string): RunbookFacts {
  const { logs, runNow } = taskCommands(namespace, task.id);
  const cronJob = `CronJob ${code(`${namespace}/${task.id}`)}; logs of its recent runs: ${code(logs)}.`;
  switch (task.kind) {
    case "vacuum":
    case "reindex":
      return {
        facts: [...databaseFacts(task, namespace), cronJob],
        verify:
          task.kind === "vacuum"
            ? [`${code("SELECT relname, n_dead_tup, last_vacuum, last_analyze FROM pg_stat_user_tables ORDER BY n_dead_tup DESC LIMIT 10;")} in ${code(task.database.database)}.`]
            : [`${code("SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid;")} in ${code(task.database.database)} returns no rows.`],
      };
    case "cleanup":
      return {
        facts: [...databaseFacts(task, namespace), cronJob],
        verify: (task.database.cleanup?.tables ?? []).map(
          (t) => `${code(`SELECT count(*) FROM ${t.table} WHERE ${t.timestampColumn} < now() - interval '${t.retentionDays} days';`)} is 0 after a complete run.`,
        ),
      };
    case "custom": {
      const job = task.job;
      const secrets = [...new Set(job.secretEnv.map((s) => s.secretName))];
      return {
        facts: [
          `Image: ${code(job.image)}${job.command ? `, command ${code(job.command.join(" "))}` : ""}${job.args.length > 0 ? `, arguments ${code(job.args.join(" "))}` : ""}.`,
          secrets.length > 0 ? `Secrets it reads: ${secrets.map((s) => `${code(s)} in ${code(namespace)}`).join(", ")} (${code("secretEnv")}).` : "Secrets it reads: none.",
          cronJob,
        ],
        verify: [`Run it once: ${code(runNow)}, and check it completes.`],
      };
    }
    case "tls-check":
      return {
        facts: [
          ...task.endpoints.map((e) => `Endpoint ${code(e.url)}: at least ${e.tlsMinDays} days before its certificate expires.`),
          cronJob,
        ],
        verify: [`${code(logs)} shows ${code("upkeep tls: ok …")} for every endpoint.`],
      };
    case "verify":
      return {
        facts: [
          ...task.endpoints.map((e) => `Endpoint ${code(e.url)}: status ${e.expectStatus} within ${e.maxLatencyMs} ms.`),
          cronJob,
        ],
        verify: [`${code(logs)} ends with ${code(`upkeep verify: all ${task.endpoints.length} endpoints healthy …`)}.`],
      };
    case "dump-verify": {
      const dump = task.dump;
      return {
        facts: [
          `Dumps: the newest under ${code(dump.location)} (${dump.format} format${dump.match !== undefined ? `, matching ${code(dump.match)}` : ""}), at most ${dump.maxAgeHours} hours old, of the database ${code(dump.database)}.`,
          `Checks: ${dump.checks.length === 0 ? "none beyond a successful restore" : dump.checks.map((c) => ("sql" in c ? code(c.sql) : `${code(c.table)} has at least ${c.minRows} rows`)).join("; ")}.`,
          `S3 access: the IRSA role on ServiceAccount ${code(`${namespace}/${task.id}`)}; no database Secret: the restore goes into a scratch server in the pod.`,
          cronJob,
        ],
        verify: [`${code(logs)} ends with the outcome line, whose ${code("figures.verdict")} is ${code("pass")}.`],
      };
    }
    case "digest":
      return {
        facts: [`Routine checks it announces, each on the days its cadence falls: ${task.checks.map((c) => `${c.title} (${code(c.id)}, ${c.cadence})`).join(", ")}.`, cronJob],
        verify: [`${code(logs)} ends with ${code('"outcome":"success"')}, and the message arrived.`],
      };
    case "notice":
      return {
        facts: [`Windows it announces: ${task.windows.join(" and ")}.`, cronJob],
        verify: [`${code(logs)} ends with ${code('"outcome":"success"')}.`],
      };
    case "version-check":
      return {
        facts: [`Oldest supported Kubernetes: ${code(task.oldestSupportedVersion)} (${code("kubernetes.oldestSupportedVersion")}).`, cronJob],
        verify: [`${code("kubectl version")} shows the server version that ${code(logs)} printed.`],
      };
  }
}
