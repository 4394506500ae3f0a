// A PostgreSQL 15 server with a database `app` and a least-privileged role
// `maint` that owns what it creates there: the setting the database job
// scripts run in.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { startPostgres, type Postgres } from "./postgres";
import { after, before } from "node:test";
import { startAll, startPushgateway, type Server } from "./monitoring";
import { until } from "./scripts";

export const DB = "app";

export interface Database {
  readonly name: string;
  /** libpq environment of the role `maint` in this database. */
  env(): Record<string, string>;
  /** libpq environment of the superuser in this database. */
  superEnv(): Record<string, string>;
  /** SQL as maint, so what it creates is owned by maint. */
  maintSql(sql: string): Promise<string>;
  /** SQL as the superuser. */
  sql(sql: string): Promise<string>;
  num(sql: string): Promise<number>;
  /** Polls until `sql` (as the superuser) returns 't'. */
  eventually(sql: string, what: string, ms?: number): Promise<void>;
  /** The sessions of the scripts still on the server (application_name upkeep-…). */
  scriptSessions(): Promise<number>;
}

export interface MaintenanceDb extends Database {
  readonly pg: Postgres;
  /** A fresh database where maint may create tables in public, as in `app`. */
  newDatabase(name: string): Promise<Database>;
  stop(): Promise<void>;
}

export async function startMaintenanceDb(): Promise<MaintenanceDb> {
  const pg = await startPostgres();
  const password = "maint-" + randomBytes(8).toString("hex");
  try {
    await pg.psql(`CREATE ROLE maint LOGIN PASSWORD '${password}'`);
    await pg.psql(`CREATE DATABASE ${DB}`);
    await pg.psql("GRANT CREATE ON SCHEMA public TO maint", DB);
  } catch (e) {
    await pg.stop();
    throw e;
  }
  const database = (name: string): Database => {
    const env = () => pg.connEnv("maint", password, name);
    const sql = (text: string) => pg.psql(text, name);
    return {
      name,
      env,
      superEnv: () => pg.connEnv(pg.superuser, pg.password, name),
      async maintSql(text) {
        const { stdout } = await promisify(execFile)("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", text], {
          env: { PATH: process.env.PATH ?? "", ...env() },
        });
        return stdout.trim();
      },
      sql,
      num: async (text) => Number(await sql(text)),
      eventually: (text, what, ms = 10_000) => until(async () => (await sql(text)) === "t", what, ms),
      scriptSessions: async () => Number(await sql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'upkeep-%'")),
    };
  };
  return {
    ...database(DB),
    pg,
    async newDatabase(name) {
      await pg.psql(`CREATE DATABASE ${name}`);
      await pg.psql("GRANT CREATE ON SCHEMA public TO maint", name);
      return database(name);
    },
    stop: () => pg.stop(),
  };
}

/**
 * The fixture of the job-script tests: a maintenance database and a
 * Pushgateway, started before the file's tests and stopped after them. The
 * callback hands both to the file's own variables.
 */
export function useMaintenanceDbAndPushgateway(ready: (db: MaintenanceDb, gateway: Server) => void): void {
  let started: readonly [MaintenanceDb, Server] | undefined;
  before(async () => {
    started = await startAll([startMaintenanceDb(), startPushgateway()]);
    ready(...started);
  });
  after(async () => {
    await Promise.all(started?.map((s) => s.stop()) ?? []);
  });
}
