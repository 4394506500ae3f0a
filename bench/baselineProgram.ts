/**
 * The plan benchmark's baselines: bare Pulumi programs that register, with no
 * components, exactly the custom and provider resources an upkeep run
 * registered (type, name, inputs), read from BENCH_BASELINE_RESOURCES. Each
 * resource gets the provider of its package, as upkeep's do.
 *
 * BENCH_BASELINE_CLASSES selects how:
 * - `raw` (the issue's baseline): every resource as a raw CustomResource;
 * - `typed`: Kubernetes and AWS resources through the provider SDKs' own
 *   classes (k8s.batch.v1.CronJob, aws.sns.Topic, …), which add options and
 *   aliases of their own; what is left between upkeep and this baseline is
 *   upkeep's own cost.
 */
import { readFileSync } from "node:fs";
import type * as Aws from "@pulumi/aws";
import type * as K8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

type ResourceClass = new (name: string, args: pulumi.Inputs, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const file = process.env.BENCH_BASELINE_RESOURCES;
if (!file) throw new Error("BENCH_BASELINE_RESOURCES is not set");
const classes = process.env.BENCH_BASELINE_CLASSES ?? "raw";
if (classes !== "raw" && classes !== "typed") throw new Error(`BENCH_BASELINE_CLASSES must be raw or typed, got ${classes}`);
const resources = JSON.parse(readFileSync(file, "utf8")) as Recorded[];
// The raw baseline must not pay for loading the provider SDKs.
const sdk = classes === "typed" ? { k8s: require("@pulumi/kubernetes") as typeof K8s, aws: require("@pulumi/aws") as typeof Aws } : undefined;

/** The SDK's classes are abstract in its typings only; these add nothing. */
class RawProvider extends pulumi.ProviderResource {
  constructor(pkg: string, name: string, props: pulumi.Inputs) {
    super(pkg, name, props);
  }
}
class RawResource extends pulumi.CustomResource {
  constructor(type: string, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

/** The SDK class of a type token (`kubernetes:batch/v1:CronJob` → k8s.batch.v1.CronJob), if the SDK has one. */
function typedClass(type: string): ResourceClass | undefined {
  const [pkg, module, kind] = type.split(":");
  if (!module || !kind) return undefined;
  const pick = (root: unknown, path: string[]) =>
    path.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), root);
  let found: unknown;
  if (!sdk) return undefined;
  if (pkg === "kubernetes") {
    const [group, version] = module.split("/");
    found = pick(sdk.k8s, [group === "core" ? "core" : group!.split(".")[0]!, version!, kind]);
  } else if (pkg === "aws") {
    found = pick(sdk.aws, [module.split("/")[0]!, kind]);
  }
  return typeof found === "function" ? (found as ResourceClass) : undefined;
}

const providers = new Map<string, pulumi.ProviderResource>();
for (const r of resources) {
  if (!r.type.startsWith("pulumi:providers:")) continue;
  const pkg = r.type.slice("pulumi:providers:".length);
  providers.set(pkg, new RawProvider(pkg, r.name, r.inputs as pulumi.Inputs));
}
for (const r of resources) {
  if (r.type.startsWith("pulumi:providers:")) continue;
  const provider = providers.get(r.type.split(":")[0]!);
  const opts = provider ? { provider } : {};
  const Typed = typedClass(r.type);
  if (Typed) new Typed(r.name, r.inputs as pulumi.Inputs, opts);
  else new RawResource(r.type, r.name, r.inputs as pulumi.Inputs, opts);
}

export const count = resources.length;
