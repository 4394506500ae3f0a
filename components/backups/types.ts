/** The `upkeep:backups.aws` section, once validated (present). */
import type { UpkeepConfig } from "../config";

export type AwsBackupConfig = NonNullable<UpkeepConfig["backups"]["aws"]>;
export type RestoreTestingConfig = NonNullable<AwsBackupConfig["restoreTesting"]>;
export type AwsBackupResourceType = RestoreTestingConfig["resourceTypes"][number];
