/** `upkeep:reviews`: when the routine's reminders go out, and which of its checks to change. */
import { z } from "zod";
import { ROUTINE_IDS } from "./routineCatalog";
import { cadence, hhmm } from "./validators";

/** Reminders and stakeholder notices go out in working hours, never at night. */
export const REVIEW_HOURS = Object.freeze({ from: "06:00", to: "20:00" });

const workingHours = hhmm.refine((v) => v >= REVIEW_HOURS.from && v <= REVIEW_HOURS.to, {
  error: (iss) => `must be a working-hours time from ${REVIEW_HOURS.from} to ${REVIEW_HOURS.to}: reminders and stakeholder notices go out then, never at night (got ${JSON.stringify(iss.input)})`,
});

export const reviewsSchema = z
  .strictObject({
    at: workingHours.default("09:30"),
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
