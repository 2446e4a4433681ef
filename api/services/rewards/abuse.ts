import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { ServiceContext } from "../context";
import { maskedBvn } from "../funding/kyc-crypto";
import { maskPhone } from "../phone";

/**
 * The referral abuse view (issue 18 §5; DECISIONS §64): referees who look like one person behind
 * several accounts. A group is the customers who share one thing the database records about them:
 *
 * - `device`: the gift pages' device cookie (`gift_claims.device_hash`, `gift_draw_entries
 *   .device_hash`, with the account that claimed or joined);
 * - `card`: a funding card, as the gateway's `charge.completed` webhook describes it (BIN, last 4
 *   and expiry in `data.card`, stored in `payment_webhook_events`; the checkout's `tx_ref` names the
 *   customer's funding intent);
 * - `bvn`: one BVN given by two customers (`user_kyc.bvn_fingerprint`, an HMAC).
 *
 * A group is reported when at least two of its customers are referees (of one referrer or of
 * several), or when a referee shares it with their own referrer (a self-referral the phone and chat
 * checks did not catch). This is a view for a person to judge: nothing is refused or taken back here.
 */
export type AbuseSignal = "device" | "card" | "bvn";

export type AbuseGroup = {
  /** A stable id for the group (a hash of what is shared; never the thing itself). */
  key: string;
  signal: AbuseSignal;
  /** What is shared, masked for the page. */
  shared: string;
  referrers: { userId: string; name: string | null; code: string; sharesIt: boolean }[];
  referees: {
    userId: string;
    name: string | null;
    phone: string | null;
    referrerId: string;
    /** The referral reward's status for this referee (none: no qualifying purchase yet). */
    reward: "paid" | "capped" | "refused" | "clawed_back" | "none";
    rewardKobo: number;
    welcomeKobo: number;
  }[];
  /** Rewards (referrer's and welcome) still paid for these referees. */
  paidKobo: number;
  /** More than one referrer's referees are in the group. */
  acrossReferrers: boolean;
};

type SignalRow = { signal: AbuseSignal; value: string; label: string; user_id: string };

export async function referralAbuseReport(args: {
  ctx: ServiceContext;
  limit?: number;
}): Promise<{ groups: AbuseGroup[] }> {
  const { db } = args.ctx;
  // Every (thing, customer) pair, then only the things two or more customers share.
  const { rows } = await sql<SignalRow>`
    WITH signals AS (
      SELECT 'device' AS signal, device_hash AS value, left(device_hash, 8) AS label, claimer_user_id AS user_id
        FROM gift_claims WHERE claimer_user_id IS NOT NULL
      UNION
      SELECT 'device', device_hash, left(device_hash, 8), user_id
        FROM gift_draw_entries WHERE user_id IS NOT NULL
      UNION
      SELECT 'card',
             concat_ws('|', c->>'first_6digits', c->>'last_4digits', c->>'expiry'),
             concat(c->>'first_6digits', '******', c->>'last_4digits',
                    CASE WHEN c->>'expiry' IS NULL THEN '' ELSE ' (' || (c->>'expiry') || ')' END),
             fi.user_id
        FROM (SELECT e.payload->'data'->'card' AS c, e.payload->'data'->>'tx_ref' AS tx_ref
                FROM payment_webhook_events e
               WHERE e.payload->'data'->'card'->>'last_4digits' IS NOT NULL) w
        JOIN funding_intents fi ON fi.tx_ref = w.tx_ref
      UNION
      SELECT 'bvn', bvn_fingerprint, bvn_last3, user_id FROM user_kyc
    ),
    shared AS (
      SELECT signal, value FROM signals GROUP BY signal, value HAVING count(DISTINCT user_id) >= 2
    )
    SELECT s.signal, s.value, s.label, s.user_id
      FROM signals s JOIN shared USING (signal, value)
     ORDER BY s.signal, s.value, s.user_id`.execute(db);
  if (rows.length === 0) {
    return { groups: [] };
  }
  const userIds = [...new Set(rows.map((r) => r.user_id))];
  const members = await db
    .selectFrom("users")
    .select(["id", "display_name", "phone", "referred_by", "referral_code"])
    .where("id", "in", userIds)
    .execute();
  const byId = new Map(members.map((u) => [u.id, u]));
  const referrerIds = [...new Set(members.flatMap((u) => (u.referred_by ? [u.referred_by] : [])))];
  const [referrers, rewards] = await Promise.all([
    referrerIds.length
      ? db
          .selectFrom("users")
          .select(["id", "display_name", "referral_code"])
          .where("id", "in", referrerIds)
          .execute()
      : [],
    db
      .selectFrom("referral_rewards")
      .select(["referee_id", "status", "reward_kobo", "welcome_kobo"])
      .where("referee_id", "in", userIds)
      .execute(),
  ]);
  const referrerById = new Map(referrers.map((u) => [u.id, u]));
  const rewardOf = new Map(rewards.map((r) => [r.referee_id, r]));

  const grouped = new Map<string, { signal: AbuseSignal; value: string; label: string; users: string[] }>();
  for (const r of rows) {
    const id = `${r.signal}:${r.value}`;
    const g = grouped.get(id) ?? { signal: r.signal, value: r.value, label: r.label, users: [] };
    if (!g.users.includes(r.user_id)) {
      g.users.push(r.user_id);
    }
    grouped.set(id, g);
  }

  const groups: AbuseGroup[] = [];
  for (const g of grouped.values()) {
    const inGroup = new Set(g.users);
    const referees = g.users.flatMap((id) => {
      const u = byId.get(id);
      return u?.referred_by ? [{ ...u, referred_by: u.referred_by }] : [];
    });
    const selfReferral = referees.some((u) => inGroup.has(u.referred_by));
    if (referees.length < 2 && !selfReferral) {
      continue;
    }
    const theirReferrers = [...new Set(referees.map((u) => u.referred_by))];
    groups.push({
      key: createHash("sha256").update(`${g.signal}:${g.value}`).digest("hex").slice(0, 16),
      signal: g.signal,
      shared: maskSignal(g.signal, g.label),
      referrers: theirReferrers.map((id) => {
        const r = referrerById.get(id);
        return {
          userId: id,
          name: r?.display_name ?? null,
          code: r?.referral_code ?? "",
          sharesIt: inGroup.has(id),
        };
      }),
      referees: referees.map((u) => {
        const reward = rewardOf.get(u.id);
        return {
          userId: u.id,
          name: u.display_name,
          phone: u.phone ? maskPhone(u.phone) : null,
          referrerId: u.referred_by,
          reward: reward?.status ?? "none",
          rewardKobo: reward ? Number(reward.reward_kobo) : 0,
          welcomeKobo: reward ? Number(reward.welcome_kobo) : 0,
        };
      }),
      paidKobo: referees.reduce((sum, u) => {
        const reward = rewardOf.get(u.id);
        return reward?.status === "paid"
          ? sum + Number(reward.reward_kobo) + Number(reward.welcome_kobo)
          : sum;
      }, 0),
      acrossReferrers: theirReferrers.length > 1,
    });
  }
  groups.sort(
    (a, b) => b.paidKobo - a.paidKobo || b.referees.length - a.referees.length || (a.key < b.key ? -1 : 1),
  );
  return { groups: groups.slice(0, Math.min(Math.max(args.limit ?? 200, 1), 1000)) };
}

/** How a shared thing is shown: a device by the start of its hash, a card as BIN and last 4, a BVN by its last 3. */
function maskSignal(signal: AbuseSignal, label: string): string {
  switch (signal) {
    case "device":
      return `device ${label}…`;
    case "card":
      return `card ${label}`;
    case "bvn":
      return `BVN ${maskedBvn(label)}`;
  }
}
