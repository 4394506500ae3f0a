// The real Prometheus Pushgateway and Prometheus server for tests, each on a
// free 127.0.0.1 port with its data in a temp dir, stopped by PID.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./postgres";

export const PUSHGATEWAY_BIN = process.env.UPKEEP_PUSHGATEWAY ?? "/usr/bin/prometheus-pushgateway";
export const PROMETHEUS_BIN = process.env.UPKEEP_PROMETHEUS ?? "/usr/bin/prometheus";

export interface Server {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /** What the server printed, for assertion messages. */
  log(): string;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was ready:\n${log()}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`not ready after 30 s:\n${log()}`);
}

/**
 * Starts `bin` on a free port (its `/-/ready` answering) with `args(port, dir)`;
 * `stop()` ends it by PID. The Prometheus family shares these flags and endpoint.
 */
export async function startServer(bin: string, args: (port: number, dir: string) => string[], dir: string): Promise<Server> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(bin, args(port, dir), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(child.pid!, "SIGTERM");
        await exited;
      }
    };
    try {
      await waitReady(url, child, () => output);
      return { url, port, dir, pid: child.pid!, log: () => output, stop };
    } catch (err) {
      await stop();
      // The port was free when picked but another process may have taken it first.
      if (attempt >= 3 || !/address already in use/.test(output)) throw err;
    }
  }
}

/**
 * Servers started side by side: all of them, or, when one fails to start,
 * none (those that did are stopped before the failure is rethrown), so a
 * test's `after` never misses a server it was not handed.
 */
export async function startAll<T extends Promise<{ stop(): Promise<void> }>[]>(starts: readonly [...T]): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { [K in keyof T]: Awaited<T[K]> };
}

/** A Pushgateway with its persistence file in its own temp dir. */
export async function startPushgateway(): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), "upkeep-pushgateway-"));
  try {
    const server = await startServer(
      PUSHGATEWAY_BIN,
      (port, d) => [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(d, "pushgateway.data")}`, "--persistence.interval=1s"],
      dir,
    );
    return { ...server, stop: async () => (await server.stop(), await rm(dir, { recursive: true, force: true })) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A Prometheus server that scrapes the Pushgateway every second (honor_labels,
 * as upkeep's ServiceMonitor does) and evaluates the rule files given, every
 * second. `extraScrapeTargets` are more static targets (e.g. a server that
 * serves kube-state-metrics series).
 */
export async function startPrometheus(opts: { pushgateway: string; ruleFiles: Record<string, string>; extraTargets?: readonly { job: string; target: string }[] }): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), "upkeep-prometheus-"));
  try {
    const ruleNames = Object.keys(opts.ruleFiles);
    for (const [name, content] of Object.entries(opts.ruleFiles)) await writeFile(join(dir, name), content);
    const scrape = [
      { job_name: "pushgateway", honor_labels: true, static_configs: [{ targets: [new URL(opts.pushgateway).host] }] },
      ...(opts.extraTargets ?? []).map((t) => ({ job_name: t.job, honor_labels: true, static_configs: [{ targets: [t.target] }] })),
    ];
    await writeFile(
      join(dir, "prometheus.yml"),
      JSON.stringify({ global: { scrape_interval: "1s", evaluation_interval: "1s" }, rule_files: ruleNames, scrape_configs: scrape }),
    );
    const server = await startServer(
      PROMETHEUS_BIN,
      (port, d) => [
        `--config.file=${join(d, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(d, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--web.enable-lifecycle",
        "--log.level=warn",
      ],
      dir,
    );
    return { ...server, stop: async () => (await server.stop(), await rm(dir, { recursive: true, force: true })) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** GET a JSON API path and return its `data`. */
export async function apiGet<T = unknown>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`${path}: ${body.error ?? res.status}`);
  return body.data;
}

export interface PushedGroup {
  readonly labels: Record<string, string>;
  readonly metrics: Record<string, { type: string; metrics: { labels: Record<string, string>; value: string }[] }>;
}

/** Every group the Pushgateway holds, from its JSON API, as { labels, metric name → samples }. */
export async function pushedGroups(pushgateway: string): Promise<PushedGroup[]> {
  const data = await apiGet<Record<string, unknown>[]>(pushgateway, "/api/v1/metrics");
  return data.map((g) => {
    const { labels, ...rest } = g as { labels: Record<string, string> } & Record<string, unknown>;
    const metrics: PushedGroup["metrics"] = {};
    for (const [name, family] of Object.entries(rest)) {
      const f = family as { type?: string; metrics?: { labels: Record<string, string>; value?: string }[] };
      if (f && typeof f === "object" && Array.isArray(f.metrics)) {
        metrics[name] = { type: f.type ?? "", metrics: f.metrics.map((m) => ({ labels: m.labels, value: m.value ?? "" })) };
      }
    }
    return { labels, metrics };
  });
}
