/** `upkeep:reviews`: when the routine's reminders go out, and which of its checks to change. */
import { z } from "zod";
import { ROUTINE_IDS } from "./routineCatalog";
import { cadence, hhmm } from "./validators";

export const reviewsSchema = z
  .strictObject({
    at: hhmm.default("09:30"),
    overrides: z
      .array(
        z.strictObject({
          task: z.string().refine((v) => ROUTINE_IDS.includes(v), {
            error: (iss) => `is not a routine task (got ${JSON.stringify(iss.input)}); known tasks: ${ROUTINE_IDS.join(", ")}`,
          }),
          cadence: cadence.optional(),
          enabled: z.boolean().default(true),
        }),
      )
      .default([]),
  })
  .default({ at: "09:30", overrides: [] });
