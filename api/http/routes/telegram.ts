import { Hono } from "hono";
import { z } from "zod";
import { constantTimeEqual } from "../../services/hashing";
import type { AppEnv } from "../context";
import { HttpError } from "../errors";

/** What the Telegram adapter gives the HTTP layer in webhook mode (no grammY types needed here). */
export type TelegramWebhook = {
  secret: string;
  // biome-ignore lint/suspicious/noExplicitAny: the Update shape is the adapter's business.
  handleUpdate(update: any): Promise<void>;
};

/**
 * The parts of an Update the adapter reads, with Telegram's types (Bot API "Update", "Message",
 * "CallbackQuery"). Telegram always sends these; a body where they have other types did not come
 * from Telegram's servers and would only crash the adapter. Other fields pass unread.
 */
const tgUser = z.object({
  id: z.number().int(),
  first_name: z.string(),
  last_name: z.string().optional(),
});
const tgChat = z.object({ id: z.number().int(), type: z.string() });
const tgMessage = z.object({
  message_id: z.number().int(),
  chat: tgChat,
  from: tgUser.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  contact: z.object({ phone_number: z.string(), user_id: z.number().int().optional() }).optional(),
});
const TelegramUpdateShape = z.object({
  update_id: z.number().int(),
  message: tgMessage.optional(),
  edited_message: tgMessage.optional(),
  callback_query: z
    .object({
      id: z.string(),
      from: tgUser,
      data: z.string().optional(),
      message: z.object({ chat: tgChat }).optional(),
    })
    .optional(),
});

/**
 * POST /api/telegram/webhook: Telegram sends each update with X-Telegram-Bot-Api-Secret-Token. A
 * wrong or missing token is 403 and nothing runs (W8). A repeated update is answered 200 and handled
 * once: the engine records each message and button press by its id.
 */
export function telegramWebhookRoutes(webhook: TelegramWebhook) {
  const app = new Hono<AppEnv>();
  app.post("/webhook", async (c) => {
    const token = c.req.header("x-telegram-bot-api-secret-token") ?? "";
    if (!constantTimeEqual(token, webhook.secret)) {
      c.var.ctx.logger.warn({ path: c.req.path }, "telegram webhook with a wrong secret token rejected");
      throw new HttpError(403, "FORBIDDEN", "The secret token is wrong.");
    }
    let update: unknown;
    try {
      update = await c.req.json();
    } catch {
      throw new HttpError(400, "INVALID_JSON", "The update is not valid JSON.");
    }
    const shape = TelegramUpdateShape.safeParse(update);
    if (!shape.success) {
      const where = shape.error.issues[0]?.path.join(".") || "(body)";
      throw new HttpError(
        400,
        "INVALID_UPDATE",
        `The body must be a Telegram Update with an update_id (${where}: ${shape.error.issues[0]?.message}).`,
      );
    }
    // Errors inside the bot are logged by it; a failure here (database down before the update
    // was recorded) returns 500 so Telegram delivers the update again.
    await webhook.handleUpdate(update);
    return c.json({ ok: true });
  });
  return app;
}
