/** `upkeep:endpoints`: what clients see, checked daily and after every window. */
import { z } from "zod";
import { boundedInt } from "./validators";

export const ENDPOINT_DEFAULTS = Object.freeze({ expectStatus: 200, maxLatencyMs: 2000, tlsMinDays: 21 });

export const endpointSchema = z.strictObject({
  // https only: the daily TLS check needs a certificate to look at.
  url: z.string().refine((v) => /^https:\/\/[^\s/|]+(\/[^\s|]*)?$/.test(v), {
    error: (iss) => `must be an https:// URL (got ${JSON.stringify(iss.input)})`,
  }),
  expectStatus: boundedInt(100, 599).default(ENDPOINT_DEFAULTS.expectStatus),
  maxLatencyMs: boundedInt(50, 60000).default(ENDPOINT_DEFAULTS.maxLatencyMs),
  tlsMinDays: boundedInt(1, 365).default(ENDPOINT_DEFAULTS.tlsMinDays),
});
