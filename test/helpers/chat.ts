import { createPaymentGateway } from "../../api/providers/payment-gateway";
import type { ServiceContext } from "../../api/services/context";
import { webhookSecretHash } from "../../api/services/funding";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { creditWallet } from "../../api/services/wallet";
import type { EngineDeps } from "../../bot/engine/types";
import { captureLogger, makeCtx } from "./context";
import { createTestDatabase, type TestDatabase } from "./db";
import { makeVtu, sandboxRegistry, seedCatalogue } from "./vtu";

/**
 * Everything a chat adapter test needs: a database of its own, captured logs, the sandbox VTU
 * providers with a seeded catalogue, and engine deps whose order jobs run as soon as they are
 * dispatched (like the real worker), so a chat purchase ends delivered.
 */
export async function makeChatHarness() {
  const tdb: TestDatabase = await createTestDatabase({ poolSize: 10 });
  const captured = captureLogger();
  const ctx: ServiceContext = makeCtx(tdb.db, { logger: captured.logger });
  const harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  const running = new Set<Promise<unknown>>();
  const vtu = {
    ...harness.vtu,
    async dispatch(job: Parameters<typeof harness.vtu.dispatch>[0]) {
      const run = harness.runJob(job).catch((error) => ctx.logger.error({ err: error }, "test job failed"));
      running.add(run);
      void run.finally(() => running.delete(run));
    },
  };
  const deps: EngineDeps = {
    ctx: () => ctx,
    vtu,
    payments: {
      gateway: createPaymentGateway({ config: ctx.config, db: tdb.db }),
      webhookSecretHash: webhookSecretHash(ctx.config),
      dispatch: async () => {},
    },
  };
  return {
    tdb,
    ctx,
    deps,
    logs: captured.text,
    /** Wait for order jobs still running. */
    async settle() {
      while (running.size > 0) {
        await Promise.all([...running]);
      }
    },
    async userIdOf(channel: "telegram" | "whatsapp" | "console", externalId: string): Promise<string> {
      const row = await tdb.db
        .selectFrom("identities")
        .select("user_id")
        .where("channel", "=", channel)
        .where("external_id", "=", externalId)
        .executeTakeFirstOrThrow();
      return row.user_id;
    },
    async fund(userId: string, amountKobo: number) {
      await creditWallet({
        ctx,
        input: {
          userId,
          amountKobo,
          counterparty: SYSTEM_ACCOUNTS.paymentClearing,
          description: "test funding",
          idempotencyKey: `fund-${userId}-${amountKobo}-${Date.now()}`,
          actor: "system:test",
        },
      });
    },
    destroy: () => tdb.destroy(),
  };
}

export type ChatHarness = Awaited<ReturnType<typeof makeChatHarness>>;
