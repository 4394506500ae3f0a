/** `upkeep:environment`: who the stack is, its tier and zone, and its maintenance window. */
import { z } from "zod";
import { boundedInt, hhmm, ianaZone, rfc1123Name, TIERS, weekday } from "./validators";

const unique = <T>(items: readonly T[]): boolean => new Set(items).size === items.length;

const windowSchema = z.strictObject({
  days: z
    .array(weekday)
    .min(1, { error: "must name at least one day" })
    .refine(unique, { error: (iss) => `must not repeat a day (got ${JSON.stringify(iss.input)})` }),
  start: hhmm,
  durationMinutes: boundedInt(15, 720),
});

export const environmentSchema = z.strictObject({
  name: rfc1123Name(),
  tier: z.enum(TIERS),
  timezone: ianaZone,
  paused: z.boolean().default(false),
  window: windowSchema,
});
