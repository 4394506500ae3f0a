/**
 * The parts of @pulumi/aws that upkeep uses, module by module. The package's
 * index alone takes about 100 ms at every preview, before any resource
 * exists, and upkeep needs ten of its hundreds of modules. Used exactly like
 * the package: `aws.sns.Topic`, `aws.Provider`.
 */
export { Provider } from "@pulumi/aws/provider";
export * as acm from "@pulumi/aws/acm";
export * as backup from "@pulumi/aws/backup";
export * as cfg from "@pulumi/aws/cfg";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as route53 from "@pulumi/aws/route53";
export * as scheduler from "@pulumi/aws/scheduler";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export * as sns from "@pulumi/aws/sns";
