/**
 * Debian's headless Chromium, one run at a time: a fresh profile directory,
 * no network beyond the file it is given, and the whole process group
 * stopped by its id afterwards (Chromium starts helpers of its own). As root
 * it needs --no-sandbox.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = "/usr/bin/chromium";

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"];

/** Runs Chromium with `args` after the fixed flags; resolves with its output once it and its helpers are gone. */
export function runChromium(args: readonly string[], hangAfterMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const profile = mkdtempSync(join(tmpdir(), "upkeep-chromium-"));
  return new Promise((resolve, reject) => {
    // Its own process group, so the helpers it forks can be stopped with it.
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const stopGroup = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // The group is already gone.
      }
    };
    // Only a guard against a hung browser, never a measure of speed.
    const hang = setTimeout(stopGroup, hangAfterMs);
    child.on("error", (e) => {
      clearTimeout(hang);
      rmSync(profile, { recursive: true, force: true });
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(hang);
      stopGroup();
      rmSync(profile, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}
