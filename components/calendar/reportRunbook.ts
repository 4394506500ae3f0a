/**
 * What the task runbooks say about the maintenance record when the stack has
 * one (a Pushgateway and endpoints): the guard's retry, where a run's report
 * is, and what post-maintenance-verify does with it. Kept apart from the
 * per-kind texts, which hold without a record too.
 */

/** Where the stack's window report goes (jobs/reportPublisher.ts reportDelivery). */
export interface RunbookReport {
  /** Where the completion notice goes, in words; empty when nowhere. */
  readonly to: readonly string[];
  /** `maintenanceLog.location`, when the report is written there. */
  readonly log?: string;
  /** The container of post-maintenance-verify whose log holds the report. */
  readonly container: string;
  readonly namespace: string;
}

const code = (s: string) => `\`${s}\``;
const words = (items: readonly string[]) => (items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`);

/** The guard's line in the Schedule section: with a Pushgateway it asks it, and retries. */
export function guardLine(pushgateway: boolean): string {
  if (!pushgateway) {
    return "The CronJob fires on its weekday every week; `period-guard.sh` lets only the run in the first seven days of the month through, and the others log a skip.";
  }
  return (
    "The CronJob fires on its weekday every week; `period-guard.sh` asks the Pushgateway whether this period's real run already succeeded: if so the run logs a skip (outcome `skipped`), " +
    "if not this window day runs it, so a failed run is tried again on the next window day of the period. When the Pushgateway does not answer, only the run in the first seven days of the month goes through."
  );
}

/** Where one run's report is: for the When-it-fails section of every task the report lists. */
export function reportParagraph(report: RunbookReport): string {
  const logs = code(`kubectl -n ${report.namespace} logs -l upkeep.dev/task=post-maintenance-verify -c ${report.container} --tail=-1`);
  const sent = report.to.length > 0 ? `It went to ${words(report.to)} as the completion notice` : "It reached no one: no webhook, and no IAM role to publish it to the `info` topic (the plan warns)";
  const history = report.log !== undefined ? `; the maintenance history keeps it as ${code(`${report.log}<date>-<day>.md`)} and ${code(".json")}, after the local date and weekday the window started (${code(`aws s3 ls ${report.log}`)})` : "";
  return (
    `This run's report: after its window, \`post-maintenance-verify\` lists it in the window report with its outcome, duration and figures (README: The maintenance record). ` +
    `${sent}${history}. The report step's log holds it too, for the Jobs the history limits keep: ${logs}.`
  );
}

/** post-maintenance-verify's steps and failures when it builds the report. */
export const REPORTED_VERIFY = {
  steps: (report: RunbookReport): string[] => [
    "Requests each endpoint with a 10-second timeout; prints one line per endpoint.",
    "Reads what every task pushed to the Pushgateway and builds the window report: each task scheduled in the window with its outcome, duration and figures, each task that did not run, and each endpoint's health. It prints the report in its log.",
    report.to.length > 0 ? `Sends the report as the completion notice to ${words(report.to)}.` : "Sends the report nowhere: the stack has no webhook and no IAM role to publish it.",
    ...(report.log !== undefined ? [`Writes it as ${code(`${report.log}<date>-<day>.json`)} and ${code(".md")}: the maintenance history.`] : []),
    "Exits 1 when any endpoint is unhealthy or the webhook refused the notice, so the failed-run alert fires; a report that could not be built or published makes the run `partial` (exit 0), with one line saying why.",
  ],
  failures: [
    ["exit 1, `FAIL url: status S, expected E` / `N ms, over M ms` / `no response (…)`", "Maintenance may have broken the endpoint: check what ran in the window (the report lists it) and roll it back."],
    ["exit 1, `could not send the completion notice to the webhook: …`", "The webhook is down or its URL (the `notify.webhookUrl` secret) is wrong; the endpoints themselves may be fine."],
    ["`partial`, `could not read the Pushgateway at …`", "The Pushgateway is down or unreachable from the namespace (see UpkeepMetricsAbsent); the notice was the endpoint summary alone."],
    [
      "`partial`, `upkeep publish: could not publish the completion notice to arn:…` / `could not write s3://…`",
      "The role (IRSA) may not publish or write: check the ServiceAccount's `eks.amazonaws.com/role-arn`, the role's policy (`sns:Publish` on the info topic, `s3:PutObject` under the prefix), the topic's KMS key policy and the bucket's policy. The report is in the report step's log.",
    ],
  ] as readonly (readonly [string, string])[],
};
