/**
 * The gift-room claim storm of `npm run bench`: N recipients claim at once, through the HTTP API, on
 * a room of K gifts; beside it, the same burst of raw conditional UPDATEs on one counter row. Both
 * must end with exactly K winners.
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

export type ClaimStorm = { run: RunResult; winners: number; full: number; roomId: string };

/** One burst of `claimants` claims (one each, all at once) against a fresh room of `gifts`. */
export async function claimStorm(args: {
  ctx: ServiceContext;
  baseUrl: string;
  claimants: number;
  gifts: number;
}): Promise<ClaimStorm> {
  const { ctx } = args;
  const creator = await ctx.db
    .transaction()
    .execute((trx) => insertUser(trx, { displayName: "bench gift creator" }));
  await creditWallet({
    ctx,
    input: {
      userId: creator.id,
      amountKobo: GIFT_KOBO * args.gifts,
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
    input: { kind: "airtime", amountKobo: GIFT_KOBO, capacity: args.gifts, pin: PIN },
  });
  let winners = 0;
  let full = 0;
  const run = await runClosedLoop(
    async (caller) => {
      // Distinct numbers whose last four digits are the sandbox's plain success (≥ 1000).
      const phone = `0813${String(1_000_000 + caller * 10 + 1000)
        .padStart(7, "0")
        .slice(-7)}`;
      const response = await fetch(`${args.baseUrl}/api/gift-rooms/claim`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-device-id": `bench-device-${room.id}-${caller}` },
        body: JSON.stringify({ token: room.token, phone, network: "mtn" }),
      });
      const body = (await response.json().catch(() => null)) as { code?: string; error?: string } | null;
      if (response.status === 201) {
        winners++;
      } else if (response.status === 409 && body?.code === "ROOM_FULL") {
        full++;
      } else {
        const error = new Error(body?.error ?? `HTTP ${response.status}`);
        error.name = `HTTP ${response.status}${body?.code ? ` ${body.code}` : ""}`;
        throw error;
      }
    },
    { callers: args.claimants, durationMs: 120_000, maxOpsPerCaller: 1 },
  );
  return { run, winners, full, roomId: room.id };
}

/** The raw baseline: the same burst of `UPDATE … SET claimed = claimed + 1 WHERE claimed < K` on one row. */
export async function rawClaimStorm(raw: pg.Pool, claimants: number, gifts: number) {
  await raw.query(
    "CREATE TABLE IF NOT EXISTS bench_room (id serial PRIMARY KEY, claimed int NOT NULL, capacity int NOT NULL)",
  );
  const { rows } = await raw.query<{ id: number }>(
    "INSERT INTO bench_room (claimed, capacity) VALUES (0, $1) RETURNING id",
    [gifts],
  );
  const id = rows[0]?.id;
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
  const check = await raw.query<{ claimed: number }>("SELECT claimed FROM bench_room WHERE id = $1", [id]);
  return { run, winners, full, claimed: check.rows[0]?.claimed ?? -1 };
}
