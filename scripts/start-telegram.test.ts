import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tapUpdate, textUpdate } from "../bot/telegram/offline";
import { findRunningPostmaster } from "../db/embedded";
import { startFakeBotApi } from "../test/emulators/telegram-bot-api";
import { spawnApp } from "../test/helpers/spawn-app";
import { freePort } from "./lib/free-port";

/**
 * The real `npm start` with TELEGRAM_BOT_TOKEN, long polling a local server posing as the Bot API
 * (TELEGRAM_API_ROOT): a person sets a PIN, funds the wallet through the sandbox checkout (the credit
 * arrives as a Telegram notification) and buys airtime to a delivered order.
 */
const dataDir = path.join(os.tmpdir(), `tada-start-tg-${process.pid}-${Date.now()}`);
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGINT");
    await new Promise((r) => child?.once("exit", r));
  }
  const orphan = findRunningPostmaster(path.join(dataDir, "pg"));
  if (orphan) {
    process.kill(orphan.pid, "SIGINT");
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start with TELEGRAM_BOT_TOKEN", () => {
  it("runs the chat flows on Telegram and delivers notifications there", async () => {
    const api = await startFakeBotApi({ token: "777:start" });
    const port = await freePort();
    try {
      const app = await spawnApp(
        {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/root",
          DATA_DIR: dataDir,
          LOG_LEVEL: "warn",
          PORT: String(port),
          EMBEDDED_PG_PORT: String(await freePort()),
          SANDBOX_LATENCY_MS: "0",
          TELEGRAM_BOT_TOKEN: "777:start",
          TELEGRAM_API_ROOT: api.apiRoot,
        },
        { readyWithinMs: 60_000 },
      );
      child = app.child;
      expect(app.output()).toContain("Telegram (long polling)");

      const chat = 424242;
      const texts = () =>
        api.calls
          .filter((c) => c.method === "sendMessage" && c.payload.chat_id === chat)
          .map((c) => String(c.payload.text));
      const waitFor = async (pattern: RegExp, from: number) => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const found = texts()
            .slice(from)
            .find((t) => pattern.test(t));
          if (found) {
            return found;
          }
          if (Date.now() > deadline) {
            throw new Error(
              `no message matching ${pattern}; got:\n${texts().join("\n---\n")}\n${app.output()}`,
            );
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const say = async (update: ReturnType<typeof textUpdate>, expected: RegExp) => {
        const from = texts().length;
        api.push(update);
        return waitFor(expected, from);
      };

      await say(textUpdate(chat, "/start"), /phone number/);
      const contact = textUpdate(chat, "x");
      Object.assign(contact.message ?? {}, {
        text: undefined,
        contact: { phone_number: "+2348035550101", first_name: "Ada", user_id: chat },
      });
      await say(contact, /08035550101|PIN|What would you like/);
      await say(tapUpdate(chat, "c:nav:pin"), /PIN/);
      await say(textUpdate(chat, "2580"), /PIN (is )?set|saved/i);
      expect(api.calls.some((c) => c.method === "deleteMessage" && c.payload.chat_id === chat)).toBe(true);

      const link = await say(textUpdate(chat, "fund 5k"), /fund\/sandbox\//);
      const checkout = /(http:\/\/\S+\/fund\/sandbox\/\S+)/.exec(link)?.[1];
      expect(checkout).toBeDefined();
      const from = texts().length;
      const paid = await fetch(String(checkout), {
        method: "POST",
        body: new URLSearchParams({ action: "pay" }),
        redirect: "manual",
      });
      expect(paid.status).toBe(303);
      await waitFor(/added to your wallet/, from);

      await say(textUpdate(chat, "airtime 100 08031231234"), /MTN/);
      await say(tapUpdate(chat, "c:net:mtn"), /You pay/);
      await say(tapUpdate(chat, "c:confirm"), /PIN/);
      await say(textUpdate(chat, "2580"), /Delivered/);

      child.kill("SIGINT");
      expect(await new Promise((r) => child?.once("exit", r)), app.output()).toBe(0);
    } finally {
      await api.close();
    }
  }, 120_000);
});
