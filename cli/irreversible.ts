/**
 * What a plan makes that cannot be taken back, for its summary: a backup
 * vault lock, which becomes permanent once its `changeableForDays` pass, and
 * cleanup, which deletes rows for good. The diff flags their changes as
 * Danger; the summary says they are there at all, so a first plan says it too.
 */
import type { TaskRecord } from "../components/tasks";
import type { RecordedResource } from "./mockRuntime";

const VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
const DAY_MS = 86_400_000;

const day = (d: Date) => d.toISOString().slice(0, 10);

function vaultLocks(resources: readonly RecordedResource[], now: Date): string[] {
  return resources
    .filter((r) => r.type === VAULT_LOCK)
    .map((r) => {
      const days = Number(r.inputs.changeableForDays);
      const vault = String(r.inputs.backupVaultName);
      const permanent = new Date(now.getTime() + days * DAY_MS);
      return (
        `vault lock on backup vault ${vault}: changeable for ${days} days after it is first applied; first applied on ${day(now)} (--now), ` +
        `it is permanent from ${day(permanent)}: no one, root included, can then remove it or delete a backup younger than ${String(r.inputs.minRetentionDays)} days`
      );
    });
}

/** Read from the task records (tasks.json), the tables exactly as configured, never from the job's environment, whose format is the script's. */
function cleanups(tasks: readonly TaskRecord[]): string[] {
  return tasks.flatMap((t) =>
    (t.cleanup?.tables ?? []).map((table) => `${t.id} deletes the rows of ${String(table.table)} whose ${String(table.timestampColumn)} is older than ${String(table.retentionDays)} days`),
  );
}

export function irreversibleLines(resources: readonly RecordedResource[], tasks: readonly TaskRecord[], now: Date): string[] {
  return [...vaultLocks(resources, now), ...cleanups(tasks)];
}
