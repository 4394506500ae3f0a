/**
 * The backup vault and its lock. The loss upkeep must never allow is a
 * backup deleted by accident, so in production:
 * - the vault is `protect`ed (pulumi destroy refuses) and `retainOnDelete`
 *   (removing it from the program leaves it, and its recovery points, in AWS);
 * - a VaultLockConfiguration in compliance mode (changeableForDays set) makes
 *   recovery points undeletable before their retention ends, even by root.
 *   Production gets one even when none is configured; after
 *   changeableForDays it can never be removed or loosened.
 * The vault never sets forceDestroy: deleting a vault that holds recovery
 * points fails, which is what we want.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Tier } from "../config";
import type { AwsBackupConfig } from "./types";

export type VaultLock = NonNullable<AwsBackupConfig["vaultLock"]>;

/**
 * The lock production gets when none is configured: a floor of a week (or the
 * plan's retention, if shorter, so the plan's own backups are accepted), a
 * ceiling of at least a year, and the shortest grace AWS allows (3 days) in
 * which a mistaken lock can still be removed.
 */
export function defaultVaultLock(retentionDays: number): VaultLock {
  return { minRetentionDays: Math.min(7, retentionDays), maxRetentionDays: Math.max(retentionDays, 365), changeableForDays: 3 };
}

/** The configured lock; in production, the default when none is configured; elsewhere none. */
export function vaultLockFor(tier: Tier, backup: Pick<AwsBackupConfig, "vaultLock" | "retentionDays">): VaultLock | undefined {
  if (backup.vaultLock !== undefined) return backup.vaultLock;
  return tier === "production" ? defaultVaultLock(backup.retentionDays) : undefined;
}

export function vaultArgs(backup: Pick<AwsBackupConfig, "vaultName" | "kmsKeyArn">): aws.backup.VaultArgs {
  return { name: backup.vaultName, ...(backup.kmsKeyArn !== undefined ? { kmsKeyArn: backup.kmsKeyArn } : {}) };
}

export function vaultLockArgs(backupVaultName: pulumi.Input<string>, lock: VaultLock): aws.backup.VaultLockConfigurationArgs {
  return {
    backupVaultName,
    minRetentionDays: lock.minRetentionDays,
    maxRetentionDays: lock.maxRetentionDays,
    changeableForDays: lock.changeableForDays,
  };
}

/** The resource options that keep the vault (and its lock) when the program or stack goes away. */
export function vaultProtection(tier: Tier): { protect: boolean; retainOnDelete: boolean } {
  const production = tier === "production";
  return { protect: production, retainOnDelete: production };
}
