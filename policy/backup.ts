/**
 * Rule c (a stack rule): in a production stack, every AWS Backup vault is
 * protected (so `pulumi destroy` cannot take the backups with it) and has a
 * vault lock in compliance mode. A lock without `changeableForDays` is a
 * governance lock that privileged users can remove; with it, the lock becomes
 * permanent after that many days, which AWS requires to be at least 3.
 */
import { at, resourceLabel, TYPES, type CheckedResource, type RuleContext } from "./resource";

const MIN_CHANGEABLE_FOR_DAYS = 3;

export function checkBackupVaults(resources: readonly CheckedResource[], context: RuleContext): string[] {
  if (!context.productionStacks.includes(context.stack)) return [];
  const locks = resources.filter((r) => r.type === TYPES.vaultLock);
  const out: string[] = [];
  for (const vault of resources.filter((r) => r.type === TYPES.vault)) {
    const who = `${resourceLabel(vault)} (stack ${context.stack})`;
    if (vault.opts?.protect !== true) out.push(`${who}: must be protected (protect: true)`);
    // A vault without an explicit name is auto-named after its resource name.
    const explicit = at(vault.props, "name");
    const vaultName = typeof explicit === "string" ? explicit : vault.name;
    const own = locks.filter((l) => at(l.props, "backupVaultName") === vaultName);
    if (own.length === 0) {
      out.push(`${who}: no VaultLockConfiguration with backupVaultName "${vaultName}"`);
      continue;
    }
    for (const lock of own) {
      const days = at(lock.props, "changeableForDays");
      if (typeof days !== "number" || days < MIN_CHANGEABLE_FOR_DAYS) {
        const shown = days === undefined || days === null ? "not set, a governance lock" : `got ${JSON.stringify(days)}`;
        out.push(`${resourceLabel(lock)} of vault "${vaultName}": changeableForDays must be at least ${MIN_CHANGEABLE_FOR_DAYS} (${shown})`);
      }
    }
  }
  return out;
}
