// A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1, for
// the scripts that fire alerts: started on a free port with a route that
// keeps every alert, read back through its v2 API, stopped by PID.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ALERTMANAGER = process.env.UPKEEP_ALERTMANAGER ?? "prometheus-alertmanager";

export interface RunningAlertmanager {
  readonly url: string;
  /** Every alert Alertmanager holds (GET /api/v2/alerts). */
  alerts(): Promise<AlertmanagerAlert[]>;
  stop(): Promise<void>;
}

export interface AlertmanagerAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function ready(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited ${child.exitCode}: ${log()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`alertmanager did not become ready: ${log()}`);
}

export async function startAlertmanager(): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), "upkeep-am-"));
  writeFileSync(join(dir, "alertmanager.yml"), "route:\n  receiver: keep\nreceivers:\n  - name: keep\n");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(
    ALERTMANAGER,
    [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  await ready(url, child, () => output);
  return {
    url,
    alerts: async () => (await (await fetch(`${url}/api/v2/alerts`)).json()) as AlertmanagerAlert[],
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        process.kill(child.pid!, "SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
