import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Update } from "grammy/types";
import { Hono } from "hono";

export type BotApiCall = { method: string; payload: Record<string, unknown> };

/**
 * A local HTTP server posing as the Telegram Bot API (TELEGRAM_API_ROOT): getUpdates hands out the
 * updates a test pushes (long polling: an empty answer after a short wait), every other method is
 * recorded and answered ok. `floodOnce` makes the first call of a method answer 429 with
 * retry_after, as Telegram does under flood control.
 */
export async function startFakeBotApi(options: { token: string; floodOnce?: string[] }) {
  const calls: BotApiCall[] = [];
  const updates: Update[] = [];
  const flooded = new Set<string>();
  let messageIds = 1;
  const app = new Hono();
  app.post("/:bot/:method", async (c) => {
    if (c.req.param("bot") !== `bot${options.token}`) {
      return c.json({ ok: false, error_code: 401, description: "Unauthorized" }, 401);
    }
    const method = c.req.param("method");
    const text = await c.req.text();
    const payload = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (method === "getUpdates") {
      const offset = Number(payload.offset ?? 0);
      for (let waited = 0; waited < 500; waited += 25) {
        const due = updates.filter((u) => u.update_id >= offset);
        if (due.length > 0) {
          return c.json({ ok: true, result: due });
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      return c.json({ ok: true, result: [] });
    }
    calls.push({ method, payload });
    if (options.floodOnce?.includes(method) && !flooded.has(method)) {
      flooded.add(method);
      return c.json(
        {
          ok: false,
          error_code: 429,
          description: "Too Many Requests: retry after 1",
          parameters: { retry_after: 1 },
        },
        429,
      );
    }
    if (method === "getMe") {
      return c.json({
        ok: true,
        result: { id: 42, is_bot: true, first_name: "TADA VTU", username: "tada_vtu_bot" },
      });
    }
    if (method === "sendMessage") {
      return c.json({
        ok: true,
        result: {
          message_id: messageIds++,
          date: 0,
          chat: { id: payload.chat_id, type: "private" },
          text: payload.text,
        },
      });
    }
    return c.json({ ok: true, result: true });
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    push(update: Update) {
      updates.push(update);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) {
          server.closeAllConnections();
        }
      }),
  };
}
