import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Every request body bounded to `maxSize` bytes before anything reads it. A body with a
 * Content-Length is judged by the header alone (Node's HTTP parser never delivers more than it
 * says): hono's own bodyLimit looks at `c.req.raw.body`, which turns @hono/node-server's light
 * request into a full web Request (an AbortController, a ReadableStream and a copy of the headers
 * per request, about a tenth of the server's CPU in a claim storm). A body already read (the input
 * guard reads every body into hono's cache, so a route's own tighter limit sees it that way) is
 * judged by its length. Only a chunked body not read yet goes through hono's bodyLimit.
 */
export function boundedBody(options: {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}): MiddlewareHandler {
  const streamed = bodyLimit(options);
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      return next();
    }
    const read = (c.req.bodyCache as Record<string, unknown>).arrayBuffer as Promise<ArrayBuffer> | undefined;
    if (read) {
      return (await read).byteLength > options.maxSize ? options.onError(c) : next();
    }
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      return Number.parseInt(length, 10) > options.maxSize ? options.onError(c) : next();
    }
    return streamed(c, next);
  };
}
