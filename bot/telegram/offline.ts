// An offline Telegram for the tests and the bench: a bot identity (no getMe), Update builders, and an
// API transformer that answers Bot API calls locally and records them (environment.md §6).
import type { Bot } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";

/** A bot identity for tests and the bench, so grammY never calls getMe. */
export const BOT_INFO: UserFromGetMe = {
  id: 42,
  is_bot: true,
  first_name: "TADA VTU",
  username: "tada_vtu_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

export type Call = { method: string; payload: Record<string, unknown> };

/**
 * Record every Bot API call the bot makes and answer it locally (no network; environment.md §6).
 * `failing` makes a method answer with a Bot API error.
 */
export function recordApiCalls(
  bot: Bot,
  failing: Record<string, { code: number; description: string }> = {},
): Call[] {
  const calls: Call[] = [];
  let messageIds = 1000;
  bot.api.config.use(async (_prev, method, payload) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    const failure = failing[method];
    if (failure) {
      // biome-ignore lint/suspicious/noExplicitAny: a Bot API error response.
      return { ok: false, error_code: failure.code, description: failure.description } as any;
    }
    const result =
      method === "sendMessage"
        ? {
            message_id: messageIds++,
            date: 0,
            chat: { id: (payload as { chat_id: number }).chat_id, type: "private" },
            text: "",
          }
        : true;
    // biome-ignore lint/suspicious/noExplicitAny: the transformer returns raw API responses.
    return { ok: true, result } as any;
  });
  return calls;
}

let updateId = 1;
let messageId = 1;
export function textUpdate(userId: number, text: string): Update {
  const entities = text.startsWith("/")
    ? [{ type: "bot_command" as const, offset: 0, length: text.split(" ")[0]?.length ?? 0 }]
    : undefined;
  return {
    update_id: updateId++,
    message: {
      message_id: messageId++,
      date: 0,
      text,
      entities,
      chat: { id: userId, type: "private", first_name: "Ada" },
      from: { id: userId, is_bot: false, first_name: "Ada", last_name: "Obi" },
    },
  } as Update;
}
export function tapUpdate(userId: number, data: string): Update {
  return {
    update_id: updateId++,
    callback_query: {
      id: `cq${updateId}`,
      chat_instance: "ci",
      data,
      from: { id: userId, is_bot: false, first_name: "Ada" },
      message: {
        message_id: 1,
        date: 0,
        chat: { id: userId, type: "private", first_name: "Ada" },
        text: "menu",
      },
    },
  } as Update;
}
