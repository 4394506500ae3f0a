/**
 * The namespace that holds an environment's maintenance, with Pod Security
 * "restricted" enforced, and the ConfigMap that carries the job scripts.
 */
import { k8s } from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { componentLabels, environmentLabels } from "./labels";
import type { ScriptsBundle } from "./scriptsBundle";

export const SCRIPTS_CONFIGMAP = "upkeep-scripts";

/** The webhook URL as a Kubernetes Secret, for Alertmanager and the verification job alike. */
export const WEBHOOK_SECRET = Object.freeze({ name: "upkeep-webhook", key: "url" });

export function buildNamespace(name: string, environment: string): k8s.types.input.core.v1.Namespace & { metadata: { name: string } } {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...environmentLabels(environment),
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    },
  };
}

export function buildScriptsConfigMap(namespace: string, environment: string, scripts: ScriptsBundle): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: SCRIPTS_CONFIGMAP,
      namespace,
      labels: componentLabels(environment, "scripts"),
      annotations: { "upkeep.dev/scripts-checksum": scripts.checksum },
    },
    // Scripts can only change through a deploy that also changes the checksum on every CronJob.
    immutable: false,
    data: { ...scripts.files },
  };
}

export interface MaintenanceNamespaceArgs {
  readonly name: string;
  readonly environment: string;
  readonly scripts: ScriptsBundle;
  /** Production namespaces are protected: `pulumi destroy` must not take maintenance away by accident. */
  readonly protect: boolean;
  /** `upkeep:notify.webhookUrl`, a Pulumi secret; stored as the WEBHOOK_SECRET Secret when set. */
  readonly webhookUrl?: string;
}

/** Type token: upkeep:kubernetes:MaintenanceNamespace. */
export class MaintenanceNamespace extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly scriptsConfigMap: pulumi.Output<string>;

  constructor(name: string, args: MaintenanceNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("upkeep:kubernetes:MaintenanceNamespace", name, {}, opts);
    const ns = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: buildNamespace(args.name, args.environment).metadata }, {
      parent: this,
      protect: args.protect,
    });
    const cm = buildScriptsConfigMap(args.name, args.environment, args.scripts);
    const configMap = new k8s.core.v1.ConfigMap(`${name}-scripts`, { metadata: cm.metadata, data: cm.data, immutable: cm.immutable }, {
      parent: this,
      dependsOn: [ns],
      deleteBeforeReplace: true,
    });
    if (args.webhookUrl !== undefined) {
      new k8s.core.v1.Secret(
        `${name}-webhook`,
        {
          metadata: { name: WEBHOOK_SECRET.name, namespace: args.name, labels: environmentLabels(args.environment) },
          type: "Opaque",
          stringData: { [WEBHOOK_SECRET.key]: pulumi.secret(args.webhookUrl) },
        },
        { parent: this, dependsOn: [ns], deleteBeforeReplace: true },
      );
    }
    this.namespace = ns.metadata.name;
    this.scriptsConfigMap = configMap.metadata.name;
    this.registerOutputs({ namespace: this.namespace, scriptsConfigMap: this.scriptsConfigMap });
  }
}
