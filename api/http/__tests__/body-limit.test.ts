import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundedBody } from "../../transport/body-limit";

/** Over real HTTP (@hono/node-server), as `npm start` serves: the header path and the chunked path. */
let server: ReturnType<typeof serve>;
let port: number;

beforeAll(async () => {
  const app = new Hono();
  app.use(boundedBody({ maxSize: 100, onError: (c) => c.text("too large", 413) }));
  app.post("/echo", async (c) => c.json({ got: (await c.req.text()).length }));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function post(body: string, chunked: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/echo",
        method: "POST",
        headers: chunked ? { "transfer-encoding": "chunked" } : { "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    if (chunked) {
      // Two chunks, so the size is only known once the body is read.
      req.write(body.slice(0, body.length / 2));
      req.end(body.slice(body.length / 2));
    } else {
      req.end(body);
    }
  });
}

describe("the app-wide body limit", () => {
  it("passes a body within the limit, sized by its Content-Length or read in chunks", async () => {
    expect(await post("x".repeat(100), false)).toEqual({ status: 200, text: JSON.stringify({ got: 100 }) });
    expect(await post("y".repeat(80), true)).toEqual({ status: 200, text: JSON.stringify({ got: 80 }) });
  });

  it("refuses a larger body with 413 either way", async () => {
    expect((await post("x".repeat(101), false)).status).toBe(413);
    expect((await post("y".repeat(500), true)).status).toBe(413);
  });
});
