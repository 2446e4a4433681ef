import { createAdaptorServer, type ServerType } from "@hono/node-server";
import { type AppDeps, createApiApp } from "../../api/http/app";
import type { ServiceContext } from "../../api/services/context";
import type { PaymentsRuntime } from "../../api/services/funding";
import type { VtuRuntime } from "../../api/services/vtu";
import { handleChatInput } from "../../bot/engine/engine";
import type { ChatSenders } from "../../bot/outbound";
import { createWebApp } from "../../web/app";
import { notFoundPage, refusedRequestPage } from "../../web/pages/refused-request";
import type { PinChat } from "../../web/pin-routes";

/**
 * The whole HTTP surface of a process: the API (api/http) with the server-rendered pages (web/)
 * mounted after it. The two transports never import each other; this is where they meet, and
 * where the PIN page is given its way into the chat engine.
 */
export function createHttpApp(
  deps: Omit<AppDeps, "pages"> & {
    /** The chat adapters running in this process, so the PIN page's answer goes out at once. */
    chatSenders?: ChatSenders;
  },
) {
  const { chatSenders, ...api } = deps;
  const web = createWebApp({
    config: deps.config,
    payments: deps.payments,
    vtu: deps.vtu,
    pinChat: pinChatOf({ vtu: deps.vtu, payments: deps.payments, senders: chatSenders }),
  });
  return createApiApp({
    ...api,
    pages: {
      app: web,
      refusal: refusedRequestPage(deps.config.sandbox),
      notFound: notFoundPage(deps.config.sandbox),
    },
  });
}

/** The PIN page's port (web/pin-routes.tsx) on the chat engine and this process's senders. */
function pinChatOf(deps: { vtu: VtuRuntime; payments: PaymentsRuntime; senders?: ChatSenders }): PinChat {
  return {
    async enterPin(ctx: ServiceContext, input) {
      const out = await handleChatInput(
        { ctx: () => ctx, vtu: deps.vtu, payments: deps.payments },
        { ...input, pinFromSecurePage: true },
        { sendingBy: deps.senders?.owner(input.channel) },
      );
      const senders = deps.senders;
      return {
        replies: out.replies,
        sendNow: async () =>
          senders !== undefined && out.outboxIds.length > 0 ? senders.sendNow(input.channel, out) : false,
      };
    },
  };
}

/**
 * The listen backlog of the HTTP server. A burst of fresh connections (a gift room's link shared to
 * thousands at once) overflowed Node's default of 511: the kernel fell back to SYN cookies and 3–9 %
 * of 2,000 simultaneous claims were reset (ECONNRESET) before a request was read (DECISIONS §46).
 * Linux caps it at net.core.somaxconn.
 */
export const LISTEN_BACKLOG = 4096;

/** Serve `fetch` on host:port with LISTEN_BACKLOG; rejects with the listen error (e.g. EADDRINUSE). */
export function listenHttp(
  fetch: Parameters<typeof createAdaptorServer>[0]["fetch"],
  options: { host: string; port: number },
): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const server = createAdaptorServer({ fetch });
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG }, () => resolve(server));
  });
}
