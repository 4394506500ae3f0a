/**
 * What a plan makes that cannot be taken back, for its summary: a backup
 * vault lock, which becomes permanent once its `changeableForDays` pass, and
 * cleanup, which deletes rows for good. The diff flags their changes as
 * Danger; the summary says they are there at all, so a first plan says it too.
 */
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

/** `schema.table:column:retentionDays:batchSize …`, as cleanup.sh reads UPKEEP_CLEANUP_TABLES. */
function cleanups(resources: readonly RecordedResource[]): string[] {
  const out: string[] = [];
  for (const r of resources.filter((x) => x.type === "kubernetes:batch/v1:CronJob")) {
    const spec = (r.inputs as { spec?: { jobTemplate?: { spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } } } } }).spec;
    const env = spec?.jobTemplate?.spec?.template?.spec?.containers?.[0]?.env ?? [];
    const tables = env.find((e) => e.name === "UPKEEP_CLEANUP_TABLES")?.value;
    if (!tables) continue;
    const task = String((r.inputs as { metadata?: { name?: string } }).metadata?.name);
    for (const entry of tables.split(" ")) {
      const [table, column, days] = entry.split(":");
      out.push(`${task} deletes the rows of ${table} whose ${column} is older than ${days} days`);
    }
  }
  return out;
}

export function irreversibleLines(resources: readonly RecordedResource[], now: Date): string[] {
  return [...vaultLocks(resources, now), ...cleanups(resources)];
}
