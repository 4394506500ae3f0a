// Runs the real promtool over a generated PrometheusRule: `check rules` on its
// rule groups written as a plain Prometheus rule file, and `test rules` on a
// unit-test file that points at it. Every call works in its own temp dir,
// which is always removed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { PrometheusRuleObject } from "../../components/alerting/taskAlerts";

export const PROMTOOL = process.env.UPKEEP_PROMTOOL ?? "promtool";

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The rule groups, either a PrometheusRule (its `spec.groups`) or a rule file's content. */
export type RuleSource = Pick<PrometheusRuleObject, "spec"> | { readonly groups: PrometheusRuleObject["spec"]["groups"] };

/** The name of the rule file inside the temp dir; a unit-test file lists it under `rule_files`. */
export const RULE_FILE = "rules.yml";

function groupsOf(source: RuleSource): PrometheusRuleObject["spec"]["groups"] {
  return "spec" in source ? source.spec.groups : source.groups;
}

/** YAML without anchors/aliases (the builder shares one labels object between a task's rules) and without folded lines. */
export function toYaml(value: unknown): string {
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** The Prometheus rule file for the groups of a PrometheusRule: `{ groups: spec.groups }`. */
export function ruleFileYaml(source: RuleSource): string {
  return toYaml({ groups: groupsOf(source) });
}

/** Runs a command; a non-zero exit is a result, not an exception. Failing to start it at all throws. */
export function run(command: string, args: readonly string[], cwd: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        reject(new Error(`${command} ${args.join(" ")} did not run: ${error.message}`));
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** Gives `fn` a fresh temp dir and removes it afterwards, whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "upkeep-promtool-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `promtool check rules` on the rule groups. */
export function checkRules(source: RuleSource): Promise<ToolResult> {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, RULE_FILE), ruleFileYaml(source));
    return run(PROMTOOL, ["check", "rules", RULE_FILE], dir);
  });
}

/**
 * `promtool test rules` with a unit-test document (everything but `rule_files`,
 * which is set to the written rule file).
 */
export function testRules(source: RuleSource, unitTest: Record<string, unknown>): Promise<ToolResult> {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, RULE_FILE), ruleFileYaml(source));
    await writeFile(join(dir, "test.yml"), toYaml({ rule_files: [RULE_FILE], ...unitTest }));
    return run(PROMTOOL, ["test", "rules", "test.yml"], dir);
  });
}

/** A result rendered for an assertion message. */
export function describeResult(result: ToolResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

// ---------------------------------------------------------------- alert unit tests

/** A series selector: `metric{k="v",...}`. */
export function selector(metric: string, labels: Record<string, string>): string {
  return `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
}

/** One input series of a promtool unit test. */
export interface Series {
  readonly series: string;
  readonly values: string;
}

export interface ExpAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}

/** A scenario for one alert: its series, and minutes → the alerts expected to be firing then ([] means silent). */
export interface AlertCase {
  readonly name: string;
  readonly series: readonly Series[];
  readonly checks: readonly (readonly [minutes: number, alerts: readonly ExpAlert[]])[];
}

/** The unit-test file for one alert's cases, evaluated every minute. */
export function alertUnitTest(alertname: string, cases: readonly AlertCase[]) {
  return {
    evaluation_interval: "1m",
    tests: cases.map((c) => ({
      name: c.name,
      interval: "1m",
      input_series: c.series,
      alert_rule_test: c.checks.map(([minutes, alerts]) => ({ eval_time: `${minutes}m`, alertname, exp_alerts: alerts })),
    })),
  };
}

/** `promtool test rules` passes every case of the alert against the rules. */
export async function assertPromtoolPasses(source: RuleSource, alertname: string, cases: readonly AlertCase[]): Promise<void> {
  const result = await testRules(source, alertUnitTest(alertname, cases));
  assert.equal(result.code, 0, `promtool test rules failed for ${alertname}:\n${describeResult(result)}`);
  assert.match(result.stdout, /SUCCESS/, describeResult(result));
}
