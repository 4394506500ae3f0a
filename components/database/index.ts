/**
 * PostgreSQL maintenance: one DatabaseMaintenance per database, each of its vacuum,
 * reindex and cleanup tasks a hardened CronJob.
 */
export { DatabaseMaintenance } from "./databaseMaintenance";
