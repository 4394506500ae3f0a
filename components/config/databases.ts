/** `upkeep:databases`: each PostgreSQL database and its vacuum, reindex and cleanup. */
import { z } from "zod";
import { CADENCES } from "../schedule";
import { boundedInt, cadence, databaseName, hostname, ianaZone, qualifiedTable, rfc1123Name, sqlIdentifier } from "./validators";

/** Default slot length per database task, in minutes. */
export const DATABASE_TASK_DEFAULTS = Object.freeze({
  vacuum: { cadence: "daily", durationMinutes: 30 },
  reindex: { cadence: "monthly", durationMinutes: 60 },
  cleanup: { cadence: "weekly", durationMinutes: 30 },
} as const);

/** `daily`, `off`, or `{ cadence, durationMinutes }`: one shape after parsing. */
function taskSetting(defaults: { cadence: string; durationMinutes: number }) {
  const shape = z.strictObject({
    cadence: z.enum([...CADENCES, "off"]),
    durationMinutes: boundedInt(5, 720).default(defaults.durationMinutes),
  });
  return z.preprocess((v) => (typeof v === "string" ? { cadence: v } : v), shape).default({
    cadence: defaults.cadence as "daily",
    durationMinutes: defaults.durationMinutes,
  });
}

const cleanupTableSchema = z.strictObject({
  table: qualifiedTable,
  timestampColumn: sqlIdentifier,
  retentionDays: boundedInt(1, 36500),
  batchSize: boundedInt(100, 100000).default(5000),
  /**
   * The zone the application writes a `timestamp without time zone` or
   * `date` column in. Without it, cleanup uses the cutoff safe in every zone
   * (12 hours earlier) and says so; a timestamptz column ignores it.
   */
  timestampZone: ianaZone.optional(),
});

const cleanupSchema = z.strictObject({
  cadence: cadence.default("weekly"),
  durationMinutes: boundedInt(5, 720).default(DATABASE_TASK_DEFAULTS.cleanup.durationMinutes),
  tables: z.array(cleanupTableSchema).min(1, { error: "must list at least one table" }),
});

export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The key of a Secret's CA bundle when only its name is given: cert-manager's and most tools' convention. */
export const DEFAULT_ROOT_CERT_KEY = "ca.crt";

/** `"rds-ca"` or `{ name, key }`: one shape after parsing. */
const sslRootCertSecret = z.preprocess(
  (v) => (typeof v === "string" ? { name: v } : v),
  z.strictObject({ name: rfc1123Name(253, "a Secret name's limit"), key: z.string().min(1).default(DEFAULT_ROOT_CERT_KEY) }),
);

/** A PostgreSQL role name as PGUSER carries it. */
const roleName = z.string().refine((v) => /^[A-Za-z0-9_.@-]{1,63}$/.test(v), {
  error: (iss) => `must be a PostgreSQL role name of at most 63 letters, digits, '_', '.', '@' or '-' (got ${JSON.stringify(iss.input)})`,
});

/** The Secret upkeep creates for a database configured with `credentials`. */
export const createdSecretName = (database: string): string => `upkeep-${database}-credentials`;

export const databaseSchema = z
  .strictObject({
    name: rfc1123Name(40, "so its task names fit the 52-character CronJob name limit"),
    host: hostname,
    port: boundedInt(1, 65535).default(5432),
    database: databaseName,
    /** An existing Secret with PGUSER and PGPASSWORD; or `credentials`, from which upkeep creates one. */
    credentialsSecret: rfc1123Name().optional(),
    // The password is a Pulumi secret (parse.ts refuses it otherwise); its value is never echoed.
    credentials: z.strictObject({ user: roleName, password: z.string().min(1) }).optional(),
    /** libpq's sslmode; unset, the tier's (tiers.ts). */
    sslmode: z.enum(SSL_MODES).optional(),
    sslRootCertSecret: sslRootCertSecret.optional(),
    vacuum: taskSetting(DATABASE_TASK_DEFAULTS.vacuum),
    vacuumJobs: boundedInt(1, 16).default(2),
    reindex: taskSetting(DATABASE_TASK_DEFAULTS.reindex),
    cleanup: cleanupSchema.optional(),
  })
  .superRefine((db, ctx) => {
    if ((db.credentialsSecret === undefined) === (db.credentials === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["credentialsSecret"],
        message: "set exactly one of credentialsSecret (an existing Secret with PGUSER and PGPASSWORD) or credentials (upkeep creates the Secret from Pulumi secrets)",
      });
    }
    if ((db.sslmode === "verify-ca" || db.sslmode === "verify-full") && db.sslRootCertSecret === undefined) {
      ctx.addIssue({ code: "custom", path: ["sslRootCertSecret"], message: `is required with sslmode ${db.sslmode}: the CA that signed the server's certificate` });
    }
    if (db.sslmode === "disable" && db.sslRootCertSecret !== undefined) {
      ctx.addIssue({ code: "custom", path: ["sslRootCertSecret"], message: "has no use with sslmode disable" });
    }
  });

type ParsedDatabase = z.output<typeof databaseSchema>;

/**
 * The database as every consumer reads it: the tier's sslmode filled in, and
 * the Secret's name whichever way it comes (given, or the one upkeep creates).
 */
export function resolveDatabase(db: ParsedDatabase, defaultSslMode: SslMode): ParsedDatabase & { credentialsSecret: string; sslmode: SslMode } {
  return { ...db, credentialsSecret: db.credentialsSecret ?? createdSecretName(db.name), sslmode: db.sslmode ?? defaultSslMode };
}
