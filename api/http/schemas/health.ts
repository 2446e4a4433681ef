import { z } from "zod";
import { Kobo } from "../openapi/envelope-schemas";

// The /healthz answer: the same body on 200 (`data`) and on 503 (the error's `details`).

const Probe = z.object({
  ok: z.boolean(),
  ms: z.number().int().meta({ description: "How long the check took." }),
  error: z.string().optional().meta({ description: "Why it failed, when it did." }),
});

export const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    sandbox: z.boolean().meta({ description: "True when this server runs in sandbox mode (no real money)." }),
    checks: z.object({
      database: Probe,
      jobs: Probe.extend({ backend: z.string().meta({ example: "postgres" }) }),
      providers: z.record(
        z.string().meta({ description: "The VTU provider's code." }),
        Probe.extend({
          balanceKobo: Kobo.optional().meta({ description: "Our float at the provider, when it answered." }),
        }),
      ),
    }),
  })
  .meta({ id: "Health" });
