/**
 * The first deploy of a stack, as one ordered checklist that works on an
 * empty cluster and an empty account. The README's "Deploying with Pulumi"
 * shows it for any stack (a test keeps the two equal) and `npm run onboard`
 * prints it for the stack it wrote: one text, two renderings.
 *
 * The order matters in one place: upkeep creates the namespace, and the
 * Kubernetes provider refuses to create an object that already exists
 * (AlreadyExists, since @pulumi/kubernetes 4.29). So a database Secret made by
 * hand comes after the first `pulumi up`, never before it; with `credentials`
 * upkeep creates it in that same `pulumi up`.
 */
import { type Tier, WEBHOOK_COMMAND } from "../components/config";

export interface DeployTarget {
  readonly stack: string;
  readonly namespace: string;
  readonly stackFile: string;
  /** Unset for the README, which speaks of every tier. */
  readonly tier?: Tier;
}

export interface DeployStep {
  readonly title: string;
  readonly text: string;
  readonly commands: readonly string[];
}

function webhookText(tier: Tier | undefined): string {
  if (tier === "development") return "optional for a development stack, whose alerts are info only";
  if (tier === undefined) return "optional in development; staging and production page people through it or `notify.emails`";
  return `a ${tier} stack pages people through it or \`notify.emails\``;
}

export function firstDeploySteps(t: DeployTarget): DeployStep[] {
  return [
    {
      title: "Tools",
      text: "Node.js 20 or later (then `npm ci`), the Pulumi CLI 3.x, kubectl and the AWS CLI v2.",
      commands: ["npm ci"],
    },
    {
      title: "State backend",
      text:
        "`pulumi login --local` keeps the state in `~/.pulumi` and encrypts the stack's secrets with a passphrase that every `pulumi` " +
        "command needs, CI included: keep it in a password manager. Or `pulumi login s3://<bucket>` (the same passphrase), or Pulumi " +
        "Cloud (`pulumi login`; `deploy.yml` uses it with `PULUMI_ACCESS_TOKEN`).",
      commands: ["pulumi login --local", "export PULUMI_CONFIG_PASSPHRASE='…'"],
    },
    {
      title: "Cluster",
      text:
        "Kubernetes 1.27 or later (`spec.timeZone`; 1.29 or later with `backups.dumps`, whose scratch server is a native sidecar; " +
        "declare yours in `kubernetes.version`; on EKS, a pod-identity webhook from February 2024 or later); " +
        "kube-state-metrics 2.5.0 or later (`kube_cronjob_status_last_successful_time`); the Prometheus Operator's `PrometheusRule` CRD " +
        "(and `AlertmanagerConfig` with `alerting.alertmanager: true`); cert-manager 1.16 or later with `certificates.kubernetes` (1.21 with " +
        "`renewInWindow`); and the cluster's IAM OIDC provider (EKS) with `backups.dumps`. Your Prometheus loads only the rules its " +
        "`ruleSelector` matches: put those labels in `alerting.ruleLabels` (\"Fitting your monitoring stack\", below). With " +
        "`alerting.pushgateway: deploy` (the default), the `ServiceMonitor` CRD and a default StorageClass for the Pushgateway's 1 Gi volume.",
      commands: [
        "kubectl version",
        "kubectl get crd prometheusrules.monitoring.coreos.com",
        "kubectl get pods -A -l app.kubernetes.io/name=kube-state-metrics -o jsonpath='{..image}'",
        "kubectl get prometheus -A -o jsonpath='{..ruleSelector}'",
        "kubectl get storageclass",
      ],
    },
    {
      title: "AWS account",
      text:
        "Skip this step for a stack with `aws.enabled: false`. Credentials for the stack's account and `aws:region` that may manage SNS " +
        "topics, IAM roles and policies, EventBridge rules, Scheduler schedules and CloudWatch alarms (and, as configured, AWS Backup, ACM, " +
        "Route 53, Secrets Manager rotation and AWS Config rules). With `aws.configRules: true`, an AWS Config configuration recorder in " +
        "that account and region: a rule cannot be created without one.",
      commands: ["aws sts get-caller-identity", "aws configservice describe-configuration-recorders"],
    },
    {
      title: "Stack",
      text: `Commit \`${t.stackFile}\` first: \`pulumi config set\` may rewrite it without its comments. The stack reads it (\`stackConfigDir: stacks\`).`,
      commands: [`pulumi stack init ${t.stack}`],
    },
    {
      title: "Secrets",
      text:
        "The cluster's kubeconfig (without it, the ambient kubeconfig is used); the alert webhook " +
        `(${webhookText(t.tier)}); and the password of each database configured with \`credentials: { user }\`, from which ` +
        "upkeep creates its Secret (Pulumi then holds the whole `upkeep:databases` key as a secret).",
      commands: [
        `pulumi config set --stack ${t.stack} --secret upkeep:kubeconfig < kubeconfig.yaml`,
        WEBHOOK_COMMAND.replace("pulumi config set", `pulumi config set --stack ${t.stack}`),
        `pulumi config set --stack ${t.stack} --secret --path 'upkeep:databases[0].credentials.password' '…'`,
      ],
    },
    {
      title: "Plan offline",
      text: "Add databases and jobs (README, \"Config reference\"), then plan without any cloud and write the runbooks; commit both.",
      commands: [`npm run plan -- --stack ${t.stack}`, "npm run runbooks"],
    },
    {
      title: "Deploy",
      text: `\`pulumi up\` creates the namespace \`${t.namespace}\` and everything in it, the Secrets of databases with \`credentials\` included.`,
      commands: [`pulumi preview --stack ${t.stack}`, `pulumi up --stack ${t.stack}`],
    },
    {
      title: "Database Secrets made by hand",
      text:
        `Only for a database that names an existing \`credentialsSecret\`: create it now, after the first \`pulumi up\` and before the ` +
        `window first opens. The namespace exists only since that \`up\` (made beforehand, it would stop \`pulumi up\` with AlreadyExists); ` +
        "a run before the Secret exists fails and alerts. PGUSER is a role that owns the tables it maintains.",
      commands: [`kubectl -n ${t.namespace} create secret generic <credentialsSecret> --from-literal=PGUSER=maint --from-literal=PGPASSWORD='…'`],
    },
    {
      title: "Confirm",
      text: "Each address in `notify.emails` and `notify.stakeholderEmails` confirms its SNS subscription once, from the mail AWS sends.",
      commands: [],
    },
    {
      title: "Continuous deployment",
      text:
        "Push to main: `.github/workflows/deploy.yml` deploys every stack in `stacks/`, production stacks once the protected `production` " +
        "environment's reviewers approve. It needs the secret `PULUMI_ACCESS_TOKEN`, and the repository variable `AWS_DEPLOY_ROLE_ARN` " +
        "unless every stack has `aws.enabled: false`.",
      commands: [],
    },
  ];
}

/** For the README: a numbered list, each step's commands in a shell block below it. */
export function renderFirstDeployMarkdown(t: DeployTarget): string {
  return firstDeploySteps(t)
    .map((step, i) => {
      const head = `${i + 1}. **${step.title}.** ${step.text}`;
      if (step.commands.length === 0) return head;
      const indent = " ".repeat(`${i + 1}. `.length);
      return [head, "", `${indent}\`\`\`sh`, ...step.commands.map((c) => `${indent}${c}`), `${indent}\`\`\``].join("\n");
    })
    .join("\n\n");
}

/** For the terminal: the same list, commands indented beneath each step. */
export function renderFirstDeployText(t: DeployTarget): string {
  return firstDeploySteps(t)
    .map((step, i) => [`  ${String(i + 1).padStart(2)}. ${step.title}. ${step.text}`, ...step.commands.map((c) => `        ${c}`)].join("\n"))
    .join("\n");
}
