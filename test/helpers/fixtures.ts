import { randomInt } from "node:crypto";
import type { Kysely } from "kysely";
import type { ServiceContext } from "../../api/services/context";
import { insertUser } from "../../api/services/users";
import { creditWallet } from "../../api/services/wallet";
import type { Database, UserRow } from "../../db/database";

let counter = 0;

/** A unique valid Nigerian number per call (0803 + 7 digits). */
export function uniquePhone(): string {
  counter += 1;
  return `0803${String((randomInt(1_000_000) * 10 + counter) % 10_000_000).padStart(7, "0")}`;
}

export async function createTestUser(
  db: Kysely<Database>,
  overrides: { phone?: string | null } = {},
): Promise<UserRow> {
  return db.transaction().execute((trx) =>
    insertUser(trx, {
      phone: overrides.phone === undefined ? uniquePhone() : overrides.phone,
      displayName: "Test User",
    }),
  );
}

/** A user whose wallet holds `balanceKobo`, funded from payment clearing like a real top-up. */
export async function createFundedUser(ctx: ServiceContext, balanceKobo: number): Promise<UserRow> {
  const user = await createTestUser(ctx.db);
  if (balanceKobo > 0) {
    await creditWallet({
      ctx,
      input: {
        userId: user.id,
        amountKobo: balanceKobo,
        counterparty: "system:payment_clearing",
        description: "Test funding",
        idempotencyKey: `fund-${user.id}`,
        actor: "system:test",
      },
    });
  }
  return user;
}
