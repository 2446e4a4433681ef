import { Hono } from "hono";
import type { Config } from "../api/config";
import type { ServiceContext } from "../api/services/context";
import { consumePinLink, findOpenPinLink } from "../api/services/pin-links";
import { chatReturnLinks } from "./chat-links";
import { type PageReply, PinFormPage, PinLinkGonePage, PinOutcomePage } from "./pages/pin";

const CHANNELS = ["telegram", "whatsapp", "console"] as const;
type PinChannel = (typeof CHANNELS)[number];

/**
 * How the PIN page reaches the chat; the composition root wires it to the chat engine and to the
 * senders of the channels this process runs. `enterPin` hands the PIN to the engine as if typed at
 * the PIN step; its answer is queued in the chat outbox, and `sendNow` sends it when this process
 * runs the channel (true when the channel took all of it).
 */
export type PinChat = {
  enterPin(
    ctx: ServiceContext,
    input: { channel: PinChannel; userRef: string; messageId: string; text: string; pinLinkFor: string },
  ): Promise<{ replies: PageReply[]; sendNow(): Promise<boolean> }>;
};

/** How long the page waits for the chat's copy to go out before it answers anyway. */
const PAGE_WAIT_FOR_CHAT_MS = 3_000;

/**
 * `/pin/:token`, the one-time PIN page (S4). GET shows the form; POST consumes the link and hands
 * the PIN to the chat engine as if typed at the PIN step (flagged `pinFromSecurePage`), shows the
 * answer and sends it to the chat too. The PIN is never logged, stored or put back in a page.
 */
export function pinRoutes(deps: { config: Config; pinChat: PinChat }) {
  const app = new Hono<{ Variables: { ctx: ServiceContext } }>();
  const sandbox = deps.config.sandbox;
  // Where "back to the chat" goes: the link's own channel once it is known (chat-links.ts).
  const chatLinks = (channel?: string) => chatReturnLinks(deps.config, channel);

  // The token in the URL is a secret: no cache may keep the page, no Referer may carry it away.
  app.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
  });

  // GET never consumes the link: link-preview fetchers and prefetching browsers open it too.
  app.get("/:token", async (c) => {
    const link = await findOpenPinLink({ ctx: c.var.ctx, token: c.req.param("token") });
    if (!link) {
      return c.html(<PinLinkGonePage sandbox={sandbox} chatLinks={chatLinks()} />, 410);
    }
    return c.html(<PinFormPage link={link} sandbox={sandbox} />);
  });

  app.post("/:token", async (c) => {
    const ctx = c.var.ctx;
    const link = await consumePinLink({ ctx, token: c.req.param("token") });
    const channel = CHANNELS.find((ch) => ch === link?.channel);
    if (!link || !channel) {
      return c.html(<PinLinkGonePage sandbox={sandbox} chatLinks={chatLinks()} />, 410);
    }
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === "string" ? form[name].trim() : "");
    // The change-PIN step reads "current new", exactly what it takes when typed on other channels.
    const text = link.purpose === "change_pin" ? `${field("current_pin")} ${field("pin")}` : field("pin");
    // The engine queues its answer in the chat outbox with the step it saves; leased to this
    // process's sender when it runs the channel, so it goes out now rather than at the next poll.
    const out = await deps.pinChat
      .enterPin(ctx, {
        channel,
        userRef: link.userRef,
        messageId: `pinlink:${link.id}`,
        text,
        pinLinkFor: link.confirmId,
      })
      .catch((error: unknown) => {
        // The engine answers every flow error itself; this is the database being unreachable. The
        // purchase is keyed by the Confirm tap, so asking again in the chat cannot buy twice.
        ctx.logger.error({ err: error, channel, pinLinkId: link.id }, "PIN page input failed");
        return undefined;
      });
    if (!out) {
      const sorry =
        "Sorry, something went wrong on our side. Go back to the chat and check your recent orders before trying again.";
      return c.html(
        <PinOutcomePage
          title={link.title}
          replies={[{ text: sorry }]}
          sentToChat={false}
          sandbox={sandbox}
          chatLinks={chatLinks(channel)}
        />,
        500,
      );
    }
    // The answer reaches the chat through the outbox, retried while the chat cannot be reached (it
    // is already queued, so nothing is lost). The page waits a moment for the send, never longer:
    // it shows the outcome itself either way.
    const sentToChat = await sendToChat(ctx, channel, link.id, out);
    // The electricity token is shown here, where the answer is shown at once; the chat's copy reads
    // it from the order when it is sent (it is never stored in the outbox, P11).
    const shown = out.replies.map((reply) =>
      reply.token ? { ...reply, text: `${reply.text}\nToken: ${reply.token}` } : reply,
    );
    return c.html(
      <PinOutcomePage
        title={link.title}
        replies={shown}
        sentToChat={sentToChat}
        sandbox={sandbox}
        chatLinks={chatLinks(channel)}
      />,
    );
  });

  /** True when the chat's sender took the answer within the page's wait (not: when it got there). */
  async function sendToChat(
    ctx: ServiceContext,
    channel: PinChannel,
    pinLinkId: string,
    out: { sendNow(): Promise<boolean> },
  ): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const sending = out.sendNow().then(
      (handedOver) => handedOver,
      (error: unknown) => {
        ctx.logger.warn(
          { err: error, channel, pinLinkId },
          "PIN outcome not sent to the chat yet; the outbox retries",
        );
        return false;
      },
    );
    const waited = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PAGE_WAIT_FOR_CHAT_MS);
    });
    const handedOver = await Promise.race([sending, waited]);
    clearTimeout(timer);
    return handedOver;
  }
  return app;
}
