/**
 * Runs `cli/plan.ts` in a child process, as a user would, so each plan gets a
 * fresh Pulumi runtime and a fresh import of index.ts.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./configs";

export interface PlanResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outDir: string;
  /** Reads a plan file; undefined when it was not written. */
  file(name: string): string | undefined;
  json<T = unknown>(name: string): T;
  cleanup(): void;
}

export const PLAN_NOW = "2026-11-29T00:00:00Z";

export function runPlan(args: { stack: string; stackFile?: string; stackYaml?: string; now?: string }): Promise<PlanResult> {
  const dir = mkdtempSync(join(tmpdir(), "upkeep-plan-"));
  const outDir = join(dir, "out");
  let stackFile = args.stackFile;
  if (args.stackYaml !== undefined) {
    stackFile = join(dir, `Pulumi.${args.stack}.yaml`);
    writeFileSync(stackFile, args.stackYaml);
  }
  const cliArgs = ["--import", "tsx", join(ROOT, "cli", "plan.ts"), "--stack", args.stack, "--out", outDir, "--now", args.now ?? PLAN_NOW];
  if (stackFile) cliArgs.push("--stack-file", stackFile);
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgs, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      const file = (name: string) => (existsSync(join(outDir, name)) ? readFileSync(join(outDir, name), "utf8") : undefined);
      resolve({
        code,
        stdout,
        stderr,
        outDir,
        file,
        json: <T>(name: string) => JSON.parse(file(name) ?? "null") as T,
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      });
    });
  });
}
