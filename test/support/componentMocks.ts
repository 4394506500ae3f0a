/**
 * Pulumi's runtime mocks for the component tests: every registration is
 * recorded as {type, name, inputs}; its state is its inputs plus whatever
 * attributes the test adds (an ARN, what the provider computes); every
 * provider function call fails. The mocks are process-global: install them
 * once per test file, and import the component modules only after that.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

// Not imported from cli/mockRuntime: that would load a component module (config) before the mocks.
const PROJECT = "upkeep";

/** One registration as the mocks saw it. */
export interface Recorded<Inputs extends Record<string, unknown> = Record<string, unknown>> {
  readonly type: string;
  readonly name: string;
  readonly inputs: Inputs;
}

export interface ComponentMockOptions<Inputs extends Record<string, unknown> = Record<string, unknown>> {
  /** Attributes laid over a resource's inputs in its state, as a provider would add them. */
  readonly attributes?: (resource: Recorded<Inputs>) => Record<string, unknown>;
}

export interface ComponentMocks<Inputs extends Record<string, unknown> = Record<string, unknown>> {
  /** Every registration, in the order the mocks saw them. */
  readonly recorded: readonly Recorded<Inputs>[];
  /** The registrations of one type, sorted by name. */
  byType(type: string): Recorded<Inputs>[];
  /** The registration of this type and name; fails the test when there is none. */
  named(type: string, name: string): Recorded<Inputs>;
  /** Resolves once every registration made so far has reached the mocks. */
  settle(): Promise<void>;
}

/**
 * Installs the mocks for project "upkeep" and `stack` (not a preview) and
 * returns the recorder. The resource id is `<name>-id`.
 */
export async function installComponentMocks<Inputs extends Record<string, unknown> = Record<string, unknown>>(
  stack: string,
  options: ComponentMockOptions<Inputs> = {},
): Promise<ComponentMocks<Inputs>> {
  const recorded: Recorded<Inputs>[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const resource: Recorded<Inputs> = { type: args.type, name: args.name, inputs: args.inputs };
        recorded.push(resource);
        return { id: `${args.name}-id`, state: { ...args.inputs, ...options.attributes?.(resource) } };
      },
      call(args) {
        throw new Error(`Mock not implemented: ${args.token}`);
      },
    },
    PROJECT,
    stack,
    false,
  );
  return {
    recorded,
    byType: (type) => recorded.filter((r) => r.type === type).sort((a, b) => a.name.localeCompare(b.name)),
    named: (type, name) => {
      const hit = recorded.find((r) => r.type === type && r.name === name);
      assert.ok(hit, `${type} ${name} was not registered`);
      return hit;
    },
    settle: () => {
      // waitForRPCs is not in the SDK's typings.
      const settings: { waitForRPCs: () => Promise<void> } = require("@pulumi/pulumi/runtime/settings");
      return settings.waitForRPCs();
    },
  };
}

/** The value of an output, once the mocks resolved it. */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}
