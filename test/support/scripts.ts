// Running the job scripts the way the CronJob runs them: `sh script.sh`, input
// only through the environment; and reading the outcome line every run ends with.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";

export const SCRIPTS = join(__dirname, "..", "..", "components", "scripts");

export interface Outcome {
  task: string;
  kind: string;
  environment: string | null;
  outcome: "success" | "failed" | "skipped" | "partial";
  start: string;
  end: string;
  seconds: number;
  reason: string | null;
  figures: Record<string, unknown>;
}

export interface Run {
  code: number;
  /** The signal that ended the shell, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** stdout without its last line, the outcome line. */
  log: string;
  outcome: Outcome;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/**
 * The outcome line: exactly one JSON line on stdout, the last one, with every
 * field of the contract; start, end and seconds agree with each other.
 */
export function outcomeOf(stdout: string): { log: string; outcome: Outcome } {
  const lines = stdout.split("\n");
  assert.equal(lines.pop(), "", `stdout ends with a newline: ${JSON.stringify(stdout)}`);
  const last = lines.pop();
  assert.ok(last !== undefined, "an outcome line");
  assert.equal(lines.filter((l) => l.startsWith("{")).length, 0, `one JSON line only: ${stdout}`);
  const o = JSON.parse(last) as Outcome;
  assert.deepEqual(Object.keys(o), ["task", "kind", "environment", "outcome", "start", "end", "seconds", "reason", "figures"]);
  assert.match(o.start, ISO);
  assert.match(o.end, ISO);
  assert.equal(o.seconds, (Date.parse(o.end) - Date.parse(o.start)) / 1000);
  assert.ok(["success", "failed", "skipped", "partial"].includes(o.outcome), o.outcome);
  assert.equal(o.reason === null, o.outcome === "success", `a reason unless success: ${last}`);
  assert.equal(typeof o.figures, "object");
  return { log: lines.length ? lines.join("\n") + "\n" : "", outcome: o };
}

export interface Started {
  readonly pid: number;
  readonly done: Promise<Run>;
}

/** Starts `sh <script>`; `done` resolves when it exits. */
export function startScript(script: string, env: Record<string, string>, timeoutMs = 60_000): Started {
  const started = Date.now();
  const child = spawn("sh", [join(SCRIPTS, script)], {
    env: { PATH: process.env.PATH ?? "", HOME: "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<Run>((resolve, reject) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const r = { code: code ?? -1, signal, stdout, stderr, ms: Date.now() - started };
      try {
        const { log, outcome } = outcomeOf(stdout);
        resolve({ ...r, log, outcome });
      } catch (e) {
        reject(new Error(`${(e as Error).message}\nexit ${r.code}, stdout:\n${stdout}\nstderr:\n${stderr}`));
      }
    });
  });
  return { pid: child.pid!, done };
}

export function runScript(script: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return startScript(script, env, timeoutMs).done;
}

/** Polls `check` until it returns true. */
export async function until(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
