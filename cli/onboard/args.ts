/**
 * The flags of `npm run onboard`, checked by the same schema the program uses:
 * onboarding cannot accept a value that `pulumi up` would later reject. Every
 * problem is reported at once, named by the flag the user typed rather than
 * the config key the flag fills.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, DEFAULT_NAMESPACE, type UpkeepConfig, parsePulumiConfig } from "../../components/config";

export const DEFAULT_REGION = "eu-central-1";

export const USAGE =
  'usage: npm run onboard -- --env <name> --tier <tier> --timezone <tz> --window "<days> <HH:MM> <minutes>" ' +
  "[--namespace <ns>] [--region <region>] [--stacks-dir <dir>] [--out <plan-dir>]";

export interface OnboardRequest {
  readonly config: UpkeepConfig;
  /** The directory the stack file goes to, and how to show it to the user. */
  readonly stacksDir: string;
  readonly stacksDirShown: string;
  /** Where the offline plan is written, absolute and as shown. */
  readonly outDir: string;
  readonly outDirShown: string;
}

export type ParsedArgs = { ok: true; request: OnboardRequest } | { ok: false; problems: string[] };

const REQUIRED = ["env", "tier", "timezone", "window"];

/**
 * Config key paths (as ConfigError prints them) → the option that set them and
 * how to name it in a message; the first prefix that matches wins.
 */
const FLAGS: ReadonlyArray<{ key: string; option: string; shown: string }> = [
  { key: "aws:region", option: "region", shown: "--region" },
  { key: "upkeep:environment.name", option: "env", shown: "--env" },
  { key: "upkeep:environment.tier", option: "tier", shown: "--tier" },
  { key: "upkeep:environment.timezone", option: "timezone", shown: "--timezone" },
  { key: "upkeep:environment.window.days", option: "window", shown: "--window days" },
  { key: "upkeep:environment.window.start", option: "window", shown: "--window start" },
  { key: "upkeep:environment.window.durationMinutes", option: "window", shown: "--window minutes" },
  { key: "upkeep:environment.window", option: "window", shown: "--window" },
  { key: "upkeep:kubernetes.namespace", option: "namespace", shown: "--namespace" },
];

function flagFor(path: string) {
  return FLAGS.find(({ key }) => path === key || path.startsWith(`${key}[`) || path.startsWith(`${key}.`));
}

/** `"sat,sun 01:30 240"` → the window object; the schema judges each part. */
function parseWindow(text: string): { days: string[]; start: string; durationMinutes: number | string } | undefined {
  const m = /^(\S+)\s+(\S+)\s+(\S+)$/.exec(text.trim());
  if (!m) return undefined;
  // A non-numeric duration stays a string so that the schema names it.
  return { days: m[1]!.split(","), start: m[2]!, durationMinutes: /^\d+$/.test(m[3]!) ? Number(m[3]) : m[3]! };
}

export function parseOnboardArgs(argv: readonly string[], root: string, cwd: string): ParsedArgs {
  let values: Record<string, string | undefined>;
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
        "stacks-dir": { type: "string" },
        out: { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    return { ok: false, problems: [e instanceof Error ? e.message : String(e)] };
  }

  const problems: string[] = [];
  const missing = REQUIRED.filter((flag) => values[flag] === undefined);
  for (const flag of missing) problems.push(`--${flag} is required`);
  const window = values.window === undefined ? undefined : parseWindow(values.window);
  if (values.window !== undefined && window === undefined) {
    problems.push(`--window must be "<days> <HH:MM> <minutes>", such as "sat,sun 01:30 240" (got ${JSON.stringify(values.window)})`);
  }
  const stacksDir = resolve(cwd, values["stacks-dir"] ?? join(root, "stacks"));
  if (!existsSync(stacksDir)) problems.push(`--stacks-dir ${JSON.stringify(values["stacks-dir"])} does not exist`);

  // Absent options drop out of the JSON; their "is required" from the schema is skipped below.
  const all: Record<string, string> = {
    "aws:region": values.region ?? DEFAULT_REGION,
    "upkeep:environment": JSON.stringify({ name: values.env, tier: values.tier, timezone: values.timezone, paused: false, window }),
    "upkeep:kubernetes": JSON.stringify({ namespace: values.namespace ?? DEFAULT_NAMESPACE }),
  };
  let config: UpkeepConfig | undefined;
  try {
    config = parsePulumiConfig(all, new Set());
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) {
      const flag = flagFor(p.path);
      if (!flag) problems.push(`${p.path}: ${p.reason}`);
      // Missing options and a malformed --window were reported above, in the user's terms.
      else if (!missing.includes(flag.option) && !(flag.option === "window" && window === undefined)) problems.push(`${flag.shown} ${p.reason}`);
    }
  }
  if (problems.length > 0 || config === undefined) return { ok: false, problems };
  const stacksDirShown = values["stacks-dir"] ?? "stacks";
  return {
    ok: true,
    request: {
      config,
      stacksDir,
      stacksDirShown,
      outDir: values.out === undefined ? join(root, "plan", config.environment.name) : resolve(cwd, values.out),
      outDirShown: values.out ?? join("plan", config.environment.name),
    },
  };
}
