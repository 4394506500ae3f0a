/**
 * Every command a user types: `--help` prints its usage and exits 0, and a
 * stack file that is not YAML exits 2 naming the file, line and column, as
 * every other config error does. Each runs in a child process, as npm runs it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseStackYaml, StackFileError } from "../cli/stackFile";
import { renderStacksByTier, stacksByTier } from "../cli/stacks";
import { ROOT } from "./support/configs";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const SCRIPTS: Record<string, string> = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
const COMMANDS = ["plan", "plan:diff", "onboard", "runbooks", "bench", "stacks"];

test("every command is an npm script run with tsx", () => {
  for (const command of COMMANDS) assert.match(SCRIPTS[command] ?? "", /^tsx \S+\.ts$/, command);
});

for (const command of COMMANDS) {
  test(`npm run ${command} -- --help: the usage on stdout, exit 0, nothing else done`, async () => {
    const script = SCRIPTS[command]!.slice("tsx ".length);
    for (const flag of ["--help", "-h"]) {
      const out = await run(script, [flag]);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stderr, "");
      assert.ok(out.stdout.startsWith(`usage: npm run ${command}`), out.stdout);
      assert.match(out.stdout, /\[--help\]/);
    }
  });
}

const BROKEN = `config:
  aws:region: eu-central-1
  upkeep:environment:
    name: dev
   tier: development
`;

test("a YAML syntax error: exit 2, the file, line and column, nothing written", async () => {
  const dir = mkdtempSync(join(tmpdir(), "upkeep-yaml-"));
  try {
    writeFileSync(join(dir, "Pulumi.dev.yaml"), BROKEN);
    const out = join(dir, "plan");
    const plan = await run("cli/plan.ts", ["--stack", "dev", "--stack-file", join(dir, "Pulumi.dev.yaml"), "--out", out]);
    assert.equal(plan.code, 2);
    assert.equal(plan.stdout, "");
    assert.equal(plan.stderr, `upkeep plan: ${join(dir, "Pulumi.dev.yaml")}:5:1: YAML syntax error: All mapping items must start at the same column\n`);
    assert.equal(existsSync(out), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every YAML problem is a line with its position; a stack file that is not a mapping is named", () => {
  const problems = (text: string) => {
    try {
      parseStackYaml(text, "stacks/Pulumi.x.yaml");
    } catch (e) {
      assert.ok(e instanceof StackFileError, String(e));
      return e.problems;
    }
    assert.fail("expected a StackFileError");
  };
  assert.deepEqual(problems("config:\n  a: [1, 2\n"), [
    "stacks/Pulumi.x.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ]);
  assert.deepEqual(problems("config:\n  upkeep:jobs: 1\n  upkeep:jobs: 2\n"), ["stacks/Pulumi.x.yaml:3:3: YAML syntax error: Map keys must be unique"]);
  assert.deepEqual(problems("\tconfig: 1\n"), ["stacks/Pulumi.x.yaml:1:1: YAML syntax error: Tabs are not allowed as indentation"]);
  assert.deepEqual(problems("- config\n"), ["stacks/Pulumi.x.yaml: must be a YAML mapping with a config: key"]);
});

test("runbooks and stacks: a broken stack file exits 2 naming it", async () => {
  // Both read every file in stacks/; a copy of the repository's stacks holds the broken one.
  const dir = mkdtempSync(join(tmpdir(), "upkeep-stacks-"));
  try {
    cpSync(join(ROOT, "stacks"), join(dir, "stacks"), { recursive: true });
    writeFileSync(join(dir, "stacks", "Pulumi.qa.yaml"), BROKEN.replace("name: dev", "name: qa"));
    const stacks = await run("cli/stacks.ts", ["--stacks-dir", join(dir, "stacks")]);
    assert.equal(stacks.code, 2);
    assert.equal(stacks.stdout, "");
    assert.match(stacks.stderr, /^upkeep stacks: .*Pulumi\.qa\.yaml:5:1: YAML syntax error: All mapping items must start at the same column\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stacks: every committed stack by tier, as GitHub Actions reads step outputs", () => {
  assert.equal(renderStacksByTier(stacksByTier(join(ROOT, "stacks"))), 'development=["dev"]\nstaging=["onprem","staging"]\nproduction=["prod"]\nall=["dev","onprem","staging","prod"]\nkubernetesOnly=["onprem"]\n');
});

test("a plain-text password beside a secure one is refused from the stack file, which alone can tell them apart", () => {
  const yaml = `config:
  upkeep:databases:
    - name: orders
      credentials: { user: maint, password: { secure: v1:b3JkZXJz } }
    - name: billing
      credentials: { user: maint, password: hunter2 }
`;
  assert.throws(
    () => parseStackYaml(yaml, "stacks/Pulumi.x.yaml"),
    (e: unknown) => {
      assert.ok(e instanceof StackFileError);
      assert.deepEqual(e.problems, [
        "upkeep:databases[1].credentials.password: must be a secret, as the rest of upkeep:databases is; set it with: pulumi config set --secret --path 'upkeep:databases[1].credentials.password' …",
      ]);
      assert.ok(!e.message.includes("hunter2"));
      return true;
    },
  );
  // Both secure: the program gets the key as a secret, each password redacted.
  const ok = parseStackYaml(yaml.replace("password: hunter2", "password: { secure: v1:YmlsbGluZw== }"), "stacks/Pulumi.x.yaml");
  assert.deepEqual(ok.secretKeys, ["upkeep:databases"]);
  assert.deepEqual(JSON.parse(ok.all["upkeep:databases"]!).map((d: { credentials: { password: string } }) => d.credentials.password), ["[secret]", "[secret]"]);
});
