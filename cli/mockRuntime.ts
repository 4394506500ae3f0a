/**
 * Runs the real program under Pulumi's runtime mocks and records what it
 * registers: each resource's type, name, parent, inputs (secrets redacted) and
 * the resource options that matter for safety. Mocks never see options, so a
 * stack transformation, which runs inside the SDK, records them.
 */
import * as pulumi from "@pulumi/pulumi";
import { SECRET_PLACEHOLDER, type StackConfig } from "./stackFile";

export const PROJECT = "upkeep";

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  readonly inputs: Record<string, unknown>;
  readonly options: Record<string, unknown>;
}

export interface ProgramRun {
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
}

/** The marker Pulumi's wire format puts on secret values. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";

function redactLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, redactLeaves((value as Record<string, unknown>)[k])]));
  }
  return SECRET_PLACEHOLDER;
}

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    // A secret keeps its shape, so a Secret's stringData is still a map; only the values go.
    if (record[SPECIAL_SIG_KEY] === SECRET_SIG) return redactLeaves(record.value);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) out[key] = redactSecrets(record[key]);
    return out;
  }
  return value;
}

const SAFETY_OPTIONS = ["protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "aliases"] as const;

function recordOptions(opts: pulumi.ResourceOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SAFETY_OPTIONS) {
    const value = (opts as Record<string, unknown>)[key];
    if (value === undefined) continue;
    out[key] = key === "aliases" ? (value as unknown[]).map((a) => (typeof a === "string" ? a : redactSecrets(a))) : value;
  }
  return out;
}

interface Registration {
  readonly type: string;
  readonly name: string;
  readonly parent?: pulumi.Resource;
  readonly options: Record<string, unknown>;
}

/**
 * URNs as the engine forms them: the types of every ancestor below the stack,
 * joined by `$`. (The mock monitor's own URNs keep only the parent's type.)
 */
function urnOf(reg: Registration, registrations: Map<pulumi.Resource, Registration>, stack: string): string {
  const types: string[] = [reg.type];
  for (let p = reg.parent && registrations.get(reg.parent); p; p = p.parent && registrations.get(p.parent)) types.unshift(p.type);
  return `urn:pulumi:${stack}::${PROJECT}::${types.join("$")}::${reg.name}`;
}

type WaitForRpcs = () => Promise<void>;

/** The placeholder account in the ARNs the offline plan invents for AWS resources. */
export const MOCK_ACCOUNT = "123456789012";

/**
 * AWS resources hand their ARN to others (a topic policy names its topic), so
 * the mocks invent one the way AWS would spell it, in a placeholder account.
 */
function mockAwsAttributes(args: pulumi.runtime.MockResourceArgs, region: string): Record<string, unknown> {
  const match = /^aws:([a-z0-9]+)\//.exec(args.type);
  if (!match) return {};
  const name = typeof args.inputs.name === "string" ? args.inputs.name : args.name;
  const service = match[1]!;
  const arn = service === "iam" ? `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}` : `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${name}`;
  return { arn, name, ...providerComputed(args) };
}

/** What AWS computes that other resources read: ACM's DNS validation records, a record's FQDN, a key's id. */
function providerComputed(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  if (args.type === "aws:acm/certificate:Certificate") {
    const names: string[] = [String(args.inputs.domainName), ...((args.inputs.subjectAlternativeNames as string[] | undefined) ?? [])];
    return {
      domainValidationOptions: names.map((domain) => ({
        domainName: domain,
        resourceRecordName: `_validation.${domain.replace(/^\*\./, "")}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: `_validation.acm-validations.aws.`,
      })),
    };
  }
  if (args.type === "aws:route53/record:Record") return { fqdn: String(args.inputs.name).replace(/\.$/, "") };
  if (args.type === "aws:kms/key:Key") return { keyId: `${args.name}-key-id` };
  return {};
}

export async function runProgram(programPath: string, stack: string, config: StackConfig): Promise<ProgramRun> {
  const region = config.all["aws:region"] ?? "us-east-1";
  const inputs = new Map<string, Record<string, unknown>>();
  const duplicates: string[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const key = `${args.type}::${args.name}`;
        if (inputs.has(key)) duplicates.push(key);
        inputs.set(key, redactSecrets(args.inputs) as Record<string, unknown>);
        return { id: `${args.name}-id`, state: { ...args.inputs, ...mockAwsAttributes(args, region) } };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        throw new Error(`Mock not implemented: ${args.token}`);
      },
    },
    PROJECT,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig({ ...config.all }, [...config.secretKeys]);

  const registrations = new Map<pulumi.Resource, Registration>();
  const outputs = await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      registrations.set(args.resource, { type: args.type, name: args.name, parent: args.opts.parent, options: recordOptions(args.opts) });
      return undefined;
    });
    // As Pulumi loads a CommonJS program (cmd/run/run.js): require, not import.
    const program: Record<string, unknown> = require(programPath);
    return { ...program };
  });
  const settings: { waitForRPCs?: WaitForRpcs } = require("@pulumi/pulumi/runtime/settings");
  if (typeof settings.waitForRPCs !== "function") throw new Error("@pulumi/pulumi no longer exposes waitForRPCs; the plan cannot wait for registrations");
  await settings.waitForRPCs();
  if (duplicates.length > 0) throw new Error(`the program registered the same type and name twice: ${duplicates.join(", ")}`);

  const stackUrn = `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
  const resources: RecordedResource[] = [];
  for (const reg of registrations.values()) {
    const parentReg = reg.parent && registrations.get(reg.parent);
    resources.push({
      urn: urnOf(reg, registrations, stack),
      type: reg.type,
      name: reg.name,
      parent: parentReg ? urnOf(parentReg, registrations, stack) : stackUrn,
      inputs: inputs.get(`${reg.type}::${reg.name}`) ?? {},
      options: reg.options,
    });
  }
  resources.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { resources, outputs: await resolveOutputs(outputs ?? {}) };
}

/** Stack outputs as plain values; a secret output becomes the placeholder. */
async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
    const secret = await pulumi.isSecret(output);
    const plain = await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
    out[key] = secret ? SECRET_PLACEHOLDER : redactSecrets(plain);
  }
  return out;
}
