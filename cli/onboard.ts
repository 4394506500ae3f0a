/**
 * `npm run onboard -- --env <name> --tier <tier> --timezone <tz> --window "<days> <HH:MM> <minutes>" [flags]`
 * (`--help` lists every flag.)
 *
 * From nothing to a validated plan in one command: writes
 * stacks/Pulumi.<env>.yaml with the tier's defaults as comments, validates the
 * file as the program will, plans it offline, and prints the first deploy's
 * steps. Exit codes: 0 onboarded (or --help); 1 the written file failed its
 * check or its plan (the file is kept, to be fixed); 2 bad arguments or the
 * stack file exists (nothing is written).
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, parsePulumiConfig } from "../components/config";
import { parseOnboardArgs, renderHelp, USAGE } from "./onboard/args";
import { renderNextSteps } from "./onboard/nextSteps";
import { renderStackFile } from "./onboard/template";
import { readStackFile } from "./stackFile";

const ROOT = resolve(__dirname, "..");

function fail(code: number, lines: readonly string[]): never {
  // Problems carry the command's name; the usage line and indented detail do not.
  process.stderr.write(lines.map((l) => (l.startsWith("usage:") || l.startsWith(" ") ? l : `upkeep onboard: ${l}`)).join("\n") + "\n");
  process.exit(code);
}

function main(): void {
  const parsed = parseOnboardArgs(process.argv.slice(2), ROOT, process.cwd());
  if (parsed.ok === "help") {
    process.stdout.write(renderHelp());
    return;
  }
  if (!parsed.ok) fail(2, [...parsed.problems, USAGE]);
  const { config, regionSource, stacksDir, stacksDirShown, outDir, outDirShown } = parsed.request;
  const env = config.environment.name;
  const fileName = `Pulumi.${env}.yaml`;
  const stackFile = join(stacksDir, fileName);
  const stackFileShown = join(stacksDirShown, fileName);

  if (existsSync(stackFile)) fail(2, [`${stackFileShown} already exists; onboarding never overwrites a stack file (edit it, or choose another --env)`]);
  // "wx" also refuses a file that appeared since the check.
  writeFileSync(stackFile, renderStackFile(config), { flag: "wx" });

  // Re-read what was written, exactly as `pulumi up` and the plan will: the template must not drift from the schema.
  try {
    const written = readStackFile(stackFile);
    parsePulumiConfig(written.all, new Set(written.secretKeys), env);
  } catch (e) {
    const detail = e instanceof ConfigError ? e.problems.map((p) => `  ${p.path}: ${p.reason}`) : [`  ${e instanceof Error ? e.message : String(e)}`];
    fail(1, [`wrote ${stackFileShown}, but it does not validate (a bug in onboarding; the file is kept):`, ...detail]);
  }
  process.stdout.write(`upkeep onboard: wrote ${stackFileShown} (aws:region ${config.awsRegion}, from ${regionSource}); it validates. Planning it offline:\n`);

  // A child process: planStack runs the program once per process, and this keeps the plan exactly what `npm run plan` does.
  const plan = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "cli", "plan.ts"), "--stack", env, "--stack-file", stackFile, "--out", outDir],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  process.stdout.write(plan.stdout ?? "");
  if (plan.status !== 0) {
    process.stderr.write(plan.stderr ?? "");
    const retry = stacksDirShown === "stacks" ? `npm run plan -- --stack ${env}` : `npm run plan -- --stack ${env} --stack-file ${stackFileShown}`;
    fail(1, [`the offline plan of ${env} failed${plan.error ? ` (${plan.error.message})` : ""}; ${stackFileShown} is kept: fix it, then run ${retry}`]);
  }
  process.stdout.write(`\nupkeep onboard: ${env} is ready; its plan is in ${outDirShown}.\n\n`);
  process.stdout.write(renderNextSteps(env, config.environment.tier, config.kubernetes.namespace, stackFileShown));
}

main();
