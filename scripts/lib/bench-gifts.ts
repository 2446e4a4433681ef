/**
 * The gift-room claim storm of `npm run bench`: N recipients claim at once, through the HTTP API, on
 * a room of K gifts (the claims are sent by the load generator in a child process, see
 * scripts/lib/http-load.ts); beside it, the same burst of raw conditional UPDATEs on one counter row.
 * Both must end with exactly K winners.
 */
import type pg from "pg";
import type { ServiceContext } from "../../api/services/context";
import { createGiftRoom } from "../../api/services/gift-rooms";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { setOrChangePin } from "../../api/services/pins";
import { insertUser } from "../../api/services/users/create-user";
import { creditWallet } from "../../api/services/wallet/move-money";
import { type RunResult, runClosedLoop } from "./bench-stats";

const PIN = "2580";
const GIFT_KOBO = 10_000; // ₦100 airtime per gift

/** A funded first-come room of `gifts` airtime gifts: its id and the token of its link. */
export async function createClaimRoom(
  ctx: ServiceContext,
  gifts: number,
): Promise<{ roomId: string; token: string }> {
  const creator = await ctx.db
    .transaction()
    .execute((trx) => insertUser(trx, { displayName: "bench gift creator" }));
  await creditWallet({
    ctx,
    input: {
      userId: creator.id,
      amountKobo: GIFT_KOBO * gifts,
      counterparty: SYSTEM_ACCOUNTS.adjustments,
      description: "bench funding",
      idempotencyKey: `bench-gift-fund-${creator.id}`,
      actor: "system:bench",
    },
  });
  await setOrChangePin({ ctx, userId: creator.id, input: { pin: PIN } });
  const { room } = await createGiftRoom({
    ctx,
    userId: creator.id,
    idempotencyKey: `bench-room-${creator.id}`,
    input: { kind: "airtime", amountKobo: GIFT_KOBO, capacity: gifts, pin: PIN },
  });
  return { roomId: room.id, token: room.token };
}

export type RawClaimStorm = { run: RunResult; winners: number; full: number; claimed: number };

/**
 * The raw baseline: the same burst as `UPDATE … SET claimed = claimed + 1 WHERE claimed < K` on one
 * row, each in its own transaction. The row is made first, so the burst can be measured on its own.
 */
export async function prepareRawClaimStorm(
  raw: pg.Pool,
  gifts: number,
): Promise<{ run(claimants: number): Promise<RawClaimStorm> }> {
  await raw.query(
    "CREATE TABLE IF NOT EXISTS bench_room (id serial PRIMARY KEY, claimed int NOT NULL, capacity int NOT NULL)",
  );
  const { rows } = await raw.query<{ id: number }>(
    "INSERT INTO bench_room (claimed, capacity) VALUES (0, $1) RETURNING id",
    [gifts],
  );
  const id = rows[0]?.id;
  return {
    async run(claimants) {
      let winners = 0;
      let full = 0;
      const run = await runClosedLoop(
        async () => {
          const client = await raw.connect();
          try {
            await client.query("BEGIN");
            const taken = await client.query(
              "UPDATE bench_room SET claimed = claimed + 1 WHERE id = $1 AND claimed < capacity RETURNING claimed",
              [id],
            );
            await client.query("COMMIT");
            if (taken.rowCount === 1) {
              winners++;
            } else {
              full++;
            }
          } catch (error) {
            await client.query("ROLLBACK").catch(() => {});
            throw error;
          } finally {
            client.release();
          }
        },
        { callers: claimants, durationMs: 120_000, maxOpsPerCaller: 1 },
      );
      const check = await raw.query<{ claimed: number }>("SELECT claimed FROM bench_room WHERE id = $1", [
        id,
      ]);
      return { run, winners, full, claimed: check.rows[0]?.claimed ?? -1 };
    },
  };
}
