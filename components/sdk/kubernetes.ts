/**
 * The parts of @pulumi/kubernetes that upkeep uses, module by module: the
 * package's index costs about 50 ms at every preview. Used exactly like the
 * package: `k8s.core.v1.ConfigMap`, `k8s.types.input.core.v1.Container`.
 */
export { Provider } from "@pulumi/kubernetes/provider";
export * as apiextensions from "@pulumi/kubernetes/apiextensions";
export * as core from "@pulumi/kubernetes/core";
export type * as types from "@pulumi/kubernetes/types";
