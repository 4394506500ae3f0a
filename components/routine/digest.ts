/**
 * The daily digest: one message per working day at `reviews.at`, listing the
 * checks due that day, instead of one message per check.
 *
 * Because the cadences' days nest (reminders.ts), a working day is one of
 * four kinds, and each kind lists a fixed set of cadences:
 * - Tuesday to Friday: daily checks;
 * - a Monday other than the first of the month: daily and weekly;
 * - the first Monday of a month outside Jan/Apr/Jul/Oct: daily, weekly, monthly;
 * - the first Monday of January, April, July or October: all four.
 * EventBridge Scheduler can name each kind exactly (`MON#2`, `MON#1` in given
 * months), so every message is fixed at plan time and no day gets two. The
 * Kubernetes-only CronJob fires every working day and its script picks the
 * kind from the local date (routine-digest.sh); the messages are these.
 */
import type { UpkeepConfig } from "../config";
import { hhmmToMinute, QUARTER_MONTHS, type Cadence } from "../schedule";
import { DUE_WHEN, reviewLink, routineReminders, schedulerCron, type MessageContext, type RoutineReminder } from "./reminders";

export const DIGEST_KINDS = ["tue-fri", "mon", "mon-first", "mon-first-quarter"] as const;
export type DigestKind = (typeof DIGEST_KINDS)[number];

const OTHER_MONTHS = "2,3,5,6,8,9,11,12";

/** Each kind of working day: the cadences due, and the Scheduler day fields that name exactly those days. */
export const DIGEST_DAYS: Readonly<Record<DigestKind, { readonly cadences: readonly Cadence[]; readonly dayFields: readonly string[] }>> = Object.freeze({
  "tue-fri": { cadences: ["daily"], dayFields: ["? * TUE-FRI"] },
  mon: { cadences: ["daily", "weekly"], dayFields: ["? * MON#2", "? * MON#3", "? * MON#4", "? * MON#5"] },
  "mon-first": { cadences: ["daily", "weekly", "monthly"], dayFields: [`? ${OTHER_MONTHS} MON#1`] },
  "mon-first-quarter": { cadences: ["daily", "weekly", "monthly", "quarterly"], dayFields: [`? ${QUARTER_MONTHS} MON#1`] },
});

export interface RoutineDigest {
  readonly kind: DigestKind;
  /** Scheduler crons that together fire on exactly this kind of day. */
  readonly expressions: readonly string[];
  /** The ids of the checks it lists, in catalog order. */
  readonly checks: readonly string[];
  readonly message: string;
}

/** Above this, the digest drops its checklists (each runbook has them): SNS mail and webhook posts stay readable. */
export const DIGEST_MAX_CHARACTERS = 8000;

const HEADING: Record<Cadence, string> = { daily: "Daily", weekly: "Weekly", monthly: "Monthly", quarterly: "Quarterly" };

/** The digest text for the given checks; the first line reads as a subject. */
export function digestMessage(reminders: readonly RoutineReminder[], ctx: MessageContext): string {
  const cadences = (Object.keys(HEADING) as Cadence[]).filter((c) => reminders.some((r) => r.cadence === c));
  const counts = cadences.map((c) => `${reminders.filter((r) => r.cadence === c).length} ${c}`).join(", ");
  const render = (withChecklists: boolean) =>
    [
      `[upkeep ${ctx.environment}] Routine checks due today: ${counts}`,
      ...cadences.flatMap((c) => [
        "",
        `${HEADING[c]} (${DUE_WHEN[c]}):`,
        ...reminders
          .filter((r) => r.cadence === c)
          .flatMap((r) => [`- [ ] ${r.title} (${r.id}): ${reviewLink(ctx, r.id)}`, ...(withChecklists ? r.checklist.map((item) => `      ${item}`) : [])]),
      ]),
      ...(withChecklists ? [] : ["", "Each check's steps are in its runbook."]),
    ].join("\n");
  const full = render(true);
  return full.length <= DIGEST_MAX_CHARACTERS ? full : render(false);
}

/** One digest per kind of working day that has any check due; none for a kind with nothing to list. */
export function routineDigests(config: UpkeepConfig): RoutineDigest[] {
  const reminders = routineReminders(config);
  const ctx = { environment: config.environment.name, runbookBaseUrl: config.alerting.runbookBaseUrl };
  const minute = hhmmToMinute(config.reviews.at);
  return DIGEST_KINDS.flatMap((kind) => {
    const due = reminders.filter((r) => DIGEST_DAYS[kind].cadences.includes(r.cadence));
    if (due.length === 0) return [];
    return [{ kind, expressions: DIGEST_DAYS[kind].dayFields.map((f) => schedulerCron(minute, f)), checks: due.map((r) => r.id), message: digestMessage(due, ctx) }];
  });
}
