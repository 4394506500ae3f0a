/**
 * Generates an environment with exactly N maintenance tasks for the plan
 * benchmark, as the Pulumi config map the program receives.
 *
 * Windows hold at most 720 minutes, so N = 1,000 placed tasks cannot fit. The
 * mix is fixed in proportion for every N, so per-task costs compare across N:
 * - 30% placed in the window: ⌈0.1·N⌉ databases, each with a weekly vacuum, a
 *   monthly reindex and a weekly cleanup of one table (5-minute slots), placed
 *   by the schedule engine over all seven window days;
 * - the rest: custom jobs with a daily `schedule` outside the window and
 *   `outsideWindow: true` (validated, not placed; each still gets its CronJob,
 *   ServiceAccount and three alerts).
 */
import type { StackConfig } from "../cli/stackFile";

export interface TaskMix {
  readonly tasks: number;
  readonly databases: number;
  readonly databaseTasks: number;
  readonly customJobs: number;
}

export function taskMix(n: number): TaskMix {
  if (!Number.isInteger(n) || n < 4) throw new Error(`the plan benchmark needs N ≥ 4 tasks (got ${n})`);
  const databases = Math.max(1, Math.round((0.3 * n) / 3));
  const databaseTasks = databases * 3;
  return { tasks: n, databases, databaseTasks, customJobs: n - databaseTasks };
}

export function benchStackConfig(n: number): { config: StackConfig; mix: TaskMix } {
  const mix = taskMix(n);
  const databases = Array.from({ length: mix.databases }, (_, i) => ({
    name: `db${i}`,
    host: `db${i}.internal.example.com`,
    database: `app${i}`,
    credentialsSecret: `db${i}-maintenance`,
    vacuum: { cadence: "weekly", durationMinutes: 5 },
    reindex: { cadence: "monthly", durationMinutes: 5 },
    cleanup: {
      cadence: "weekly",
      durationMinutes: 5,
      tables: [{ table: "public.events", timestampColumn: "created_at", retentionDays: 30, batchSize: 5000 }],
    },
  }));
  const jobs = Array.from({ length: mix.customJobs }, (_, i) => ({
    name: `job${i}`,
    // 13:00–22:59 local, outside the 00:00–12:00 window.
    schedule: `${i % 60} ${13 + (i % 10)} * * *`,
    outsideWindow: true,
    durationMinutes: 10,
    image: `registry.example.com/jobs/job${i}:1.0.${i}`,
    command: ["/app/run"],
    args: ["--job", `job${i}`],
    env: { JOB_INDEX: String(i) },
  }));
  const upkeep = {
    environment: {
      name: "bench",
      tier: "staging",
      timezone: "Europe/Berlin",
      window: { days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], start: "00:00", durationMinutes: 720 },
    },
    kubernetes: { namespace: "upkeep-bench" },
    notify: { emails: ["oncall@example.com"] },
    alerting: { runbookBaseUrl: "https://runbooks.example.com/upkeep" },
    databases,
    jobs,
  };
  const all: Record<string, string> = { "aws:region": "eu-central-1" };
  for (const [key, value] of Object.entries(upkeep)) all[`upkeep:${key}`] = JSON.stringify(value);
  return { config: { all, secretKeys: [] }, mix };
}
