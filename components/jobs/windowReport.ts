/**
 * The window report: after each window, post-maintenance-verify builds it from
 * what every task pushed to the Pushgateway (components/scripts/window-report.sh).
 * Here: which tasks each window holds, as the script reads them, and the
 * report's shape, which the tests hold the script's JSON to.
 */
import { z } from "zod";
import { firingWeekdays, parseCron, QUARTER_MONTHS, WEEKDAYS } from "../schedule";
import type { MaintenanceTask } from "../tasks";

export const WINDOW_REPORT_SCRIPT = "window-report.sh";

/**
 * `id|kind|cadence|days|months` per task scheduled in the window: the window
 * days (the day each window starts on) it runs on, and its months (`*`: all).
 * The verification itself, tasks outside the window and custom jobs (whose
 * images report no outcome) are not in it.
 */
export function reportTasksEnv(tasks: readonly MaintenanceTask[]): string {
  return tasks
    .filter((t) => t.kind !== "verify" && t.kind !== "custom" && !t.schedule.outsideWindow)
    .map((t) => {
      const s = t.schedule;
      const days = s.windowDay !== undefined ? [s.windowDay] : s.cadence === "daily" ? [...WEEKDAYS] : firingWeekdays(parseCron(s.cron)).map((d) => WEEKDAYS[d]!);
      const months = s.cadence === "quarterly" ? QUARTER_MONTHS : "*";
      return `${t.id}|${t.kind}|${s.cadence}|${days.join(",")}|${months}`;
    })
    .join(" ");
}

/** `HH:MM minutes`: the window's local start and length, as the script reads it. */
export const windowEnv = (window: { readonly start: string; readonly durationMinutes: number }): string => `${window.start} ${window.durationMinutes}`;

const outcome = z.enum(["success", "failed", "partial", "skipped", "not-run"]);
const isoInstant = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

/** The report's JSON, `<date>-<day>.json` in the maintenance log. */
export const windowReportSchema = z.strictObject({
  environment: z.string().min(1),
  window: z.strictObject({
    day: z.enum(WEEKDAYS),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    start: isoInstant,
    end: isoInstant,
    timeZone: z.string().min(1),
    label: z.string().min(1),
  }),
  generatedAt: isoInstant,
  summary: z.strictObject({
    tasks: z.number().int().nonnegative(),
    success: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    partial: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    notRun: z.number().int().nonnegative(),
    endpoints: z.number().int().nonnegative(),
    endpointsUnhealthy: z.number().int().nonnegative(),
  }),
  tasks: z.array(
    z.strictObject({
      task: z.string().min(1),
      kind: z.string().min(1),
      cadence: z.string().min(1),
      outcome,
      end: isoInstant.nullable(),
      seconds: z.number().nonnegative().nullable(),
      figures: z.array(z.strictObject({ metric: z.string().regex(/^upkeep_[a-z_]+$/), labels: z.record(z.string(), z.string()), value: z.number() })),
    }),
  ),
  endpoints: z.array(z.strictObject({ endpoint: z.string().min(1), up: z.boolean(), latencySeconds: z.number().nonnegative().nullable() })),
});

export type WindowReport = z.infer<typeof windowReportSchema>;
