/**
 * The GitHub workflows, checked as data: what triggers them, what their tokens
 * may do, that the fork-safe job cannot reach a secret, that every npm script
 * they run exists, and that production deploys last, behind its environment.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isMap, parseDocument, type Node } from "yaml";
import { stacksByTier } from "../cli/stacks";
import { ROOT } from "./support/configs";

type Obj = Record<string, any>;

interface Workflow {
  readonly name: string;
  readonly data: Obj;
  /** The source text of one job, comments included. */
  jobText(job: string): string;
}

function load(name: string): Workflow {
  const text = readFileSync(join(ROOT, ".github", "workflows", name), "utf8");
  const doc = parseDocument(text);
  assert.deepEqual(doc.errors, [], `${name} parses`);
  return {
    name,
    data: doc.toJS() as Obj,
    jobText(job) {
      const jobs = doc.get("jobs", true);
      assert.ok(isMap(jobs), `${name} has jobs`);
      const node = jobs.get(job, true) as Node | undefined;
      assert.ok(node?.range, `${name} has the job ${job}`);
      return text.slice(node.range[0], node.range[2]);
    },
  };
}

const preview = load("preview.yml");
const deploy = load("deploy.yml");
const WORKFLOWS = [preview, deploy];
const SCRIPTS: Obj = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;
const STACKS = readdirSync(join(ROOT, "stacks"))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

const jobsOf = (w: Workflow): [string, Obj][] => Object.entries(w.data.jobs as Obj);
const stepsOf = (job: Obj): Obj[] => job.steps ?? [];
const uses = (job: Obj, action: string) => stepsOf(job).filter((s) => typeof s.uses === "string" && s.uses.split("@")[0] === action);
/** A job posts to the pull request when it runs the sticky comment or Pulumi's comment-on-pr. */
const comments = (job: Obj) =>
  uses(job, "marocchino/sticky-pull-request-comment").length > 0 || uses(job, "pulumi/actions").some((s) => s.with?.["comment-on-pr"] === true);
const usesOidc = (job: Obj) => uses(job, "aws-actions/configure-aws-credentials").length > 0;

test("triggers: preview on pull requests (also on label changes), deploy on pushes to main; never pull_request_target", () => {
  assert.deepEqual(preview.data.on, { pull_request: { types: ["opened", "synchronize", "reopened", "labeled", "unlabeled"] } });
  assert.deepEqual(deploy.data.on, { push: { branches: ["main"] } });
});

test("the workflow token reads contents only, unless a job asks for exactly what it needs", () => {
  for (const w of WORKFLOWS) {
    assert.deepEqual(w.data.permissions, { contents: "read" }, `${w.name}: top-level permissions`);
    for (const [name, job] of jobsOf(w)) {
      const perms: unknown = job.permissions ?? {};
      assert.equal(typeof perms, "object", `${w.name} ${name}: permissions are listed, never read-all or write-all`);
      for (const [scope, level] of Object.entries(perms as Obj)) {
        if (level !== "write") continue;
        if (scope === "pull-requests") assert.ok(comments(job), `${w.name} ${name}: pull-requests: write, but it posts no comment`);
        else if (scope === "id-token") assert.ok(usesOidc(job), `${w.name} ${name}: id-token: write, but it assumes no AWS role`);
        else assert.fail(`${w.name} ${name}: ${scope}: write is broader than any job needs`);
      }
      if (comments(job)) assert.equal((perms as Obj)["pull-requests"], "write", `${w.name} ${name} posts a comment`);
      if (usesOidc(job)) assert.equal((perms as Obj)["id-token"], "write", `${w.name} ${name} assumes an AWS role with OIDC`);
    }
  }
  assert.deepEqual(
    jobsOf(preview).filter(([, job]) => job.permissions?.["pull-requests"] === "write").map(([name]) => name),
    ["comment", "pulumi-preview"],
  );
});

test("every `npm run <script>` in a workflow exists in package.json", () => {
  const used = new Set<string>();
  for (const w of WORKFLOWS) {
    for (const [, job] of jobsOf(w)) {
      for (const step of stepsOf(job)) {
        if (typeof step.run !== "string") continue;
        // npm's own flags (such as --silent) may come between `run` and the script.
        for (const m of step.run.matchAll(/\bnpm run((?:\s+--?[a-z-]+)*)\s+([^\s-][^\s]*)/g)) used.add(m[2]!);
      }
    }
  }
  assert.ok(used.has("plan") && used.has("plan:diff"), `found: ${[...used].join(", ")}`);
  assert.deepEqual([...used].filter((s) => !(s in SCRIPTS)), [], "scripts the workflows run but package.json lacks");
});

test("plan-diff is fork-safe: no secret, no Pulumi, and the comment job runs none of the pull request's code", () => {
  const planDiff = preview.data.jobs["plan-diff"];
  assert.equal(planDiff.if, undefined, "it runs for every pull request, forks included");
  assert.doesNotMatch(preview.jobText("plan-diff"), /secrets\./);
  assert.deepEqual(uses(planDiff, "pulumi/actions"), []);
  assert.equal(planDiff.permissions, undefined, "it inherits contents: read");

  const run = stepsOf(planDiff).map((s) => s.run ?? "").join("\n");
  assert.match(run, /git worktree add \.\.\/base /);
  assert.match(run, /npm run plan -- --stack "\$stack" --now "\$PLAN_NOW" --out "plans\/head\/\$stack"/);
  assert.match(run, /npm run plan -- --stack "\$stack" --now "\$PLAN_NOW" --out "\$GITHUB_WORKSPACE\/plans\/base\/\$stack"/);
  assert.match(run, /npm run --silent plan:diff -- "plans\/base\/\$stack" "plans\/head\/\$stack" --fail-on danger/);
  const gate = stepsOf(planDiff).find((s) => s.name === "Fail on danger unless approved");
  assert.equal(gate?.if, "steps.diff.outputs.danger == 'true' && !contains(github.event.pull_request.labels.*.name, 'maintenance-danger-approved')");

  const comment = preview.data.jobs.comment;
  assert.deepEqual(comment.needs, "plan-diff");
  assert.doesNotMatch(preview.jobText("comment"), /secrets\.|\brun:/);
  assert.deepEqual(comment.permissions, { "pull-requests": "write" });
  const [sticky] = uses(comment, "marocchino/sticky-pull-request-comment");
  assert.deepEqual(sticky?.with, { header: "upkeep-plan", path: "comment.md" });
});

test("plan-diff uploads the week before and after as an artifact and links it from the comment, before the comment is handed over", () => {
  const steps = stepsOf(preview.data.jobs["plan-diff"]);
  const diff = steps.findIndex((s) => s.id === "diff");
  assert.match(steps[diff]!.run, /npm run --silent plan:diff -- "plans\/base\/\$stack" "plans\/head\/\$stack" --out "diffs\/\$stack\/diff\.md"/);
  assert.match(steps[diff]!.run, /calendar-after\.svg[^\n]*calendars=true/);
  const upload = steps.findIndex((s) => s.id === "calendars");
  assert.ok(upload > diff, "the calendars are uploaded after the diff writes them");
  assert.deepEqual(steps[upload], {
    name: "Upload the calendars",
    id: "calendars",
    if: "steps.diff.outputs.calendars == 'true'",
    uses: "actions/upload-artifact@v4",
    with: { name: "upkeep-calendars", path: "diffs/*/calendar-*.svg" },
  });
  const link = steps.findIndex((s) => s.name === "Link the calendars from the comment");
  assert.equal(steps[link]!.if, "steps.diff.outputs.calendars == 'true'");
  assert.equal(steps[link]!.env.CALENDARS_URL, "${{ steps.calendars.outputs.artifact-url }}");
  assert.match(steps[link]!.run, /\(%s\)\\n' "\$\{stacks% \}" "\$CALENDARS_URL" \| tee -a comment\.md/);
  const handOver = steps.findIndex((s) => s.uses === "actions/upload-artifact@v4" && s.with?.name === "upkeep-plan-diff");
  assert.ok(upload < link && link < handOver, "the link is in comment.md before the comment job gets it");
});

/** The job that lists the stacks by tier (`npm run stacks`) into its outputs. */
function assertStacksJob(w: Workflow, job: Obj, outputs: readonly string[]): void {
  const steps = stepsOf(job);
  const tiers = steps.find((st) => st.id === "tiers");
  assert.equal(tiers?.run, 'npm run --silent stacks >> "$GITHUB_OUTPUT"', w.name);
  assert.ok(steps.indexOf(tiers!) > steps.findIndex((st) => st.run === "npm ci"), `${w.name}: npm ci first`);
  assert.deepEqual(job.outputs, Object.fromEntries(outputs.map((o) => [o, `\${{ steps.tiers.outputs.${o} }}`])), w.name);
  assert.equal(job.permissions, undefined, `${w.name}: it inherits contents: read`);
  assert.doesNotMatch(w.jobText("stacks"), /secrets\./, `${w.name}: listing stacks needs no secret`);
}

test("pulumi-preview runs only for same-repository pull requests, only with the token set, for every stack npm run stacks lists", () => {
  const job = preview.data.jobs["pulumi-preview"];
  assert.match(job.if, /^github\.event\.pull_request\.head\.repo\.full_name == github\.repository( &&|$)/);
  assert.equal(job.env.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
  assert.equal(job.needs, "stacks");
  assert.equal(preview.data.jobs.stacks.if, job.if, "the stacks are listed exactly when they are previewed");
  assertStacksJob(preview, preview.data.jobs.stacks, ["all"]);
  assert.equal(job.strategy.matrix.stack, "${{ fromJSON(needs.stacks.outputs.all) }}");
  assert.equal(job.strategy["fail-fast"], false);
  const guarded = stepsOf(job).filter((s) => s.name !== "Skip without credentials");
  for (const step of guarded) assert.equal(step.if, "env.PULUMI_ACCESS_TOKEN != ''", JSON.stringify(step));
  const [pulumi] = uses(job, "pulumi/actions");
  assert.deepEqual(pulumi?.with, {
    command: "preview",
    "stack-name": "${{ matrix.stack }}",
    "comment-on-pr": true,
    "github-token": "${{ secrets.GITHUB_TOKEN }}",
  });
});

const TIER_JOBS = ["development", "staging", "production"] as const;

test("deploy: every stack in stacks/ from a matrix per tier, development, then staging, then production behind its environment", () => {
  assert.deepEqual(jobsOf(deploy).map(([name]) => name), ["stacks", ...TIER_JOBS]);
  assertStacksJob(deploy, deploy.data.jobs.stacks, [...TIER_JOBS, "kubernetesOnly"]);
  const { development, staging, production } = deploy.data.jobs;
  assert.equal(development.needs, "stacks");
  assert.deepEqual(staging.needs, ["stacks", "development"]);
  assert.deepEqual(production.needs, ["stacks", "staging"]);
  assert.equal(development.if, "needs.stacks.outputs.development != '[]'");
  // A tier before it that had no stacks (skipped) does not hold it back; one that failed does.
  assert.equal(staging.if, "${{ !failure() && !cancelled() && needs.stacks.outputs.staging != '[]' }}");
  assert.equal(production.if, "${{ !failure() && !cancelled() && needs.stacks.outputs.production != '[]' }}");
  assert.equal(production.environment, "production");
  assert.equal(development.environment, undefined);
  assert.equal(staging.environment, undefined);
  assert.deepEqual(deploy.data.concurrency, { group: "deploy", "cancel-in-progress": false });
  for (const tier of TIER_JOBS) {
    const job = deploy.data.jobs[tier];
    assert.equal(job.strategy.matrix.stack, `\${{ fromJSON(needs.stacks.outputs.${tier}) }}`, tier);
    assert.equal(job.strategy["fail-fast"], false, `${tier}: one stack's failure must not cancel another's pulumi up halfway`);
    assert.equal(job.env.STACK, "${{ matrix.stack }}", tier);
    const steps = stepsOf(job);
    const plan = steps.findIndex((s) => s.run === 'npm run plan -- --stack "$STACK"');
    const up = steps.findIndex((s) => typeof s.uses === "string" && s.uses.startsWith("pulumi/actions@"));
    assert.ok(plan >= 0 && up > plan, `${tier}: the offline plan runs before pulumi up`);
    assert.deepEqual(steps[up]!.with, { command: "up", "stack-name": "${{ matrix.stack }}" });
    // A Kubernetes-only stack has no AWS provider: it gets no AWS credentials.
    const [credentials] = uses(job, "aws-actions/configure-aws-credentials");
    assert.equal(credentials?.if, "${{ !contains(fromJSON(needs.stacks.outputs.kubernetesOnly), matrix.stack) }}", tier);
  }
  assert.deepEqual(stacksByTier(join(ROOT, "stacks")).kubernetesOnly, ["onprem"], "the committed Kubernetes-only stack is the one that skips them");
});

test("a production stack deploys only in the job behind the production environment, and every stack deploys exactly once", () => {
  // The tier as the stack file states it, read here without upkeep's code.
  const tierOf = (stack: string) => (parseDocument(readFileSync(join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).toJS() as Obj).config["upkeep:environment"].tier;
  const byTier = stacksByTier(join(ROOT, "stacks"));
  assert.deepEqual([...TIER_JOBS.flatMap((t) => byTier[t])].sort(), STACKS, "every committed stack is in exactly one tier's matrix");
  for (const tier of TIER_JOBS) for (const stack of byTier[tier]) assert.equal(tierOf(stack), tier, stack);
  assert.deepEqual(byTier.production, STACKS.filter((s) => tierOf(s) === "production"));
  assert.ok(byTier.production.length > 0, "the committed stacks include a production one");
  for (const [name, job] of jobsOf(deploy)) {
    const deploysProduction = typeof job.strategy?.matrix?.stack === "string" && job.strategy.matrix.stack.includes("outputs.production");
    assert.equal(job.environment === "production", deploysProduction, name);
  }
});

test("every action is pinned to a version tag or a commit", () => {
  for (const w of WORKFLOWS) {
    for (const [name, job] of jobsOf(w)) {
      for (const step of stepsOf(job).filter((s) => s.uses !== undefined)) {
        assert.match(step.uses, /^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${w.name} ${name}`);
      }
    }
  }
});
