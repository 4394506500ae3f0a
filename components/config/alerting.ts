/** `upkeep:alerting`: where runbooks live and whether upkeep routes its alerts itself. */
import { z } from "zod";
import { httpsUrl } from "./validators";

export const DEFAULT_RUNBOOK_BASE = "docs/runbooks";

export const alertingSchema = z
  .strictObject({
    runbookBaseUrl: httpsUrl.default(DEFAULT_RUNBOOK_BASE),
    alertmanager: z.boolean().default(false),
  })
  .default({ runbookBaseUrl: DEFAULT_RUNBOOK_BASE, alertmanager: false });
