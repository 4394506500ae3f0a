/** What the user does after onboarding: the README's first-deploy checklist, for the stack just written. */
import type { Tier } from "../../components/config";
import { renderFirstDeployText } from "../firstDeploy";

export function renderNextSteps(env: string, tier: Tier, namespace: string, stackFileShown: string): string {
  return `Next steps, the first deploy in order (README, "Deploying with Pulumi"):\n${renderFirstDeployText({ stack: env, namespace, stackFile: stackFileShown, tier })}\n`;
}
