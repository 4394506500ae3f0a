/** The offline plan of one stack, as a function the CLI and the tests share. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type RoutineRow, renderIcs, renderWeekSvg } from "../components/calendar";
import type { WeekPlan } from "../components/schedule";
import type { TaskRecord } from "../components/tasks";
import { runProgram } from "./mockRuntime";
import { runPolicies } from "./policyCheck";
import { datedCalendar, kubernetesObjects, renderCalendar, renderKubernetesYaml, renderResourcesJson } from "./planFiles";
import { readStackFile, StackFileError } from "./stackFile";
import { renderSummary } from "./summary";
import { validateObjects } from "./validateObjects";

export class PlanFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PlanRequest {
  readonly stack: string;
  readonly stackFile: string;
  readonly outDir: string;
  readonly now: Date;
  readonly program: string;
}

/** Plans one stack, writes its files, and returns the summary. Throws PlanFailure. */
export async function planStack(req: PlanRequest): Promise<string> {
  let stackConfig;
  try {
    // Named as the user would type it: relative to their directory when it lies below it.
    const shown = relative(process.cwd(), req.stackFile);
    stackConfig = readStackFile(req.stackFile, shown === "" || shown.startsWith("..") ? req.stackFile : shown);
  } catch (e) {
    if (e instanceof StackFileError) throw new PlanFailure(2, `upkeep plan: ${e.problems.join("\nupkeep plan: ")}`);
    throw e;
  }
  let run;
  try {
    run = await runProgram(req.program, req.stack, stackConfig);
  } catch (e) {
    // The program reports bad config as a RunError, which Pulumi prints without a stack trace.
    if (pulumi.RunError.isInstance(e)) throw new PlanFailure(2, e.message);
    throw e;
  }
  const objects = kubernetesObjects(run.resources);
  const invalid = await validateObjects(objects);
  if (invalid.length > 0) {
    throw new PlanFailure(1, ["upkeep plan: invalid Kubernetes objects; nothing was written:", ...invalid.map((p) => `  ${p}`)].join("\n"));
  }
  const violations = runPolicies(run.resources, req.stack);
  if (violations.length > 0) {
    throw new PlanFailure(1, ["upkeep plan: policy violations; nothing was written:", ...violations.map((v) => `  ${v}`)].join("\n"));
  }
  const environment = String(run.outputs.environment);
  const paused = run.outputs.paused === true;
  const calendar = datedCalendar(run.outputs.calendar, req.now);
  const routine = (run.outputs.routine ?? []) as RoutineRow[];
  const rendered = renderCalendar(environment, calendar, paused, routine);

  mkdirSync(req.outDir, { recursive: true });
  writeFileSync(join(req.outDir, "resources.json"), renderResourcesJson(run.resources));
  writeFileSync(join(req.outDir, "kubernetes.yaml"), renderKubernetesYaml(objects));
  writeFileSync(join(req.outDir, "calendar.json"), rendered.json);
  writeFileSync(join(req.outDir, "calendar.md"), rendered.markdown);
  writeFileSync(join(req.outDir, "calendar.ics"), renderIcs(environment, calendar, req.now));
  // Encrypted topics: the statements the key's policy needs, ready to paste (README, "Encrypted topics").
  const keyStatements = run.outputs.topicKeyPolicyStatements;
  if (Array.isArray(keyStatements) && keyStatements.length > 0) writeFileSync(join(req.outDir, "kms-key-policy.json"), `${JSON.stringify(keyStatements, null, 2)}\n`);
  const week = run.outputs.schedule as WeekPlan;
  writeFileSync(join(req.outDir, "calendar.svg"), renderWeekSvg({ environment, week, entries: calendar, now: req.now }));
  // What the plan diff reads beside resources.json: where each task sits and why, and each task's config.
  writeFileSync(join(req.outDir, "schedule.json"), `${JSON.stringify(week, null, 2)}\n`);
  const tasks = run.outputs.taskConfig as TaskRecord[];
  writeFileSync(join(req.outDir, "tasks.json"), `${JSON.stringify(tasks, null, 2)}\n`);
  return renderSummary({
    stack: req.stack,
    outDir: req.outDir,
    paused,
    resources: run.resources,
    calendar,
    routine,
    week,
    tasks,
    now: req.now,
    warnings: (run.outputs.warnings ?? []) as string[],
  });
}
