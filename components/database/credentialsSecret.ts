/**
 * The Secret a database's tasks read PGUSER and PGPASSWORD from, when the
 * stack gives `credentials` instead of naming an existing Secret. upkeep
 * creates it in the same `pulumi up` that creates the namespace, so the
 * first deploy needs no `kubectl` step. The password arrives as a Pulumi
 * secret and stays one: the SDK's Secret class marks it secret in the state,
 * and the offline plan shows `[secret]`.
 */
import { k8s } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseConfig } from "../config";
import { componentLabels } from "../kubernetes";

export interface CredentialsSecretInputs {
  readonly database: DatabaseConfig;
  readonly credentials: NonNullable<DatabaseConfig["credentials"]>;
  readonly namespace: string;
  readonly environment: string;
}

/** The Secret as plain data; the password is wrapped as a secret by the caller. */
export function buildCredentialsSecret(inputs: CredentialsSecretInputs) {
  return {
    metadata: {
      name: inputs.database.credentialsSecret,
      namespace: inputs.namespace,
      labels: componentLabels(inputs.environment, "database-credentials"),
    },
    type: "Opaque",
  };
}

export function declareCredentialsSecret(owner: pulumi.ComponentResource, name: string, inputs: CredentialsSecretInputs): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    name,
    { ...buildCredentialsSecret(inputs), stringData: { PGUSER: inputs.credentials.user, PGPASSWORD: pulumi.secret(inputs.credentials.password) } },
    // A fixed name: a replacement must delete the old Secret first.
    { parent: owner, deleteBeforeReplace: true },
  );
}
