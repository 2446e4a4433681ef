import { sql } from "kysely";
import { z } from "zod";
import type { SignedInAdmin } from "../admins/sessions";
import { recordAudit } from "../audit";
import { enqueueChatMessages } from "../chat-outbox";
import { type ServiceContext, withTransaction } from "../context";
import { parseInput } from "../errors";
import { normalizePhone } from "../phone";
import type { AlertSeverity } from "./alerts";

export type AlertChannel = "telegram" | "whatsapp";

export type AlertToSend = {
  id: number;
  severity: AlertSeverity;
  title: string;
  body: string;
  /** The chats to send it to on this channel: every active admin who set one. */
  chats: string[];
};

/**
 * Claim the open alerts not yet sent on `channel` (each channel claims once, so the Telegram and
 * WhatsApp processes each send every alert) with the chats of the active admins who want them.
 * At most once per channel: an alert whose send fails is still on the dashboard and the alerts page.
 */
export async function claimAlertsForChannel(
  ctx: ServiceContext,
  channel: AlertChannel,
): Promise<AlertToSend[]> {
  const column = channel === "telegram" ? "alert_telegram_chat_id" : "alert_whatsapp_phone";
  const admins = await ctx.db
    .selectFrom("admin_users")
    .select(column)
    .where("status", "=", "active")
    .where(column, "is not", null)
    .execute();
  const chats = [...new Set(admins.map((a) => a[column]).filter((c): c is string => !!c))];
  if (chats.length === 0) {
    return []; // nobody listens here: leave the alerts unclaimed for when someone does
  }
  const claimed = await ctx.db
    .updateTable("admin_alerts")
    .set({ notified_channels: sql`array_append(notified_channels, ${channel})` })
    .where("resolved_at", "is", null)
    .where(sql<boolean>`NOT (${channel} = ANY(notified_channels))`)
    .returning(["id", "severity", "title", "body"])
    .execute();
  return claimed.map((a) => ({
    id: Number(a.id),
    severity: a.severity,
    title: a.title,
    body: a.body,
    chats,
  }));
}

/**
 * Queue the open alerts not yet sent on `channel` as chat outbox rows for the admins' chats, in the
 * claim's transaction: an alert claimed is an alert queued, and the outbox sends it (with retries)
 * like any other message. Returns how many messages were queued.
 */
export async function queueAlertsForChannel(ctx: ServiceContext, channel: AlertChannel): Promise<number> {
  return withTransaction(ctx, async (trx) => {
    const alerts = await claimAlertsForChannel({ ...ctx, db: trx }, channel);
    const rows = alerts.flatMap((alert) =>
      alert.chats.map((chat) => ({
        channel,
        externalId: chat,
        kind: "alert",
        reply: { text: alertMessage(alert) },
        dedupeKey: `alert:${alert.id}@${channel}:${chat}`,
      })),
    );
    return (await enqueueChatMessages(trx, rows)).length;
  });
}

/** The chat message of an alert. */
export function alertMessage(alert: Pick<AlertToSend, "severity" | "title" | "body">): string {
  return `${alert.severity === "critical" ? "🚨" : "⚠️"} TADA VTU alert: ${alert.title}\n${alert.body}`;
}

export const AlertChatsInput = z.strictObject({
  telegramChatId: z
    .string()
    .trim()
    .regex(/^(-?\d{1,20})?$/, "the Telegram chat id is a number (send /start to @userinfobot to see yours)")
    .optional(),
  whatsappPhone: z.string().trim().max(20).optional(),
});

export type AlertChats = { telegramChatId: string | null; whatsappPhone: string | null };

/** Where an admin wants alerts: their own Telegram chat id and WhatsApp number (audited). */
export async function setAlertChats(args: {
  ctx: ServiceContext;
  admin: SignedInAdmin;
  input: z.input<typeof AlertChatsInput>;
}): Promise<AlertChats> {
  const input = parseInput(AlertChatsInput, args.input);
  const telegram = input.telegramChatId ? input.telegramChatId : null;
  // WhatsApp chats are addressed by the international number without "+": 2348031234567.
  const whatsapp = input.whatsappPhone ? `234${normalizePhone(input.whatsappPhone).slice(1)}` : null;
  return withTransaction(args.ctx, async (trx) => {
    const before = await trx
      .selectFrom("admin_users")
      .select(["alert_telegram_chat_id", "alert_whatsapp_phone"])
      .where("id", "=", args.admin.id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("admin_users")
      .set({ alert_telegram_chat_id: telegram, alert_whatsapp_phone: whatsapp })
      .where("id", "=", args.admin.id)
      .execute();
    await recordAudit(trx, {
      actorType: "admin",
      actorId: args.admin.id,
      action: "admin.alert_chats",
      targetType: "admin",
      targetId: args.admin.id,
      before: { telegramChatId: before.alert_telegram_chat_id, whatsappPhone: before.alert_whatsapp_phone },
      after: { telegramChatId: telegram, whatsappPhone: whatsapp },
    });
    return { telegramChatId: telegram, whatsappPhone: whatsapp };
  });
}

export async function getAlertChats(ctx: ServiceContext, adminId: string): Promise<AlertChats> {
  const row = await ctx.db
    .selectFrom("admin_users")
    .select(["alert_telegram_chat_id", "alert_whatsapp_phone"])
    .where("id", "=", adminId)
    .executeTakeFirstOrThrow();
  return { telegramChatId: row.alert_telegram_chat_id, whatsappPhone: row.alert_whatsapp_phone };
}
