import { Kysely, PostgresDialect } from "kysely";
import type pg from "pg";
import { expect } from "vitest";
import { createPaymentGateway } from "../../api/providers/payment-gateway";
import type { ServiceContext } from "../../api/services/context";
import { webhookSecretHash } from "../../api/services/funding";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { findUserByIdentity } from "../../api/services/users";
import { creditWallet } from "../../api/services/wallet";
import { handleChatInput } from "../../bot/engine/engine";
import type { ChatChannel, ChatInput, ChatOutput, EngineDeps } from "../../bot/engine/types";
import { createPool } from "../../db/client";
import type { Database } from "../../db/database";
import type { TestDatabase } from "./db";
import { makeVtu, sandboxRegistry, seedCatalogue } from "./vtu";

let nextId = 1;

/**
 * The chat engine on a real test database, driven like a person: messages and button taps with
 * increasing message ids. Shared by the engine's flow tests.
 */
export async function chatHarness(tdb: TestDatabase, ctx: ServiceContext) {
  const harness = makeVtu(ctx, sandboxRegistry(ctx));
  await seedCatalogue(ctx, harness.vtu.providers);
  const deps: EngineDeps = {
    ctx: () => ctx,
    vtu: harness.vtu,
    payments: {
      gateway: createPaymentGateway({ config: ctx.config, db: tdb.db }),
      webhookSecretHash: webhookSecretHash(ctx.config),
      dispatch: async () => {},
    },
  };

  function chat(userRef: string, channel: ChatChannel = "console", displayName?: string) {
    const send = (input: Partial<ChatInput>): Promise<ChatOutput> =>
      handleChatInput(deps, {
        channel,
        userRef,
        displayName,
        messageId: input.messageId ?? `h${nextId++}`,
        ...input,
      });
    return {
      say: (text: string) => send({ text }),
      tap: (choice: string) => send({ choice }),
      send,
      userId: async () => {
        const user = await findUserByIdentity(ctx, { channel, externalId: userRef });
        if (!user) {
          throw new Error(`no user for ${channel}:${userRef}`);
        }
        return user.id;
      },
    };
  }

  async function fund(userId: string, amountKobo: number) {
    await creditWallet({
      ctx,
      input: {
        userId,
        amountKobo,
        counterparty: SYSTEM_ACCOUNTS.paymentClearing,
        description: "test funding",
        idempotencyKey: `fund-${userId}-${nextId++}`,
        actor: "system:test",
      },
    });
  }

  /** A person who said hi, set PIN 2580 and has the given balance. */
  async function customer(ref: string, balanceKobo = 500_000) {
    const c = chat(ref);
    await c.say("hi");
    await c.tap("nav:pin");
    const set = await c.say("2580");
    expect(set.deleteInput).toBe(true);
    await fund(await c.userId(), balanceKobo);
    return c;
  }

  /** The chat with order jobs run the moment they are queued (the worker's part), not on drain(). */
  function chatWithWorker(userRef: string) {
    const withWorker: EngineDeps = {
      ...deps,
      vtu: {
        ...deps.vtu,
        dispatch: async (job) => {
          setImmediate(() => void harness.runJob(job).catch(() => {}));
        },
      },
    };
    let n = 0;
    const send = (input: { text?: string; choice?: string }) =>
      handleChatInput(withWorker, { channel: "console", userRef, messageId: `${userRef}-w${++n}`, ...input });
    return { say: (text: string) => send({ text }), tap: (choice: string) => send({ choice }) };
  }

  return { deps, harness, chat, fund, customer, chatWithWorker };
}

export const texts = (out: ChatOutput) => out.replies.map((r) => r.text).join("\n");
export const choiceIds = (out: ChatOutput) => out.replies.flatMap((r) => r.choices ?? []).map((c) => c.id);

/** The id of the Confirm button a reply offers (each summary's own: `confirm:<summary id>`). */
export const confirmOf = (out: ChatOutput): string => {
  const id = choiceIds(out).find((c) => c.startsWith("confirm:"));
  if (!id) {
    throw new Error(`no Confirm offered in: ${texts(out)}`);
  }
  return id;
};

/**
 * `ctx` on a pool of its own that counts every statement sent to PostgreSQL (each is one round
 * trip), for tests that bound how many a chat message costs.
 */
export function countingContext(url: string, ctx: ServiceContext) {
  let count = 0;
  const pool = createPool(url, { poolSize: 2 });
  pool.on("connect", (client: pg.PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      count += 1;
      return query(...args);
    }) as typeof client.query;
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    ctx: { ...ctx, db } satisfies ServiceContext,
    /** Statements sent since the last reset. */
    count: () => count,
    reset: () => {
      count = 0;
    },
    destroy: () => db.destroy(),
  };
}
