import { type ServiceContext, withTransaction } from "../context";
import { isUniqueViolation } from "../db-errors";
import { ServiceError } from "../errors";
import { normalizePhone } from "../phone";
import { moveIdentity } from "./link-codes";

/**
 * Which account the console chat (`npm run chat -- --as <phone>`) uses. The console is a local tool
 * run by whoever runs the server, and in sandbox mode it joins the account that has that phone, so
 * a customer registered with curl and the console share one wallet and one PIN (issue 21 §13).
 * Outside sandbox mode a number typed into a terminal proves nothing: nothing is joined, and the
 * way in is the link code every chat uses (POST /api/auth/link-code, then /link <code>).
 */
export type ConsoleAccount =
  /** No account has this phone: the chat makes its own on the first message, as any chat does. */
  | { kind: "none" }
  /** The chat uses the account that has this phone: joined just now, or already before. */
  | { kind: "joined"; phone: string; now: boolean }
  /** Outside sandbox mode an account has this phone: joining it takes a link code. */
  | { kind: "link_needed"; phone: string }
  /**
   * Left apart: the console's own account already holds money or another channel (merging wallets
   * is a support action, DECISIONS §6), or the phone's account has another console chat.
   */
  | { kind: "apart"; phone: string; reason: "chat_has_wallet" | "account_has_console" };

export async function attachConsoleChat(args: {
  ctx: ServiceContext;
  phone: string;
}): Promise<ConsoleAccount> {
  const phone = normalizePhone(args.phone);
  try {
    return await attach(args.ctx, phone);
  } catch (error) {
    // Two consoles for one phone started at once: the other one joined it first.
    if (isUniqueViolation(error)) {
      return attach(args.ctx, phone);
    }
    throw error;
  }
}

function attach(ctx: ServiceContext, phone: string): Promise<ConsoleAccount> {
  return withTransaction(ctx, async (trx) => {
    const owner = await trx
      .selectFrom("users")
      .select("id")
      .where("phone", "=", phone)
      .where("status", "<>", "closed")
      .executeTakeFirst();
    if (!owner) {
      return { kind: "none" };
    }
    const identity = await trx
      .selectFrom("identities")
      .select(["id", "user_id"])
      .where("channel", "=", "console")
      .where("external_id", "=", phone)
      .forUpdate()
      .executeTakeFirst();
    if (identity?.user_id === owner.id) {
      return { kind: "joined", phone, now: false };
    }
    if (!ctx.config.sandbox) {
      return { kind: "link_needed", phone };
    }
    const otherConsole = await trx
      .selectFrom("identities")
      .select("id")
      .where("user_id", "=", owner.id)
      .where("channel", "=", "console")
      .executeTakeFirst();
    if (otherConsole) {
      return { kind: "apart", phone, reason: "account_has_console" };
    }
    try {
      await moveIdentity(trx, {
        identity,
        to: owner.id,
        channel: "console",
        externalId: phone,
        now: ctx.now(),
      });
    } catch (error) {
      if (error instanceof ServiceError && error.code === "IDENTITY_HAS_WALLET") {
        return { kind: "apart", phone, reason: "chat_has_wallet" };
      }
      throw error;
    }
    return { kind: "joined", phone, now: true };
  });
}
