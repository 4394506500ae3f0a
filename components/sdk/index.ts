/**
 * The provider SDK modules upkeep uses, loaded module by module instead of through the
 * packages' indexes, which saves every preview the time of loading the rest.
 */
export * as k8s from "./kubernetes";
export * as aws from "./aws";
