import { type ServiceContext, withTransaction } from "../context";
import { ConflictError, ServiceError } from "../errors";
import { sha256 } from "../hashing";
import { newId, secretToken } from "../ids";
import { levelLimits } from "../users/levels";
import { bvnFingerprint, sealBvn } from "./kyc-crypto";
import type { PaymentsRuntime } from "./runtime";
import { requestStaticAccount, toVirtualAccountDto, type VirtualAccountDto } from "./virtual-accounts";

/**
 * The KYC page (issue 17): a customer gives their BVN on a one-time web page, never in a chat
 * (where it would stay in the history), like the PIN page. The link's token is kept only as a
 * hash, is bound to the customer, expires after KYC_LINK_TTL_MINUTES and is used once.
 */
export type KycLink = { id: string; userId: string; channel: string; userRef: string; expiresAt: Date };

export async function createKycLink(args: {
  ctx: ServiceContext;
  userId: string;
  channel: string;
  userRef: string;
}): Promise<{ url: string; expiresAt: Date }> {
  const { ctx } = args;
  await assertMayGiveBvn(ctx, args.userId);
  const now = ctx.now();
  const token = secretToken("kyc");
  const expiresAt = new Date(now.getTime() + ctx.config.KYC_LINK_TTL_MINUTES * 60_000);
  await withTransaction(ctx, async (trx) => {
    // Only the newest link works: an older one left in a chat is dead.
    await trx
      .updateTable("kyc_links")
      .set({ used_at: now })
      .where("user_id", "=", args.userId)
      .where("used_at", "is", null)
      .execute();
    await trx
      .insertInto("kyc_links")
      .values({
        id: newId("kyl", now.getTime()),
        token_hash: sha256(token),
        user_id: args.userId,
        channel: args.channel,
        user_ref: args.userRef,
        expires_at: expiresAt,
      })
      .execute();
  });
  return { url: `${ctx.config.publicBaseUrl}/kyc/${encodeURIComponent(token)}`, expiresAt };
}

/**
 * A BVN page only for a customer who can use it: active, at a level that gets a permanent account
 * number (counting the raise a BVN gives), and without one already (asked for or issued).
 */
async function assertMayGiveBvn(ctx: ServiceContext, userId: string): Promise<void> {
  const user = await ctx.db
    .selectFrom("users")
    .select(["status", "verification_level"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (user?.status !== "active") {
    throw new ServiceError("forbidden", "ACCOUNT_SUSPENDED", "This account is suspended. Contact support.");
  }
  if (!levelLimits(ctx.config, Math.max(user.verification_level, 1)).permanentAccount) {
    throw new ServiceError(
      "forbidden",
      "LEVEL_TOO_LOW",
      "Permanent account numbers are not available at your verification level yet. You can still pay by transfer once (ask for an amount) or by card.",
    );
  }
  const existing = await ctx.db
    .selectFrom("virtual_accounts")
    .select("status")
    .where("user_id", "=", userId)
    .where("kind", "=", "static")
    .where("status", "in", ["requested", "active"])
    .executeTakeFirst();
  if (existing) {
    throw new ConflictError(
      existing.status === "active"
        ? "You already have an account number: GET /api/wallet/transfer-account shows it."
        : "Your account number is being set up; it is sent to you as soon as the bank confirms it.",
      "ACCOUNT_NUMBER_EXISTS",
    );
  }
}

const LINK_COLUMNS = ["id", "user_id", "channel", "user_ref", "expires_at"] as const;

function toKycLink(row: {
  id: string;
  user_id: string;
  channel: string;
  user_ref: string;
  expires_at: Date;
}) {
  return {
    id: row.id,
    userId: row.user_id,
    channel: row.channel,
    userRef: row.user_ref,
    expiresAt: row.expires_at,
  };
}

/** The link behind a token while it can be used (GET shows the form; nothing is consumed). */
export async function findOpenKycLink(args: {
  ctx: ServiceContext;
  token: string;
}): Promise<KycLink | undefined> {
  const row = await args.ctx.db
    .selectFrom("kyc_links")
    .select(LINK_COLUMNS)
    .where("token_hash", "=", sha256(args.token))
    .where("used_at", "is", null)
    .where("expires_at", ">", args.ctx.now())
    .executeTakeFirst();
  return row ? toKycLink(row) : undefined;
}

/** Digits only, as people type them ("222 1234 5678" is fine); undefined when it is not 11 digits. */
export function readBvn(text: string): string | undefined {
  const digits = text.replace(/[\s-]/g, "");
  return /^\d{11}$/.test(digits) ? digits : undefined;
}

/** A name as the bank needs it: letters, spaces, hyphens and apostrophes, 1–50 characters. */
function readName(text: string | undefined): string | undefined {
  const name = text?.normalize("NFC").trim().replace(/\s+/g, " ");
  return name && /^[\p{L}][\p{L}\p{M} '’-]{0,49}$/u.test(name) ? name : undefined;
}

export type KycOutcome =
  /** The account number is ready. */
  | { outcome: "issued"; account: VirtualAccountDto; bvnLast3: string }
  /** The gateway has not answered yet; the chat is told when it does. */
  | { outcome: "pending"; bvnLast3: string }
  /** The gateway refused the BVN (it is not kept). */
  | { outcome: "refused"; message: string }
  /** The form was not right: the message says what, and the link still works. */
  | { outcome: "invalid"; field: "bvn" | "firstName" | "lastName"; message: string }
  /** This BVN is already on another customer's account. */
  | { outcome: "duplicate" }
  /** Unknown, used or expired link. */
  | { outcome: "gone" }
  /** Suspended customer, or a level that gets no permanent account. */
  | { outcome: "not_allowed"; message: string };

/**
 * The KYC page was submitted. The form is checked before the link is used (a typo keeps the link);
 * then the link is used once, the BVN stored encrypted, and a static account asked for. The BVN
 * goes nowhere else: not into logs, job payloads, the chat or the answer (only its last 3 digits).
 */
export async function submitKyc(args: {
  ctx: ServiceContext;
  payments: PaymentsRuntime;
  token: string;
  form: { bvn?: string; firstName?: string; lastName?: string };
}): Promise<KycOutcome> {
  const { ctx, payments } = args;
  const bvn = readBvn(args.form.bvn ?? "");
  if (!bvn) {
    return {
      outcome: "invalid",
      field: "bvn",
      message: "A BVN is 11 digits. Dial *565*0# on the phone number linked to your bank to see yours.",
    };
  }
  const firstName = readName(args.form.firstName);
  const lastName = readName(args.form.lastName);
  if (!firstName) {
    return { outcome: "invalid", field: "firstName", message: "Enter your first name as your bank has it." };
  }
  if (!lastName) {
    return {
      outcome: "invalid",
      field: "lastName",
      message: "Enter your last name (surname) as your bank has it.",
    };
  }
  const now = ctx.now();
  const link = await ctx.db
    .updateTable("kyc_links")
    .set({ used_at: now })
    .where("token_hash", "=", sha256(args.token))
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning(LINK_COLUMNS)
    .executeTakeFirst();
  if (!link) {
    return { outcome: "gone" };
  }
  const current = await ctx.db
    .selectFrom("virtual_accounts")
    .selectAll()
    .where("user_id", "=", link.user_id)
    .where("kind", "=", "static")
    .where("status", "in", ["requested", "active"])
    .executeTakeFirst();
  const kept = await ctx.db
    .selectFrom("user_kyc")
    .select("bvn_last3")
    .where("user_id", "=", link.user_id)
    .executeTakeFirst();
  if (current && kept) {
    // Already given (another tab, an old link): the BVN on file stays; the account is the answer.
    return current.status === "active"
      ? { outcome: "issued", account: toVirtualAccountDto(current), bvnLast3: kept.bvn_last3 }
      : { outcome: "pending", bvnLast3: kept.bvn_last3 };
  }
  const fingerprint = bvnFingerprint(ctx.config, bvn);
  const other = await ctx.db
    .selectFrom("user_kyc")
    .select("user_id")
    .where("bvn_fingerprint", "=", fingerprint)
    .where("user_id", "<>", link.user_id)
    .executeTakeFirst();
  if (other) {
    ctx.logger.warn({ userId: link.user_id }, "KYC: this BVN is already on another customer's account");
    return { outcome: "duplicate" };
  }
  const last3 = bvn.slice(-3);
  await ctx.db
    .insertInto("user_kyc")
    .values({
      user_id: link.user_id,
      bvn_ciphertext: sealBvn(ctx.config, bvn),
      bvn_last3: last3,
      bvn_fingerprint: fingerprint,
      first_name: firstName,
      last_name: lastName,
    })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet((eb) => ({
        bvn_ciphertext: eb.ref("excluded.bvn_ciphertext"),
        bvn_last3: eb.ref("excluded.bvn_last3"),
        bvn_fingerprint: eb.ref("excluded.bvn_fingerprint"),
        first_name: eb.ref("excluded.first_name"),
        last_name: eb.ref("excluded.last_name"),
        updated_at: now,
      })),
    )
    .execute();
  try {
    const row = await requestStaticAccount({ ctx, payments, userId: link.user_id, channel: link.channel });
    if (row.status === "active") {
      return { outcome: "issued", account: toVirtualAccountDto(row), bvnLast3: last3 };
    }
    if (row.status === "refused") {
      return { outcome: "refused", message: row.failure_reason ?? "The bank did not accept this BVN." };
    }
    return { outcome: "pending", bvnLast3: last3 };
  } catch (error) {
    if (
      error instanceof Error &&
      "code" in error &&
      (error.code === "LEVEL_TOO_LOW" || error.code === "ACCOUNT_SUSPENDED")
    ) {
      return { outcome: "not_allowed", message: error.message };
    }
    throw error;
  }
}
