/**
 * The environment's maintenance as a flat list of tasks, each scheduled.
 * This is the one place that turns databases and jobs into tasks, so the
 * CronJobs, the alerts and the calendar can never disagree about them.
 */
import { type DatabaseConfig, type JobConfig, type UpkeepConfig, formatPath, SCHEDULE_DEFAULTS } from "../config";
import { dstHorizon, hhmmToMinute, planSchedule, type ScheduledTask, type ScheduleWindow, type TaskRequest, verificationTime, type Cadence } from "../schedule";
import { VERIFY_TASK_ID } from "./routineChecks";
import { routineTaskRequests, type RoutineTask } from "./routineTasks";

export type DatabaseTaskKind = "vacuum" | "reindex" | "cleanup";
export type TaskKind = DatabaseTaskKind | "custom" | "verify" | "tls-check" | "dump-verify" | RoutineTask["kind"];

interface TaskCommon {
  /** Unique in the environment; also the CronJob's name. */
  readonly id: string;
  readonly title: string;
  readonly configPath: string;
  readonly schedule: ScheduledTask;
}

export interface DatabaseTask extends TaskCommon {
  readonly kind: DatabaseTaskKind;
  readonly database: DatabaseConfig;
}

export interface CustomTask extends TaskCommon {
  readonly kind: "custom";
  readonly job: JobConfig;
}

/** The post-maintenance check of every endpoint, right after the window. */
export interface VerifyTask extends TaskCommon {
  readonly kind: "verify";
  readonly endpoints: UpkeepConfig["endpoints"];
}

/** The daily check of what clients see: each endpoint's certificate, chain and expiry. */
export interface TlsCheckTask extends TaskCommon {
  readonly kind: "tls-check";
  readonly endpoints: UpkeepConfig["endpoints"];
}

/** A database dump proved by restoring it into a scratch server. */
export interface DumpVerifyTask extends TaskCommon {
  readonly kind: "dump-verify";
  readonly dump: UpkeepConfig["backups"]["dumps"][number];
}

export type MaintenanceTask = DatabaseTask | CustomTask | VerifyTask | TlsCheckTask | DumpVerifyTask | RoutineTask;

export const TLS_CHECK_TASK_ID = "tls-check";
const TLS_CHECK_SLOT_MINUTES = 10;

/** Long enough for 50 endpoints at the script's 10-second timeout, plus the notice. */
export const VERIFY_SLOT_MINUTES = 10;

const TITLES: Record<DatabaseTaskKind, (db: DatabaseConfig) => string> = {
  vacuum: (db) => `Vacuum and analyze ${db.name}`,
  reindex: (db) => `Reindex ${db.name} concurrently`,
  cleanup: (db) => `Delete old rows in ${db.name}`,
};

interface Pending {
  readonly request: TaskRequest;
  readonly build: (schedule: ScheduledTask) => MaintenanceTask;
}

function databaseTasks(db: DatabaseConfig, index: number): Pending[] {
  const out: Pending[] = [];
  const add = (kind: DatabaseTaskKind, cadence: Cadence, durationMinutes: number) => {
    const id = `${db.name}-${kind}`;
    const path = formatPath(["databases", index, kind]);
    out.push({
      request: { id, cadence, durationMinutes, path },
      build: (schedule) => ({ id, kind, title: TITLES[kind](db), configPath: path, schedule, database: db }),
    });
  };
  if (db.vacuum.cadence !== "off") add("vacuum", db.vacuum.cadence, db.vacuum.durationMinutes);
  if (db.reindex.cadence !== "off") add("reindex", db.reindex.cadence, db.reindex.durationMinutes);
  if (db.cleanup) add("cleanup", db.cleanup.cadence, db.cleanup.durationMinutes);
  return out;
}

function customTask(job: JobConfig, index: number): Pending {
  const path = formatPath(["jobs", index]);
  const common = { id: job.name, durationMinutes: job.durationMinutes, path };
  const request: TaskRequest =
    job.schedule !== undefined
      ? { ...common, schedule: job.schedule, outsideWindow: job.outsideWindow }
      : { ...common, cadence: job.cadence as Cadence };
  return {
    request,
    build: (schedule) => ({ id: job.name, kind: "custom", title: `Run ${job.name}`, configPath: path, schedule, job }),
  };
}

function verifyTask(config: UpkeepConfig, options: PlanOptions): Pending[] {
  if (config.endpoints.length === 0) return [];
  const time = verificationTime(config.environment.window, config.environment.timezone, dstHorizon(options));
  const path = formatPath(["endpoints"]);
  return [
    {
      // It runs after the window by design, so it is the one task outside it.
      request: { id: VERIFY_TASK_ID, schedule: time.cron, outsideWindow: true, durationMinutes: VERIFY_SLOT_MINUTES, path },
      build: (schedule) => ({
        id: VERIFY_TASK_ID,
        kind: "verify",
        title: "Verify endpoints after the maintenance window",
        configPath: path,
        schedule,
        endpoints: config.endpoints,
      }),
    },
  ];
}

function dumpVerifyTask(dump: UpkeepConfig["backups"]["dumps"][number], index: number): Pending {
  const id = `${dump.database}-dump-verify`;
  const path = formatPath(["backups", "dumps", index]);
  return {
    request: { id, cadence: dump.cadence, durationMinutes: dump.durationMinutes, path },
    build: (schedule) => ({ id, kind: "dump-verify", title: `Verify the newest ${dump.database} dump by restoring it`, configPath: path, schedule, dump }),
  };
}

function tlsCheckTask(config: UpkeepConfig): Pending[] {
  if (config.endpoints.length === 0) return [];
  const path = formatPath(["endpoints"]);
  return [
    {
      request: { id: TLS_CHECK_TASK_ID, cadence: "daily", durationMinutes: TLS_CHECK_SLOT_MINUTES, path },
      build: (schedule) => ({
        id: TLS_CHECK_TASK_ID,
        kind: "tls-check",
        title: "Check endpoint certificates",
        configPath: path,
        schedule,
        endpoints: config.endpoints,
      }),
    },
  ];
}

export interface PlanOptions {
  /** The first year whose clock changes the schedule avoids; the engine looks this many years ahead. */
  readonly fromYear: number;
}


export function scheduleWindowOf(config: UpkeepConfig): ScheduleWindow {
  const { window, timezone } = config.environment;
  return { days: window.days, startMinute: hhmmToMinute(window.start), durationMinutes: window.durationMinutes, timeZone: timezone };
}

/** Every task of the environment, scheduled in its window. Throws ScheduleError. */
export function planTasks(config: UpkeepConfig, options: PlanOptions): MaintenanceTask[] {
  const pending = [...config.databases.flatMap(databaseTasks), ...config.jobs.map(customTask),
    ...tlsCheckTask(config),
    ...config.backups.dumps.map(dumpVerifyTask),
    ...verifyTask(config, options),
    ...routineTaskRequests(config, dstHorizon(options)),
  ];
  const schedules = planSchedule(
    scheduleWindowOf(config),
    pending.map((p) => p.request),
    { gapMinutes: SCHEDULE_DEFAULTS.gapMinutes, dstHorizon: dstHorizon(options) },
  );
  return pending.map((p, i) => p.build(schedules[i]!));
}

export function isDatabaseTask(task: MaintenanceTask): task is DatabaseTask {
  return task.kind === "vacuum" || task.kind === "reindex" || task.kind === "cleanup";
}

export function isVerifyTask(task: MaintenanceTask): task is VerifyTask {
  return task.kind === "verify";
}

export function isTlsCheckTask(task: MaintenanceTask): task is TlsCheckTask {
  return task.kind === "tls-check";
}

export function isDumpVerifyTask(task: MaintenanceTask): task is DumpVerifyTask {
  return task.kind === "dump-verify";
}

export function isCustomTask(task: MaintenanceTask): task is CustomTask {
  return task.kind === "custom";
}

export function isRoutineTask(task: MaintenanceTask): task is RoutineTask {
  return task.kind === "digest" || task.kind === "notice" || task.kind === "version-check";
}

/**
 * What the plan records of each task for review: its kind and key path, and for
 * a cleanup the tables exactly as configured (every key the schema gives a
 * table, so a key added to it later is recorded too). The plan diff reads
 * retention from here, never from the text of the job's environment.
 */
export interface TaskRecord {
  readonly id: string;
  readonly kind: TaskKind;
  readonly configPath: string;
  readonly cleanup?: { readonly tables: readonly Readonly<Record<string, unknown>>[] };
}

export function taskRecords(tasks: readonly MaintenanceTask[]): TaskRecord[] {
  return tasks.map((t) => {
    const cleanup = t.kind === "cleanup" ? t.database.cleanup : undefined;
    return { id: t.id, kind: t.kind, configPath: t.configPath, ...(cleanup ? { cleanup: { tables: cleanup.tables.map((table) => ({ ...table })) } } : {}) };
  });
}
