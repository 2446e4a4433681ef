import { sql } from "kysely";
import type { UserStatus } from "../../../db/database";
import { listApiKeys } from "../auth/api-keys";
import type { ServiceContext } from "../context";
import { NotFoundError } from "../errors";
import { listRoomsForCreator } from "../gift-rooms";
import { adminCustomerCards } from "../renewals/cards";
import { getPointsSummary } from "../rewards/points";
import { tierProgress } from "../rewards/tiers";
import { listSchedulesForAdmin } from "../schedules/admin";
import { listIdentities } from "../users";
import { levelName } from "../users/levels";
import { listOrders } from "../vtu/get-orders";
import { getWalletBalance, listWalletTransactions } from "../wallet";

export type AdminUserRow = {
  id: string;
  name: string | null;
  phone: string | null;
  status: UserStatus;
  level: number;
  channels: string[];
  /** The wallet's posted balance (integer kobo; DESIGN §5). */
  balanceKobo: number;
  createdAt: string;
};

/**
 * Find customers by phone (any form: 0803…, 234803…, +234…), name, user id or chat id (a Telegram
 * id, a WhatsApp number). Newest first, at most 50.
 */
export async function searchUsers(ctx: ServiceContext, query: string): Promise<AdminUserRow[]> {
  const q = query.trim();
  const digits = q.replace(/\D/g, "");
  // 0803… and 234803… and +234803… are one number: compare the last ten digits. A shorter run of
  // digits (what someone remembers of a number: "0803 12", "4567") matches anywhere in the phone.
  const lastTen = digits.length >= 10 ? digits.slice(-10) : undefined;
  // A partial run starting "234" may be the country code ("234 803 12") or just digits of the number
  // ("234 6971" from 0803 234 6971): both are tried.
  const partials =
    digits.length >= 4 && !lastTen
      ? [digits, ...(digits.startsWith("234") ? [`0${digits.slice(3)}`] : [])]
      : [];
  let select = ctx.db
    .selectFrom("users as u")
    .leftJoin("accounts as a", "a.user_id", "u.id")
    .select([
      "u.id",
      "u.display_name",
      "u.phone",
      "u.status",
      "u.verification_level",
      "u.created_at",
      "a.balance",
      sql<
        string[]
      >`coalesce((SELECT array_agg(DISTINCT i.channel) FROM identities i WHERE i.user_id = u.id), '{}')`.as(
        "channels",
      ),
    ])
    .orderBy("u.created_at", "desc")
    .limit(50);
  if (q) {
    select = select.where((eb) =>
      eb.or([
        eb("u.id", "=", q),
        eb("u.display_name", "ilike", `%${q.replace(/[%_\\]/g, "\\$&")}%`),
        ...(lastTen ? [eb("u.phone", "like", `%${lastTen}`)] : []),
        ...partials.map((partial) => eb("u.phone", "like", `%${partial}%`)),
        eb.exists(
          eb
            .selectFrom("identities as i")
            .select("i.id")
            .whereRef("i.user_id", "=", "u.id")
            .where("i.external_id", "in", [q, digits].filter(Boolean)),
        ),
      ]),
    );
  }
  const rows = await select.execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.display_name,
    phone: r.phone,
    status: r.status,
    level: r.verification_level,
    channels: r.channels,
    balanceKobo: Number(r.balance ?? 0),
    createdAt: r.created_at.toISOString(),
  }));
}

/** How a list names a customer: their name and phone (the page masks the phone). */
export type CustomerLabel = { name: string | null; phone: string | null };

/**
 * The names and phones of the customers a panel list shows, in one query (lists show people, not
 * bare ids). Ids that are not customers are left out.
 */
export async function customerLabels(
  ctx: ServiceContext,
  userIds: readonly (string | null | undefined)[],
): Promise<Record<string, CustomerLabel>> {
  const ids = [...new Set(userIds.filter((id): id is string => typeof id === "string" && id !== ""))];
  if (ids.length === 0) {
    return {};
  }
  const rows = await ctx.db
    .selectFrom("users")
    .select(["id", "display_name", "phone"])
    .where("id", "in", ids)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.id, { name: r.display_name, phone: r.phone }]));
}

/** Everything support needs about one customer, read only. */
export async function adminUserDetail(ctx: ServiceContext, userId: string) {
  const user = await ctx.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
  if (!user) {
    throw new NotFoundError("User");
  }
  const [
    wallet,
    statement,
    orders,
    identities,
    rooms,
    pin,
    kyc,
    account,
    referrer,
    points,
    tier,
    schedules,
    keys,
  ] = await Promise.all([
    getWalletBalance({ ctx, userId }),
    listWalletTransactions({ ctx, userId, input: { limit: 20 } }),
    listOrders({ ctx, userId, input: { limit: 20 } }),
    listIdentities(ctx, userId),
    listRoomsForCreator({ ctx, userId, limit: 10 }),
    ctx.db
      .selectFrom("user_pins")
      .select(["failed_attempts", "locked_until", "lockouts"])
      .where("user_id", "=", userId)
      .executeTakeFirst(),
    ctx.db.selectFrom("user_kyc").select("bvn_last3").where("user_id", "=", userId).executeTakeFirst(),
    // The latest permanent account number, whatever its state (a closed one explains held transfers).
    ctx.db
      .selectFrom("virtual_accounts")
      .select(["id", "bank_name", "account_number", "account_name", "status", "failure_reason"])
      .where("user_id", "=", userId)
      .where("kind", "=", "static")
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst(),
    // Who referred this customer (a link on the panel): id and name only.
    user.referred_by
      ? ctx.db
          .selectFrom("users")
          .select(["id", "display_name"])
          .where("id", "=", user.referred_by)
          .executeTakeFirst()
      : undefined,
    // Loyalty points: balance, worth and the last 10 statement lines.
    getPointsSummary({ ctx, userId, recent: 10 }),
    tierProgress(ctx, userId),
    // Scheduled purchases (issue 19): paused and failing first.
    listSchedulesForAdmin({ ctx, userId, limit: 50 }),
    // Reseller API keys (DECISIONS §72): scopes, limits, last use; an admin may revoke one.
    listApiKeys({ ctx, userId }),
  ]);
  // Cable cards with their due dates and reminders (issue 19, DECISIONS §70).
  const cableCards = await adminCustomerCards(ctx, userId);
  const now = ctx.now();
  return {
    user: {
      id: user.id,
      name: user.display_name,
      phone: user.phone,
      status: user.status,
      level: user.verification_level,
      levelName: levelName(user.verification_level),
      createdAt: user.created_at.toISOString(),
    },
    /** Bank-transfer funding: only the BVN's last 3 digits, and the permanent account number. */
    transferAccount: {
      bvnLast3: kyc?.bvn_last3 ?? null,
      account: account
        ? {
            id: account.id,
            bankName: account.bank_name,
            accountNumber: account.account_number,
            accountName: account.account_name,
            status: account.status,
            failureReason: account.failure_reason,
          }
        : null,
    },
    /** Referrals: the customer's own code, and who referred them (when someone did). */
    referral: {
      code: user.referral_code,
      referredBy: referrer ? { id: referrer.id, name: referrer.display_name } : null,
      referredAt: user.referred_at?.toISOString() ?? null,
    },
    /** The customer's tier (issue 18 §3): automatic or set by an admin, the window's volume, the next tier. */
    tier: {
      code: tier.tier.code,
      name: tier.tier.name,
      automatic: tier.automatic,
      setBy: user.tier_set_by_admin,
      volumeKobo: tier.volumeKobo,
      windowDays: tier.windowDays,
      next: tier.next,
      tiers: tier.tiers.map((t) => ({ code: t.code, name: t.name })),
    },
    wallet,
    points,
    schedules,
    apiKeys: { items: keys.items, defaultRateLimitPerMinute: ctx.config.API_KEY_RATE_LIMIT_PER_MINUTE },
    cableCards,
    statement: statement.items,
    orders: orders.orders,
    identities,
    giftRooms: rooms,
    pin: pin
      ? {
          set: true,
          failedAttempts: pin.failed_attempts,
          lockedUntil: pin.locked_until && pin.locked_until > now ? pin.locked_until.toISOString() : null,
          lockouts: pin.lockouts,
        }
      : { set: false, failedAttempts: 0, lockedUntil: null, lockouts: 0 },
  };
}

export type AdminUserDetail = Awaited<ReturnType<typeof adminUserDetail>>;
