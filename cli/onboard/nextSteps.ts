/** What the user does after onboarding, with the exact commands to copy. */
import type { Tier } from "../../components/config";

export function renderNextSteps(env: string, tier: Tier, stackFileShown: string): string {
  // Staging and production page people (warning and critical alerts); a development stack's alerts are info only.
  const webhook =
    tier === "development"
      ? "Optional for a development stack: a webhook for alerts and notices, as a secret:"
      : `The alert webhook, as a secret; a ${tier} stack needs it for on-call:`;
  return `Next steps:
  1. Commit ${stackFileShown} first: \`pulumi config set\` may rewrite it without its comments.
  2. Create the stack:
       pulumi stack init ${env}
  3. The cluster's kubeconfig, as a secret (without it, the ambient kubeconfig is used):
       pulumi config set --secret upkeep:kubeconfig < kubeconfig.yaml
  4. ${webhook}
       pulumi config set --secret --path 'upkeep:notify.webhookUrl' https://…
  5. Add databases and jobs (see the commented examples), then \`npm run plan -- --stack ${env}\` and \`npm run runbooks\`.
  6. Preview what Pulumi would change:
       pulumi preview --stack ${env}
`;
}
