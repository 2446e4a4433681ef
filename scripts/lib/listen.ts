import { createAdaptorServer, type ServerType } from "@hono/node-server";

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
