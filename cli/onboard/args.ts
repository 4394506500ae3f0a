/**
 * The flags of `npm run onboard`, checked by the same schema the program uses:
 * onboarding cannot accept a value that `pulumi up` would later reject. Every
 * problem is reported at once, named by the flag the user typed rather than
 * the config key the flag fills.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, namespaceFor, type UpkeepConfig, parsePulumiConfig } from "../../components/config";

export const USAGE =
  'usage: npm run onboard -- --env <name> --tier <tier> --timezone <tz> --window "<days> <HH:MM> <minutes>" ' +
  '[--namespace <ns>] [--region <region>] [--emails <a@x,b@y>] [--runbook-base-url <https://…>] [--no-aws-backup "<why>"] ' +
  "[--stacks-dir <dir>] [--out <plan-dir>] [--help]";

/** Every flag, as `--help` prints it and the README's "Adding an environment" lists it. */
export const FLAGS: ReadonlyArray<{ readonly flag: string; readonly text: string }> = [
  { flag: "--env <name>", text: "required; the stack's name and `upkeep:environment.name` (an RFC 1123 name)" },
  { flag: "--tier <tier>", text: "required; `development`, `staging` or `production`: sets the tier defaults" },
  { flag: "--timezone <tz>", text: "required; the IANA zone of the window, such as `Europe/Berlin`" },
  { flag: '--window "<days> <HH:MM> <minutes>"', text: 'required; the maintenance window, such as `"sat,sun 01:30 240"`' },
  { flag: "--namespace <ns>", text: "the stack's own namespace; default `upkeep-<env>`" },
  { flag: "--region <region>", text: "`aws:region`; default `AWS_REGION`, else `AWS_DEFAULT_REGION`; with neither set, required" },
  { flag: "--emails <a@x,b@y>", text: "on-call addresses (`upkeep:notify.emails`); required for production, where alerts must reach someone" },
  { flag: "--runbook-base-url <https://…>", text: "`upkeep:alerting.runbookBaseUrl`; required for staging and production, an absolute `https://` URL" },
  { flag: '--no-aws-backup "<why>"', text: "production without AWS Backup, and why (`upkeep:backups.aws.none`); required for production until `upkeep:backups.aws` is configured" },
  { flag: "--stacks-dir <dir>", text: "where the stack file goes; default `stacks`" },
  { flag: "--out <plan-dir>", text: "where the offline plan goes; default `plan/<env>`" },
  { flag: "--help", text: "print this help and exit" },
];

export function renderHelp(): string {
  const width = Math.max(...FLAGS.map((f) => f.flag.length));
  return `${USAGE}\n\nWrites stacks/Pulumi.<env>.yaml, validates and plans it offline, and prints the first deploy's steps.\n\n${FLAGS.map((f) => `  ${f.flag.padEnd(width)}  ${f.text}`).join("\n")}\n`;
}

export interface OnboardRequest {
  readonly config: UpkeepConfig;
  /** Where aws:region came from: --region or the environment variable. */
  readonly regionSource: string;
  /** The directory the stack file goes to, and how to show it to the user. */
  readonly stacksDir: string;
  readonly stacksDirShown: string;
  /** Where the offline plan is written, absolute and as shown. */
  readonly outDir: string;
  readonly outDirShown: string;
}

export type ParsedArgs = { ok: true; request: OnboardRequest } | { ok: false; problems: string[] } | { ok: "help" };

const REQUIRED = ["env", "tier", "timezone", "window"];

/**
 * Config key paths (as ConfigError prints them) → the option that set them and
 * how to name it in a message; the first prefix that matches wins.
 */
const KEYS: ReadonlyArray<{ key: string; option: string; shown: string }> = [
  { key: "aws:region", option: "region", shown: "--region" },
  { key: "upkeep:environment.name", option: "env", shown: "--env" },
  { key: "upkeep:environment.tier", option: "tier", shown: "--tier" },
  { key: "upkeep:environment.timezone", option: "timezone", shown: "--timezone" },
  { key: "upkeep:environment.window.days", option: "window", shown: "--window days" },
  { key: "upkeep:environment.window.start", option: "window", shown: "--window start" },
  { key: "upkeep:environment.window.durationMinutes", option: "window", shown: "--window minutes" },
  { key: "upkeep:environment.window", option: "window", shown: "--window" },
  { key: "upkeep:kubernetes.namespace", option: "namespace", shown: "--namespace" },
  { key: "upkeep:notify", option: "emails", shown: "--emails" },
  { key: "upkeep:alerting.runbookBaseUrl", option: "runbook-base-url", shown: "--runbook-base-url" },
  { key: "upkeep:backups.aws", option: "no-aws-backup", shown: "--no-aws-backup" },
];

function keyFor(path: string) {
  return KEYS.find(({ key }) => path === key || path.startsWith(`${key}[`) || path.startsWith(`${key}.`));
}

/** `"sat,sun 01:30 240"` → the window object; the schema judges each part. */
function parseWindow(text: string): { days: string[]; start: string; durationMinutes: number | string } | undefined {
  const m = /^(\S+)\s+(\S+)\s+(\S+)$/.exec(text.trim());
  if (!m) return undefined;
  // A non-numeric duration stays a string so that the schema names it.
  return { days: m[1]!.split(","), start: m[2]!, durationMinutes: /^\d+$/.test(m[3]!) ? Number(m[3]) : m[3]! };
}

export type RegionChoice = { readonly region: string; readonly source: string } | { readonly problem: string };

/**
 * The stack's AWS region: the flag, else the AWS CLI's own variables. Never a
 * fixed default: a stack in the wrong region creates its topics and backups
 * there. One function, so a stack that needs no AWS can skip it whole.
 */
export function chooseRegion(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): RegionChoice {
  if (flag !== undefined) return { region: flag, source: "--region" };
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = env[name];
    if (value !== undefined && value !== "") return { region: value, source: name };
  }
  return { problem: "--region is required: neither AWS_REGION nor AWS_DEFAULT_REGION is set, and onboarding never guesses a region" };
}

/** What the tier demands that only a flag can give: option → the problem, in the user's terms. */
function tierDemands(values: Record<string, string | boolean | undefined>): Map<string, string> {
  const tier = values.tier;
  const demands = new Map<string, string>();
  if (tier === "production" && values.emails === undefined) {
    demands.set("emails", "--emails is required for a production stack: its alerts must reach someone (a webhook, a secret set after `pulumi stack init`, may replace them later)");
  }
  if ((tier === "staging" || tier === "production") && values["runbook-base-url"] === undefined) {
    demands.set(
      "runbook-base-url",
      `--runbook-base-url is required for a ${tier} stack: an absolute https:// URL of this repository's docs/runbooks, such as https://github.com/<org>/<repo>/blob/main/docs/runbooks`,
    );
  }
  if (tier === "production" && values["no-aws-backup"] === undefined) {
    demands.set(
      "no-aws-backup",
      '--no-aws-backup "<why>" is required for a production stack: onboarding does not choose a backup vault for you; say why the stack has none for now, then configure upkeep:backups.aws in its place (README, "Config reference")',
    );
  }
  return demands;
}

export function parseOnboardArgs(argv: readonly string[], root: string, cwd: string, env: Readonly<Record<string, string | undefined>> = process.env): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        env: { type: "string" },
        tier: { type: "string" },
        timezone: { type: "string" },
        window: { type: "string" },
        namespace: { type: "string" },
        region: { type: "string" },
        emails: { type: "string" },
        "runbook-base-url": { type: "string" },
        "no-aws-backup": { type: "string" },
        "stacks-dir": { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    return { ok: false, problems: [e instanceof Error ? e.message : String(e)] };
  }
  if (values.help === true) return { ok: "help" };
  const text = (name: string): string | undefined => (typeof values[name] === "string" ? (values[name] as string) : undefined);

  const problems: string[] = [];
  const missing = REQUIRED.filter((flag) => values[flag] === undefined);
  for (const flag of missing) problems.push(`--${flag} is required`);
  const window = text("window") === undefined ? undefined : parseWindow(text("window")!);
  if (text("window") !== undefined && window === undefined) {
    problems.push(`--window must be "<days> <HH:MM> <minutes>", such as "sat,sun 01:30 240" (got ${JSON.stringify(text("window"))})`);
  }
  const region = chooseRegion(text("region"), env);
  if ("problem" in region) problems.push(region.problem);
  const demands = tierDemands(values);
  problems.push(...demands.values());
  const unset = new Set([...missing, ...demands.keys()]);
  const stacksDir = resolve(cwd, text("stacks-dir") ?? join(root, "stacks"));
  if (!existsSync(stacksDir)) problems.push(`--stacks-dir ${JSON.stringify(text("stacks-dir"))} does not exist`);

  const envName = text("env");
  // Its own namespace per stack: two stacks on one cluster never share one by accident.
  const namespace = text("namespace") ?? (envName !== undefined ? namespaceFor(envName) : undefined);
  const emails = text("emails");
  const runbookBaseUrl = text("runbook-base-url");
  const noBackup = text("no-aws-backup");
  // Absent options drop out of the JSON; their "is required" from the schema is skipped below.
  const all: Record<string, string> = {
    ...("region" in region ? { "aws:region": region.region } : {}),
    "upkeep:environment": JSON.stringify({ name: envName, tier: text("tier"), timezone: text("timezone"), paused: false, window }),
    "upkeep:kubernetes": JSON.stringify({ namespace }),
    ...(emails !== undefined ? { "upkeep:notify": JSON.stringify({ emails: emails.split(",").map((e) => e.trim()) }) } : {}),
    ...(runbookBaseUrl !== undefined ? { "upkeep:alerting": JSON.stringify({ runbookBaseUrl }) } : {}),
    ...(noBackup !== undefined ? { "upkeep:backups": JSON.stringify({ aws: { none: noBackup } }) } : {}),
  };
  let config: UpkeepConfig | undefined;
  try {
    config = parsePulumiConfig(all, new Set(), envName);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) {
      const key = keyFor(p.path);
      if (!key) {
        problems.push(`${p.path}: ${p.reason}`);
        continue;
      }
      // Missing options, the tier's demands and a malformed --window were reported above, in the user's terms.
      if (unset.has(key.option) || (key.option === "window" && window === undefined)) continue;
      if (key.option === "namespace" && text("namespace") === undefined) {
        if (envName !== undefined && !missing.includes("env")) problems.push(`--namespace (${namespace}, from --env) ${p.reason}`);
        continue;
      }
      problems.push(`${key.option === "region" && "source" in region ? region.source : key.shown} ${p.reason}`);
    }
  }
  if (problems.length > 0 || config === undefined || !("region" in region)) return { ok: false, problems };
  const stacksDirShown = text("stacks-dir") ?? "stacks";
  return {
    ok: true,
    request: {
      config,
      regionSource: region.source,
      stacksDir,
      stacksDirShown,
      outDir: text("out") === undefined ? join(root, "plan", config.environment.name) : resolve(cwd, text("out")!),
      outDirShown: text("out") ?? join("plan", config.environment.name),
    },
  };
}
