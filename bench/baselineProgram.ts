/**
 * The plan benchmark's baseline: a bare Pulumi program that registers, as raw
 * resources with no components, exactly the custom and provider resources an
 * upkeep run registered (type, name, inputs), read from BENCH_BASELINE_RESOURCES.
 * Each resource gets the provider of its package, as upkeep's do.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

const file = process.env.BENCH_BASELINE_RESOURCES;
if (!file) throw new Error("BENCH_BASELINE_RESOURCES is not set");
const resources = JSON.parse(readFileSync(file, "utf8")) as Recorded[];

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

const providers = new Map<string, pulumi.ProviderResource>();
for (const r of resources) {
  if (!r.type.startsWith("pulumi:providers:")) continue;
  const pkg = r.type.slice("pulumi:providers:".length);
  providers.set(pkg, new RawProvider(pkg, r.name, r.inputs as pulumi.Inputs));
}
for (const r of resources) {
  if (r.type.startsWith("pulumi:providers:")) continue;
  const provider = providers.get(r.type.split(":")[0]!);
  new RawResource(r.type, r.name, r.inputs as pulumi.Inputs, provider ? { provider } : {});
}

export const count = resources.length;
