/**
 * Explicit providers, so no resource ever lands in whatever cluster or region
 * the shell happens to point at without the stack saying so. A Kubernetes-only
 * stack (`upkeep:aws.enabled: false`) gets no AWS provider at all, so it needs
 * no AWS credentials, not even for `pulumi preview`.
 */
import { aws, k8s } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import type { UpkeepConfig } from "../config";

export interface Providers {
  readonly kubernetes: k8s.Provider;
  /** Absent on Kubernetes only. */
  readonly aws?: aws.Provider;
}

export function awsDefaultTags(environment: string): Record<string, string> {
  return { environment, "managed-by": "upkeep" };
}

export function createProviders(name: string, config: UpkeepConfig): Providers {
  const kubernetes = new k8s.Provider(`${name}-kubernetes`, {
    // Unset means the ambient kubeconfig (KUBECONFIG or ~/.kube/config).
    ...(config.kubeconfig !== undefined ? { kubeconfig: pulumi.secret(config.kubeconfig) } : {}),
    enableServerSideApply: true,
  });
  if (!config.aws.enabled) return { kubernetes };
  const awsProvider = new aws.Provider(`${name}-aws`, {
    ...(config.awsRegion !== undefined ? { region: config.awsRegion } : {}),
    defaultTags: { tags: awsDefaultTags(config.environment.name) },
  });
  return { kubernetes, aws: awsProvider };
}
