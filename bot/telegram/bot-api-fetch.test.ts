import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Api, HttpError, InputFile } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { botApiFetch } from "./bot-api-fetch";

/** A tiny Bot API stand-in: answers by the method name, records what it was sent. */
let server: http.Server;
let apiRoot: string;
const received: { method: string; body: string; contentLength?: string }[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = req.url?.split("/").pop() ?? "";
      received.push({
        method,
        body: Buffer.concat(chunks).toString(),
        contentLength: req.headers["content-length"],
      });
      if (method === "sendMessage") {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({ ok: true, result: { message_id: 7, date: 0, chat: { id: 1, type: "private" } } }),
        );
      } else if (method === "getChat") {
        res.statusCode = 400;
        res.end(JSON.stringify({ ok: false, error_code: 400, description: "Bad Request: chat not found" }));
      } else if (method === "getMe") {
        res.statusCode = 502;
        res.end("<html>Bad Gateway</html>"); // a proxy's page, not JSON
      } else if (method === "getUpdates") {
        // Never answers: the caller's abort must end it.
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function api(timeoutSeconds = 10): Api {
  return new Api("123:abc", { apiRoot, timeoutSeconds, fetch: botApiFetch as never });
}

describe("the Bot API fetch under grammY's client", () => {
  it("sends the JSON body with its byte length and returns the result", async () => {
    const sent = await api().sendMessage(1, "₦500 — Delivered ✅");
    expect(sent.message_id).toBe(7);
    const last = received.at(-1);
    expect(last?.method).toBe("sendMessage");
    expect(JSON.parse(last?.body ?? "{}")).toMatchObject({ chat_id: 1, text: "₦500 — Delivered ✅" });
    expect(Number(last?.contentLength)).toBe(Buffer.byteLength(last?.body ?? ""));
  });

  it("a refusal is grammY's error with the Bot API's description", async () => {
    await expect(api().getChat(1)).rejects.toMatchObject({ error_code: 400, description: /chat not found/ });
  });

  it("an answer that is not JSON is an HttpError, not a crash", async () => {
    await expect(api().getMe()).rejects.toBeInstanceOf(HttpError);
  });

  it("an abort (the poller stopping) ends a call that hangs", async () => {
    const controller = new AbortController();
    // grammY types its signal with the abort-controller package; Node's is the same at run time.
    const call = api().getUpdates({ timeout: 25 }, controller.signal as never);
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toBeInstanceOf(HttpError);
  });

  it("grammY's timeout ends a call that hangs", async () => {
    const started = Date.now();
    await expect(api(1).getUpdates({ timeout: 0 })).rejects.toBeInstanceOf(HttpError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("an unreachable Bot API is an HttpError", async () => {
    const closed = new Api("123:abc", { apiRoot: "http://127.0.0.1:1", fetch: botApiFetch as never });
    await expect(closed.getMe()).rejects.toBeInstanceOf(HttpError);
  });

  it("refuses a file upload with a clear error (the bot sends text only)", async () => {
    // grammY wraps a failed fetch in its HttpError; the reason is kept in `error`.
    const error = await api()
      .sendDocument(1, new InputFile(Buffer.from("x"), "x.txt"))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(HttpError);
    expect(String((error as HttpError).error)).toMatch(/file uploads .* not supported/);
  });
});
