/**
 * Dump verification: a backup counts only once a restore has proved it. One
 * CronJob per `upkeep:backups.dumps[]` entry whose pod
 * 1. `scratch-postgres` (native sidecar: an init container with
 *    `restartPolicy: Always`, first and without a startup probe, so it starts
 *    at once and sets up while the fetch downloads): a throwaway server on
 *    127.0.0.1 with its data in the emptyDir /scratch and an empty database
 *    "verify". It never sees production: nothing in the pod holds a
 *    production address or credential;
 * 2. `fetch` (init container, AWS CLI): copies the newest dump under the
 *    prefix into the emptyDir /dump, with its S3 LastModified in /dump/.meta;
 * 3. the main container: dump-verify.sh checks the age, waits for the scratch
 *    server if it is still starting, restores, runs the checks and prints one
 *    JSON line.
 * S3 access comes only from IRSA (the ServiceAccount annotation), with a role
 * that may list and read only that prefix.
 */
import type * as k8s from "@pulumi/kubernetes";
import { aws } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { type UpkeepConfig, POD_DEFAULTS } from "../config";
import { AWS_CLI_IMAGE, IRSA_ANNOTATION, irsaAssumeRolePolicy, type IrsaSubject, parseS3Location, type PolicyDocument } from "./awsAccess";
import { defaultResources, guardedCommand, hardenedSecurityContext, plainEnv, PUSHGATEWAY_ENV, standardTaskEnv, type ContainerPlan, type EnvVar, scriptPath, taskVolumeMounts } from "../kubernetes";

export type DumpConfig = UpkeepConfig["backups"]["dumps"][number];
export type DumpCheck = DumpConfig["checks"][number];

export const DUMP_DIR = "/dump";
export const SCRATCH_DIR = "/scratch";
/** The scratch server's port on the pod's loopback. */
export const SCRATCH_PORT = 5432;
/** pg_restore --jobs for the directory format: two keeps the 1-CPU limit busy. */
export const RESTORE_JOBS = 2;

/** What of a scheduled task the pod needs; a ScheduledTask (plus its id) fits. */
export interface DumpTaskLike {
  readonly id: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
  readonly cadence: string;
  /** The schedule, whose minute and hour give the slot's local start. */
  readonly cron?: string;
  /** Monthly and quarterly slots fire weekly; the guard lets one run a period through. */
  readonly guard?: string;
}

export interface DumpPodOptions {
  readonly postgresImage: string;
  readonly environment: string;
  readonly namespace: string;
  /** The IRSA role: `dump.roleArn`, or the arn of the DumpReaderRole created for it. */
  readonly roleArn: string;
  /**
   * Where the guarded fetch asks whether the period already ran; cronjob.ts
   * gives the main container its own. Undefined with `alerting.pushgateway: off`.
   */
  readonly pushgatewayUrl?: string;
}

export interface DumpVerificationPod {
  readonly container: ContainerPlan;
  readonly initContainers: k8s.types.input.core.v1.Container[];
  readonly volumes: k8s.types.input.core.v1.Volume[];
  /** The main container's extra mounts (cronjob.ts mounts tmp and scripts itself). */
  readonly volumeMounts: k8s.types.input.core.v1.VolumeMount[];
  readonly serviceAccountAnnotations: Record<string, string>;
}

/**
 * initdb refuses a uid that has no /etc/passwd entry, the root filesystem is
 * read-only, and the Alpine images have no nss_wrapper to fake one. So the
 * scratch server runs as the image's own `postgres` user: uid 70 in the
 * Alpine images, 999 in the Debian ones.
 */
export function postgresImageUid(image: string): number {
  return /alpine/.test(image) ? 70 : 999;
}

/** One compact JSON object per line: readable in `kubectl describe`, parsed by the scratch server's json type. */
export function encodeChecks(checks: readonly DumpCheck[]): string {
  return checks.map((c) => JSON.stringify("sql" in c ? { sql: c.sql } : { table: c.table, minRows: c.minRows })).join("\n");
}

/** The scratch server's requests and limits: the dump's own, over upkeep's defaults. */
export function scratchResources(dump: Pick<DumpConfig, "scratchResources">): { requests: Record<string, string>; limits: Record<string, string> } {
  const defaults = defaultResources();
  return {
    requests: { ...defaults.requests, ...dump.scratchResources?.requests },
    limits: { ...defaults.limits, ...dump.scratchResources?.limits },
  };
}

/**
 * An ephemeral-storage request, so the scheduler places the pod on a node
 * with room for it; the matching emptyDir's sizeLimit bounds what it uses.
 */
function withEphemeralStorage(resources: { requests: Record<string, string>; limits: Record<string, string> }, size: string | undefined) {
  return size === undefined ? resources : { requests: { ...resources.requests, "ephemeral-storage": size }, limits: resources.limits };
}

export function dumpVerificationPod(task: DumpTaskLike, dump: DumpConfig, options: DumpPodOptions): DumpVerificationPod {
  const guarded = (command: string[]) => guardedCommand(task.guard, command);
  const common = standardTaskEnv({ id: task.id, kind: "dump-verify", environment: options.environment }, task);
  const dumpEnv: EnvVar[] = [
    plainEnv("UPKEEP_DUMP_LOCATION", dump.location),
    plainEnv("UPKEEP_DUMP_FORMAT", dump.format),
    ...(dump.match !== undefined ? [plainEnv("UPKEEP_DUMP_MATCH", dump.match)] : []),
    plainEnv("UPKEEP_DUMP_DIR", DUMP_DIR),
  ];
  const scratchEnv: EnvVar[] = [
    plainEnv("PGHOST", "127.0.0.1"),
    plainEnv("PGPORT", String(SCRATCH_PORT)),
    plainEnv("PGUSER", "postgres"),
    plainEnv("PGDATABASE", "postgres"),
  ];
  const scratchUid = postgresImageUid(options.postgresImage);
  const isReady = { exec: { command: ["pg_isready", "-q", "-h", "127.0.0.1", "-p", String(SCRATCH_PORT), "-U", "postgres"] } };
  const storage = dump.ephemeralStorage;

  const fetch: k8s.types.input.core.v1.Container = {
    name: "fetch",
    image: AWS_CLI_IMAGE,
    imagePullPolicy: "IfNotPresent",
    // The image's entrypoint is `aws`; credentials come only from IRSA's injected token.
    command: guarded(["/bin/sh", scriptPath("dump-fetch.sh")]),
    // Not the run's last step: the guard's skip is reported by the verifier, also guarded. The
    // download must ask the Pushgateway the same question, or it would skip the retry's dump.
    env: [
      ...common,
      plainEnv("UPKEEP_STEP", "fetch"),
      ...dumpEnv,
      ...(options.pushgatewayUrl !== undefined ? [plainEnv(PUSHGATEWAY_ENV, options.pushgatewayUrl)] : []),
    ],
    resources: withEphemeralStorage(defaultResources(), storage?.dump),
    securityContext: hardenedSecurityContext(),
    volumeMounts: [...taskVolumeMounts(), { name: "dump", mountPath: DUMP_DIR }],
  };
  const scratch: k8s.types.input.core.v1.Container = {
    name: "scratch-postgres",
    image: options.postgresImage,
    imagePullPolicy: "IfNotPresent",
    // A native sidecar: it runs beside the main container and is stopped when that ends.
    restartPolicy: "Always",
    command: ["/bin/sh", scriptPath("scratch-postgres.sh")],
    env: [plainEnv("HOME", "/tmp"), plainEnv("PGDATA", `${SCRATCH_DIR}/data`), plainEnv("PGPORT", String(SCRATCH_PORT))],
    resources: withEphemeralStorage(scratchResources(dump), storage?.restore),
    securityContext: hardenedSecurityContext(scratchUid),
    // No startup probe: it would hold the fetch back until the server is up. dump-verify.sh waits instead.
    readinessProbe: { ...isReady, periodSeconds: 10 },
    volumeMounts: [...taskVolumeMounts(), { name: "scratch", mountPath: SCRATCH_DIR }],
  };
  const container: ContainerPlan = {
    image: options.postgresImage,
    command: guarded(["/bin/sh", scriptPath("dump-verify.sh")]),
    args: [],
    env: [
      ...common,
      ...dumpEnv,
      ...scratchEnv,
      plainEnv("PGCONNECT_TIMEOUT", "10"),
      plainEnv("UPKEEP_DUMP_MAX_AGE_HOURS", String(dump.maxAgeHours)),
      plainEnv("UPKEEP_RESTORE_JOBS", String(RESTORE_JOBS)),
      plainEnv("UPKEEP_DUMP_CHECKS", encodeChecks(dump.checks)),
    ],
    resources: defaultResources(),
    runAsUser: POD_DEFAULTS.runAsUser,
  };
  return {
    container,
    initContainers: [scratch, fetch],
    // Unsized unless the dump says how large it and its restore get: they are as large as the database.
    volumes: [
      { name: "dump", emptyDir: storage?.dump ? { sizeLimit: storage.dump } : {} },
      { name: "scratch", emptyDir: storage?.restore ? { sizeLimit: storage.restore } : {} },
    ],
    volumeMounts: [{ name: "dump", mountPath: DUMP_DIR, readOnly: true }],
    serviceAccountAnnotations: { [IRSA_ANNOTATION]: options.roleArn },
  };
}

/**
 * List and read under the prefix, nothing else: no wildcard actions, no other
 * keys. With the bucket's customer managed key, kms:Decrypt on that key only,
 * and only when S3 asks on the role's behalf (`kms:ViaService`; SSE-KMS keys
 * live in the bucket's region).
 */
export function dumpReaderPolicy(location: string, kmsKeyArn?: string): PolicyDocument {
  const { bucket, prefix } = parseS3Location(location);
  const keyRegion = kmsKeyArn?.split(":")[3];
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListDumpPrefix",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
      },
      { Sid: "ReadDumps", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/${prefix}*` },
      ...(kmsKeyArn !== undefined
        ? [
            {
              Sid: "DecryptDumps",
              Effect: "Allow" as const,
              Action: "kms:Decrypt",
              Resource: kmsKeyArn,
              Condition: { StringEquals: { "kms:ViaService": `s3.${keyRegion}.amazonaws.com` } },
            },
          ]
        : []),
    ],
  };
}

export interface DumpReaderRoleArgs extends IrsaSubject {
  readonly location: string;
  /** A fixed role name, so the pod's annotation can name the role before it exists (see taskRole). */
  readonly roleName?: string;
  /** `dump.kmsKeyArn`: the bucket's customer managed key, which the role may decrypt with. */
  readonly kmsKeyArn?: string;
}

/**
 * The role a dump's verification pod assumes when `dump.roleArn` is not given.
 * Type token: upkeep:backups:DumpReaderRole. Pass the AWS provider in opts.
 */
export class DumpReaderRole extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: DumpReaderRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:backups:DumpReaderRole", name, {}, opts);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        ...(args.roleName !== undefined ? { name: args.roleName } : {}),
        description: `upkeep verifies the dumps under ${args.location} (IRSA: ${args.namespace}/${args.serviceAccount})`,
        assumeRolePolicy: irsaAssumeRolePolicy(args),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(`${name}-read`, { role: role.id, policy: JSON.stringify(dumpReaderPolicy(args.location, args.kmsKeyArn)) }, { parent: this });
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
