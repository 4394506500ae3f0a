/**
 * `npm run stacks`: every stack in stacks/, validated, grouped by tier, one
 * line per tier as GitHub Actions reads step outputs:
 *
 *   development=["dev"]
 *   staging=["staging"]
 *   production=["prod"]
 *   all=["dev","staging","prod"]
 *   kubernetesOnly=["onprem"]
 *
 * deploy.yml turns each line into a matrix, so a new stack file deploys with
 * no workflow edit, and a production stack always waits for the protected
 * `production` environment: the tier in its stack file decides, not a list.
 * A Kubernetes-only stack (`upkeep:aws.enabled: false`) deploys without AWS
 * credentials: deploy.yml skips that step for the stacks `kubernetesOnly` names.
 * Exit codes: 0 listed; 2 a stack file that does not validate, or bad arguments.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, TIERS, type Tier } from "../components/config";
import { committedStacks, StackFileError } from "./stackFile";

const ROOT = resolve(__dirname, "..");
const USAGE = "usage: npm run stacks [-- --stacks-dir <dir>] [--help]";

export interface StackList extends Record<Tier, string[]> {
  /** The stacks with `upkeep:aws.enabled: false`, which need no AWS credentials. */
  readonly kubernetesOnly: string[];
}

/** Stack names by tier, each list sorted; every stack file is validated as `pulumi up` would. */
export function stacksByTier(stacksDir: string, shownDir = "stacks"): StackList {
  const out: StackList = { ...(Object.fromEntries(TIERS.map((t) => [t, [] as string[]])) as Record<Tier, string[]>), kubernetesOnly: [] };
  for (const { stack, config } of committedStacks(stacksDir, shownDir)) {
    out[config.environment.tier].push(stack);
    if (!config.aws.enabled) out.kubernetesOnly.push(stack);
  }
  return out;
}

/** One line per tier, then `all` (every stack, development first, as the deploy order runs them), then `kubernetesOnly`. */
export function renderStacksByTier(byTier: StackList): string {
  const all = TIERS.flatMap((tier) => byTier[tier]);
  return [
    ...TIERS.map((tier) => `${tier}=${JSON.stringify(byTier[tier])}\n`),
    `all=${JSON.stringify(all)}\n`,
    `kubernetesOnly=${JSON.stringify(byTier.kubernetesOnly)}\n`,
  ].join("");
}

function main(): void {
  let values: { "stacks-dir"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { "stacks-dir": { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (e) {
    process.stderr.write(`upkeep stacks: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n\nLists every stack in stacks/ by tier, as GitHub Actions outputs (tier=["stack", …]), for deploy.yml's matrices.\n`);
    return;
  }
  try {
    const dir = values["stacks-dir"] ?? "stacks";
    process.stdout.write(renderStacksByTier(stacksByTier(resolve(ROOT, dir), dir)));
  } catch (e) {
    if (!(e instanceof StackFileError || e instanceof ConfigError)) throw e;
    process.stderr.write(`upkeep stacks: ${e.message.split("\n").join("\nupkeep stacks: ")}\n`);
    process.exit(2);
  }
}

if (require.main === module) main();
