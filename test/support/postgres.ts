// A throwaway PostgreSQL 15 server for tests: password auth over TCP on
// 127.0.0.1 only, sockets and data in a temp dir, torn down with stop().
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIN = process.env.UPKEEP_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface Postgres {
  host: string;
  port: number;
  superuser: string;
  password: string;
  /** libpq environment for a client connecting as `user`. */
  connEnv(user: string, password: string, db?: string): Record<string, string>;
  /** Run SQL as the superuser; returns unaligned, tuples-only output. */
  psql(sql: string, db?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<Postgres> {
  const dir = await mkdtemp(join(tmpdir(), "upkeep-pg-"));
  const data = join(dir, "data");
  const superuser = "postgres";
  const password = randomBytes(12).toString("hex");
  // initdb and postgres refuse to run as root: borrow the postgres system user.
  const asRoot = process.getuid?.() === 0;
  const pg = (bin: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(BIN, bin), ...args])
      : run(join(BIN, bin), args);

  try {
    await writeFile(join(dir, "pwfile"), password + "\n", { mode: 0o600 });
    if (asRoot) await run("chown", ["-R", "postgres:", dir]);
    await pg("initdb", [
      "-D", data, "-U", superuser, `--pwfile=${join(dir, "pwfile")}`,
      "--auth=scram-sha-256", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C",
    ]);

    // The port is free when picked but could be taken before postgres binds it.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      await appendFile(
        join(data, "postgresql.conf"),
        [
          "listen_addresses = '127.0.0.1'",
          `port = ${port}`,
          `unix_socket_directories = '${dir}'`,
          "fsync = off",
          "synchronous_commit = off",
          "full_page_writes = off",
          "",
        ].join("\n"),
      );
      try {
        await pg("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-w", "-t", "30", "start"]);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }

    const connEnv = (user: string, pw: string, db = "postgres") => ({
      PGHOST: "127.0.0.1",
      PGPORT: String(port),
      PGUSER: user,
      PGPASSWORD: pw,
      PGDATABASE: db,
      PGCONNECT_TIMEOUT: "10",
    });
    return {
      host: "127.0.0.1",
      port,
      superuser,
      password,
      connEnv,
      async psql(sql, db = "postgres") {
        const { stdout } = await run("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql], {
          env: { PATH: process.env.PATH ?? "", ...connEnv(superuser, password, db) },
        });
        return stdout.trim();
      },
      async stop() {
        await pg("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await pg("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
