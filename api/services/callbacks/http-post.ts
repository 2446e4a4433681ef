import type { LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { ResolvedAddress } from "./url-policy";

export type PostResult = { statusCode: number; body: string } | { error: string };

const MAX_BODY_KEPT = 500;

/**
 * POST a callback: one request on a fresh connection, redirects never followed (a 3xx is an answer
 * like any other non-2xx), at most `timeoutMs` from start to status line. With `pinned`, the
 * connection goes to those addresses — the ones the SSRF check approved — instead of asking DNS
 * again (a name re-pointed between check and connect would otherwise get through); TLS still
 * checks the certificate against the URL's host name. Only the first 500 characters of the answer
 * are kept, for the delivery log.
 */
export function postCallback(args: {
  url: URL;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  pinned?: ResolvedAddress[];
}): Promise<PostResult> {
  const { url, pinned } = args;
  const client = url.protocol === "https:" ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        request.destroy();
        resolve(result);
      }
    };
    const request = client.request(url, {
      method: "POST",
      agent: false,
      headers: { ...args.headers, "Content-Length": String(Buffer.byteLength(args.body)) },
      ...(pinned && pinned.length > 0 ? { lookup: pinnedLookup(pinned) } : {}),
    });
    const limit = args.timeoutMs >= 1000 ? `${Math.round(args.timeoutMs / 1000)} s` : `${args.timeoutMs} ms`;
    // Only a wait for this one POST: the delivery itself is a callback_deliveries row under a lease,
    // so after a crash its lease runs out and the next sender posts it again (at least once).
    const timer = setTimeout(
      () => finish({ error: `no answer within ${limit} (timed out)` }),
      args.timeoutMs,
    );
    request.on("response", (response) => {
      const statusCode = response.statusCode ?? 0;
      let kept = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        kept += chunk;
        if (kept.length >= MAX_BODY_KEPT) {
          finish({ statusCode, body: kept.slice(0, MAX_BODY_KEPT) });
        }
      });
      response.on("end", () => finish({ statusCode, body: kept }));
      response.on("error", () => finish({ statusCode, body: kept }));
    });
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish({ error: error.code ? `${error.code}: ${error.message}` : error.message }),
    );
    request.end(args.body);
  });
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for net.connect that answers with the approved addresses only. */
function pinnedLookup(addresses: ResolvedAddress[]) {
  return (_hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    if (options?.all) {
      callback(null, addresses);
      return;
    }
    const first = addresses[0] as ResolvedAddress;
    callback(null, first.address, first.family);
  };
}
