/** `upkeep:databases`: each PostgreSQL database and its vacuum, reindex and cleanup. */
import { z } from "zod";
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
    cadence: z.enum(["daily", "weekly", "monthly", "quarterly", "off"]),
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

export const databaseSchema = z.strictObject({
  name: rfc1123Name(40, "so its task names fit the 52-character CronJob name limit"),
  host: hostname,
  port: boundedInt(1, 65535).default(5432),
  database: databaseName,
  credentialsSecret: rfc1123Name(),
  vacuum: taskSetting(DATABASE_TASK_DEFAULTS.vacuum),
  vacuumJobs: boundedInt(1, 16).default(2),
  reindex: taskSetting(DATABASE_TASK_DEFAULTS.reindex),
  cleanup: cleanupSchema.optional(),
});
