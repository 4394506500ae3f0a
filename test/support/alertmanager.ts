// A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1, for
// the scripts that fire alerts: started on a free port with a route that
// keeps every alert, read back through its v2 API, stopped by PID.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./monitoring";

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

export async function startAlertmanager(): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), "upkeep-am-"));
  try {
    await writeFile(join(dir, "alertmanager.yml"), "route:\n  receiver: keep\nreceivers:\n  - name: keep\n");
    const server = await startServer(
      ALERTMANAGER,
      (port, d) => [`--config.file=${join(d, "alertmanager.yml")}`, `--storage.path=${join(d, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="],
      dir,
    );
    return {
      url: server.url,
      alerts: async () => (await (await fetch(`${server.url}/api/v2/alerts`)).json()) as AlertmanagerAlert[],
      stop: async () => (await server.stop(), await rm(dir, { recursive: true, force: true })),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
