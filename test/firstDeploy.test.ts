/**
 * The first deploy is one list, in an order that works: the README shows it
 * for any stack and `npm run onboard` prints it for the stack it wrote, both
 * from cli/firstDeploy.ts. These tests keep the README equal to it and check
 * what the order depends on.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { firstDeploySteps, renderFirstDeployMarkdown, renderFirstDeployText } from "../cli/firstDeploy";
import { renderNextSteps } from "../cli/onboard/nextSteps";
import { ROOT } from "./support/configs";

const README_TARGET = { stack: "<stack>", namespace: "upkeep-<stack>", stackFile: "stacks/Pulumi.<stack>.yaml" };
const README = readFileSync(join(ROOT, "README.md"), "utf8");

test("the README's checklist is exactly the generated one", () => {
  const m = /<!-- first-deploy: [^\n]*-->\n([\s\S]*?)\n<!-- \/first-deploy -->/.exec(README);
  assert.ok(m, "the README marks its first-deploy checklist");
  assert.equal(m[1], renderFirstDeployMarkdown(README_TARGET), "the README between the first-deploy markers must be the expected text here, from cli/firstDeploy.ts");
});

test("onboard prints the same steps, in the same order, for its stack", () => {
  const qa = { stack: "qa", namespace: "upkeep-qa", stackFile: "stacks/Pulumi.qa.yaml", tier: "staging" as const };
  assert.deepEqual(firstDeploySteps(qa).map((s) => s.title), firstDeploySteps(README_TARGET).map((s) => s.title));
  const printed = renderNextSteps("qa", "staging", "upkeep-qa", "stacks/Pulumi.qa.yaml");
  assert.ok(printed.endsWith(`${renderFirstDeployText(qa)}\n`));
  for (const step of firstDeploySteps(qa)) {
    assert.ok(printed.includes(`${step.title}. ${step.text}`), step.title);
    for (const command of step.commands) assert.ok(printed.includes(`        ${command}\n`), command);
  }
});

test("the order works on an empty cluster: state and passphrase, stack, secrets, up, and only then a hand-made Secret", () => {
  const titles = firstDeploySteps(README_TARGET).map((s) => s.title);
  const at = (title: string) => {
    const i = titles.indexOf(title);
    assert.ok(i >= 0, title);
    return i;
  };
  assert.ok(at("State backend") < at("Stack") && at("Stack") < at("Secrets") && at("Secrets") < at("Deploy"));
  // upkeep creates the namespace; a Secret made before `pulumi up` would need it made by hand, and the up would stop on AlreadyExists.
  assert.ok(at("Deploy") < at("Database Secrets made by hand"));
  const steps = firstDeploySteps(README_TARGET);
  assert.deepEqual(steps[at("State backend")]!.commands, ["pulumi login --local", "export PULUMI_CONFIG_PASSPHRASE='…'"]);
  assert.deepEqual(steps[at("Database Secrets made by hand")]!.commands, [
    "kubectl -n upkeep-<stack> create secret generic <credentialsSecret> --from-literal=PGUSER=maint --from-literal=PGPASSWORD='…'",
  ]);
});

test("every command the checklist gives exists: npm scripts, config keys set by path", () => {
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
  const commands = firstDeploySteps(README_TARGET).flatMap((s) => s.commands);
  for (const c of commands.filter((x) => x.startsWith("npm run "))) assert.ok(c.split(" ")[2]! in scripts, c);
  const paths = commands.flatMap((c) => [...c.matchAll(/--path '(upkeep:[^']+)'/g)].map((m) => m[1]!));
  assert.deepEqual(paths, ["upkeep:notify.webhookUrl", "upkeep:databases[0].credentials.password"]);
});
