/**
 * Rule a: every CronJob is hardened as components/kubernetes/cronjob.ts builds it. Each
 * control missing is its own message, naming the CronJob and the field path,
 * so a reviewer sees exactly what to restore.
 */
import { at, cronJobLabel, got, TYPES, type CheckedResource } from "./resource";

/** The Kubernetes controller checks every 10 s; a shorter deadline may never start a run. */
const MIN_STARTING_DEADLINE_SECONDS = 10;
/** Kubernetes' own default; more retries only hide a broken task and outlive the slot. */
const MAX_BACKOFF_LIMIT = 6;

const JOB = "spec.jobTemplate.spec";
const POD = `${JOB}.template.spec`;

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

export function checkCronJobHardening(resource: CheckedResource): string[] {
  if (resource.type !== TYPES.cronJob) return [];
  const out: string[] = [];
  const who = cronJobLabel(resource);
  const need = (path: string, expectation: string, actual: unknown) =>
    out.push(`${who}: ${path} must be ${expectation}${expectation === "set" && actual == null ? "" : ` (${got(actual)})`}`);
  const spec = at(resource.props, "spec");
  const job = at(spec, "jobTemplate", "spec");
  const pod = at(job, "template", "spec");

  const concurrency = at(spec, "concurrencyPolicy");
  if (concurrency !== "Forbid") need("spec.concurrencyPolicy", "Forbid", concurrency);
  const deadline = at(spec, "startingDeadlineSeconds");
  if (typeof deadline !== "number" || deadline < MIN_STARTING_DEADLINE_SECONDS) {
    need("spec.startingDeadlineSeconds", `at least ${MIN_STARTING_DEADLINE_SECONDS}`, deadline);
  }
  const successful = at(spec, "successfulJobsHistoryLimit");
  if (!isCount(successful)) need("spec.successfulJobsHistoryLimit", "set", successful);
  // 0 would delete a failed Job at once, and with it the series its failed-run alert reads.
  const failed = at(spec, "failedJobsHistoryLimit");
  if (!isCount(failed) || failed < 1) need("spec.failedJobsHistoryLimit", "at least 1", failed);

  const backoff = at(job, "backoffLimit");
  if (!isCount(backoff) || backoff > MAX_BACKOFF_LIMIT) need(`${JOB}.backoffLimit`, `between 0 and ${MAX_BACKOFF_LIMIT}`, backoff);
  const active = at(job, "activeDeadlineSeconds");
  if (typeof active !== "number" || active <= 0) need(`${JOB}.activeDeadlineSeconds`, "a positive number of seconds", active);
  const ttl = at(job, "ttlSecondsAfterFinished");
  if (ttl !== undefined && ttl !== null) {
    out.push(`${who}: ${JOB}.ttlSecondsAfterFinished must not be set, it deletes failed Jobs and silences their alert (${got(ttl)})`);
  }

  const restart = at(pod, "restartPolicy");
  if (restart !== "Never") need(`${POD}.restartPolicy`, "Never", restart);
  const automount = at(pod, "automountServiceAccountToken");
  if (automount !== false) need(`${POD}.automountServiceAccountToken`, "false", automount);
  const nonRoot = at(pod, "securityContext", "runAsNonRoot");
  if (nonRoot !== true) need(`${POD}.securityContext.runAsNonRoot`, "true", nonRoot);
  const seccomp = at(pod, "securityContext", "seccompProfile", "type");
  if (seccomp !== "RuntimeDefault") need(`${POD}.securityContext.seccompProfile.type`, "RuntimeDefault", seccomp);

  // Pod Security "restricted" holds init containers (native sidecars too) to the same rules.
  for (const list of ["initContainers", "containers"] as const) {
    const containers = at(pod, list);
    if (!Array.isArray(containers)) continue;
    containers.forEach((container: unknown, i) => {
      const path = `${POD}.${list}[${i}]`;
      const sc = at(container, "securityContext");
      const escalation = at(sc, "allowPrivilegeEscalation");
      if (escalation !== false) need(`${path}.securityContext.allowPrivilegeEscalation`, "false", escalation);
      const drop = at(sc, "capabilities", "drop");
      if (!Array.isArray(drop) || !drop.includes("ALL")) need(`${path}.securityContext.capabilities.drop`, "[ALL]", drop);
      const readOnly = at(sc, "readOnlyRootFilesystem");
      if (readOnly !== true) need(`${path}.securityContext.readOnlyRootFilesystem`, "true", readOnly);
      for (const kind of ["requests", "limits"] as const) {
        for (const resourceName of ["cpu", "memory"] as const) {
          const quantity = at(container, "resources", kind, resourceName);
          if (typeof quantity !== "string" && typeof quantity !== "number") {
            need(`${path}.resources.${kind}.${resourceName}`, "set", quantity);
          }
        }
      }
    });
  }
  const containers = at(pod, "containers");
  if (!Array.isArray(containers) || containers.length === 0) need(`${POD}.containers`, "set", containers);
  return out;
}
