/**
 * What each task's container runs. Credentials arrive only as secretKeyRefs
 * to existing Secrets, never as values or arguments.
 */
import type * as k8s from "@pulumi/kubernetes";
import { type CleanupTableConfig, POD_DEFAULTS } from "../config";
import { scriptPath } from "./scriptsBundle";
import type { CustomTask, DatabaseTask, MaintenanceTask } from "../tasks";

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

export interface Resources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface ContainerPlan {
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly EnvVar[];
  readonly resources: Resources;
  readonly runAsUser: number;
}

type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

export const plainEnv = (name: string, value: string): EnvVar => ({ name, value });
const plain = plainEnv;
/** A variable read from a key of an existing Secret: how every credential reaches a container. */
export const secretEnv = (name: string, secret: string, key: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
const fromSecret = secretEnv;

/** The guard wrapper goes in front of any command of a task that runs once per period. */
export function guardedCommand(guard: string | undefined, command: readonly string[]): string[] {
  return guard ? ["/bin/sh", scriptPath("period-guard.sh"), ...command] : [...command];
}
const guarded = (task: MaintenanceTask, command: readonly string[]): string[] => guardedCommand(task.schedule.guard, command);

/**
 * Every container upkeep writes: no privilege escalation, a read-only root,
 * non-root, no capabilities; `runAsUser` for one that must run as its image's
 * own user (the scratch server).
 */
export function hardenedSecurityContext(runAsUser?: number) {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    ...(runAsUser !== undefined ? { runAsUser, runAsGroup: runAsUser } : {}),
    capabilities: { drop: ["ALL"] },
  };
}

export interface TaskTiming {
  readonly cadence: string;
  readonly timeZone: string;
  readonly durationMinutes: number;
  /** The schedule: a fixed minute and hour give the slot's local start. */
  readonly cron?: string;
}

/** Which run a script reports in its outcome line. */
export interface TaskIdentity {
  readonly id: string;
  readonly kind: string;
  readonly environment: string;
}

/**
 * The slot's local start, HH:MM in the task's zone, from a cron whose minute
 * and hour are single values (every slot upkeep places); undefined otherwise.
 */
export function slotStart(cron: string | undefined): string | undefined {
  const m = /^(\d{1,2})\s+(\d{1,2})\s/.exec(cron ?? "");
  if (!m || Number(m[1]) > 59 || Number(m[2]) > 23) return undefined;
  return `${m[2]!.padStart(2, "0")}:${m[1]!.padStart(2, "0")}`;
}

/**
 * Variables every task's containers get: which run it is (for the outcome
 * line), where its slot is and how long it lasts, and a writable HOME. The
 * scripts end their work before the slot's end, computed from its local start
 * (UPKEEP_SLOT_START in UPKEEP_TIMEZONE) and length, not from their own start.
 */
export function standardTaskEnv(task: TaskIdentity, timing: TaskTiming): EnvVar[] {
  const start = slotStart(timing.cron);
  return [
    plain("HOME", "/tmp"),
    plain("UPKEEP_TASK", task.id),
    plain("UPKEEP_KIND", task.kind),
    plain("UPKEEP_ENVIRONMENT", task.environment),
    plain("UPKEEP_CADENCE", timing.cadence),
    plain("UPKEEP_TIMEZONE", timing.timeZone),
    ...(start ? [plain("UPKEEP_SLOT_START", start)] : []),
    plain("UPKEEP_DEADLINE_SECONDS", String(timing.durationMinutes * 60)),
  ];
}

const taskEnv = (task: MaintenanceTask, environment: string): EnvVar[] =>
  standardTaskEnv({ id: task.id, kind: task.kind, environment }, task.schedule);

/** Requests and limits for a task that does not set its own. */
export const defaultResources = (): Resources => ({ requests: { ...POD_DEFAULTS.requests }, limits: { ...POD_DEFAULTS.limits } });

/** `schema.table:column:retentionDays:batchSize[:timestampZone]`, the format cleanup.sh reads. */
export function cleanupTablesEnv(tables: readonly CleanupTableConfig[]): string {
  return tables
    .map((t) => `${t.table}:${t.timestampColumn}:${t.retentionDays}:${t.batchSize}${t.timestampZone ? `:${t.timestampZone}` : ""}`)
    .join(" ");
}

/** Where a database's CA bundle is mounted, read-only, for libpq's sslrootcert. */
export const SSL_ROOT_CERT_DIR = "/upkeep/tls";
export const SSL_ROOT_CERT_PATH = `${SSL_ROOT_CERT_DIR}/root.crt`;

/** The database's TLS settings, as libpq reads them from the environment. */
function tlsEnv(db: DatabaseTask["database"]): EnvVar[] {
  return [plain("PGSSLMODE", db.sslmode), ...(db.sslRootCertSecret ? [plain("PGSSLROOTCERT", SSL_ROOT_CERT_PATH)] : [])];
}

/** The CA bundle's Secret as a read-only volume, when the database names one. */
export function databasePodExtras(db: DatabaseTask["database"]): { volumes: Volume[]; volumeMounts: VolumeMount[] } | undefined {
  const cert = db.sslRootCertSecret;
  if (!cert) return undefined;
  return {
    volumes: [{ name: "ssl-root-cert", secret: { secretName: cert.name, items: [{ key: cert.key, path: "root.crt" }], defaultMode: 0o444 } }],
    volumeMounts: [{ name: "ssl-root-cert", mountPath: SSL_ROOT_CERT_DIR, readOnly: true }],
  };
}

export function databaseContainer(task: DatabaseTask, postgresImage: string, environment: string): ContainerPlan {
  const db = task.database;
  const specific: EnvVar[] =
    task.kind === "vacuum"
      ? [plain("UPKEEP_VACUUM_JOBS", String(db.vacuumJobs))]
      : task.kind === "cleanup" && db.cleanup
        ? [plain("UPKEEP_CLEANUP_TABLES", cleanupTablesEnv(db.cleanup.tables))]
        : [];
  return {
    image: postgresImage,
    command: guarded(task, ["/bin/sh", scriptPath(`${task.kind}.sh`)]),
    args: [],
    env: [
      ...taskEnv(task, environment),
      plain("PGHOST", db.host),
      plain("PGPORT", String(db.port)),
      plain("PGDATABASE", db.database),
      fromSecret("PGUSER", db.credentialsSecret, "PGUSER"),
      fromSecret("PGPASSWORD", db.credentialsSecret, "PGPASSWORD"),
      plain("PGCONNECT_TIMEOUT", "10"),
      plain("PGAPPNAME", `upkeep-${task.id}`),
      ...tlsEnv(db),
      ...specific,
    ],
    resources: defaultResources(),
    runAsUser: POD_DEFAULTS.runAsUser,
  };
}

export function customContainer(task: CustomTask, environment: string): ContainerPlan {
  const job = task.job;
  return {
    image: job.image,
    command: job.command ? guarded(task, job.command) : [],
    args: job.args,
    env: [
      ...taskEnv(task, environment),
      ...Object.entries(job.env).map(([name, value]) => plain(name, value)),
      ...job.secretEnv.map((s) => fromSecret(s.name, s.secretName, s.key)),
    ],
    resources: {
      requests: { ...POD_DEFAULTS.requests, ...job.resources?.requests },
      limits: { ...POD_DEFAULTS.limits, ...job.resources?.limits },
    },
    runAsUser: job.runAsUser ?? POD_DEFAULTS.runAsUser,
  };
}
