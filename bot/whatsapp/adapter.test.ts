import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { purgeExpiredCredentials } from "../../api/services/maintenance";
import { createPinLink } from "../../api/services/pin-links";
import { getWalletBalance } from "../../api/services/wallet";
import { captureLogger, makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { expectNoPin } from "../../test/helpers/sentinel";
import { pinPath, textMessage, whatsAppHarness } from "../../test/helpers/whatsapp";
import { NOT_TEXT_REPLY } from "./adapter";

/** WhatsApp end to end: a fake whatsapp-web.js client, the real engine, the PIN page, PostgreSQL. */
let tdb: TestDatabase;
let ctx: ServiceContext;
let logs: () => string;
let wa: Awaited<ReturnType<typeof whatsAppHarness>>;
let numbers = 0;
const newNumber = () => `23480310${String(++numbers).padStart(5, "0")}`;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  const captured = captureLogger();
  logs = captured.text;
  // Paced faster than a real account (5/s, 1 per chat), so a conversation takes no seconds.
  const config = testConfig({
    WHATSAPP_SENDS_PER_SECOND: "100",
    WHATSAPP_CHAT_SENDS_PER_SECOND: "20",
    CHAT_RETRY_MAX_SECONDS: "1",
    NOTIFY_INTERVAL_MS: "100",
    VTU_RESPONSE_WAIT_MS: "1000",
  });
  ctx = makeCtx(tdb.db, { config, logger: captured.logger });
  wa = await whatsAppHarness(ctx, captured.logger);
});
afterAll(async () => {
  await wa?.close();
  await tdb.destroy();
});

/** Set a PIN the WhatsApp way (link → page), and fund the wallet. */
async function customer(number: string, pin = "2580", kobo = 500_000) {
  await wa.say(number, "hi");
  const [ask] = await wa.say(number, "set pin");
  expect(ask).toMatch(/Open this link to choose your PIN/);
  const page = await wa.submitPin(pinPath(ask), { pin });
  expect(await page.text()).toMatch(/Your PIN is set/);
  await wa.fund(number, kobo);
}

async function ordersOf(number: string) {
  return tdb.db
    .selectFrom("vtu_orders")
    .select(["state", "channel"])
    .where("user_id", "=", await wa.userIdOf(number))
    .execute();
}

describe("WhatsApp adapter", () => {
  it("answers hello with a numbered menu; a number picks the line", async () => {
    const n = newNumber();
    const [greeting] = await wa.say(n, "hi", { notifyName: "Ada" });
    expect(greeting).toMatch(/Hello Ada/);
    const [menu] = await wa.say(n, "menu");
    expect(menu).toMatch(/^1\. Buy airtime$/m);
    const balanceLine = /^(\d+)\. My balance$/m.exec(menu ?? "")?.[1];
    expect(balanceLine).toBeDefined();
    expect((await wa.say(n, String(balanceLine))).join("\n")).toMatch(/Your balance is ₦0/);
    const user = await tdb.db
      .selectFrom("users")
      .select("display_name")
      .where("id", "=", await wa.userIdOf(n))
      .executeTakeFirstOrThrow();
    expect(user.display_name).toBe("Ada");
  });

  it("buys airtime with the PIN entered on the one-time page, to a delivered order", async () => {
    const n = newNumber();
    await customer(n);
    const [network] = await wa.say(n, "airtime 500 08031234567");
    expect(network).toMatch(/looks like MTN/);
    expect(network).toMatch(/^1\. MTN/m);
    const [summary] = await wa.say(n, "1");
    expect(summary).toMatch(/You pay ₦489\.85/);
    expect(summary).toMatch(/^1\. Confirm$/m);
    const [ask] = await wa.say(n, "1");
    expect(ask).toMatch(/To pay ₦489\.85, open this link to enter your PIN/);
    expect(ask).not.toMatch(/Send your transaction PIN/);

    const path = pinPath(ask);
    const form = await wa.app.request(path);
    expect(form.status).toBe(200);
    expect(form.headers.get("cache-control")).toBe("no-store");
    expect(form.headers.get("referrer-policy")).toBe("no-referrer");
    const formHtml = await form.text();
    expect(formHtml).toContain("Pay ₦489.85 for airtime");
    expect(formHtml).toMatch(/type="password"[^>]*inputmode="numeric"[^>]*autocomplete="one-time-code"/);

    const before = wa.client.to(n).length;
    const done = await wa.submitPin(path, { pin: "2580" });
    expect(done.status).toBe(200);
    expect(done.headers.get("cache-control")).toBe("no-store");
    const html = await done.text();
    expect(html).toMatch(/Order placed|Delivered/);
    const inChat = wa.client.to(n).slice(before);
    expect(inChat).toHaveLength(1);
    expect(inChat[0]).toMatch(/Order placed|Delivered/);
    // One-time links get no preview card (nothing fetches the page on our behalf).
    expect(wa.client.sent.filter((m) => m.text.includes("/pin/")).every((m) => m.linkPreview === false)).toBe(
      true,
    );

    await wa.vtu.drain();
    expect(await ordersOf(n)).toEqual([{ state: "delivered", channel: "whatsapp" }]);
    const balance = await getWalletBalance({ ctx, userId: await wa.userIdOf(n) });
    expect(balance.balanceKobo).toBe(500_000 - 48_985);
    await expectLedgerConsistent(tdb.db);
  });

  it("ignores groups, status updates, broadcasts and its own messages", async () => {
    const n = newNumber();
    const group = "120363025246125486@g.us";
    const sentBefore = wa.client.sent.length;
    await wa.say(n, "hi", { from: group });
    await wa.say(n, "hi", { from: "status@broadcast", isStatus: true });
    await wa.say(n, "hi", { broadcast: true });
    await wa.say(n, "hi", { fromMe: true });
    // Only these chats: an earlier test's order may still be told "Delivered" meanwhile.
    const these = new Set([`${n}@c.us`, group, "status@broadcast"]);
    expect(wa.client.sent.slice(sentBefore).filter((m) => these.has(m.chatId))).toEqual([]);
  });

  it("answers media, stickers and voice notes with a request for text", async () => {
    const n = newNumber();
    expect(await wa.say(n, "", { type: "image", hasMedia: true })).toEqual([NOT_TEXT_REPLY]);
    expect(await wa.say(n, "", { type: "sticker", hasMedia: true })).toEqual([NOT_TEXT_REPLY]);
    expect(await wa.say(n, "", { type: "ptt", hasMedia: true })).toEqual([NOT_TEXT_REPLY]);
    expect(await wa.say(n, "", { type: "location" })).toEqual([NOT_TEXT_REPLY]);
  });

  it("says nothing to system entries: deleted messages, encryption notices, undecrypted messages", async () => {
    const n = newNumber();
    for (const type of ["revoked", "e2e_notification", "ciphertext", "protocol", "notification_template"]) {
      expect(await wa.say(n, "", { type })).toEqual([]);
    }
  });

  it("handles a redelivered message id once (W8)", async () => {
    const n = newNumber();
    const id = { _serialized: `false_${n}@c.us_REDELIVERED` };
    expect((await wa.say(n, "hi", { id })).join("\n")).toMatch(/Hello/);
    expect(await wa.say(n, "hi", { id })).toHaveLength(0);
  });

  it("keeps one person's messages in order while another person is served at the same time", async () => {
    const a = newNumber();
    const b = newNumber();
    // With a PIN and money: Confirm asks for the PIN (it would not without them).
    await customer(a);
    await wa.say(b, "hi");
    wa.client.sendDelayMs = 20;
    try {
      const beforeA = wa.client.to(a).length;
      // Sent back to back without waiting: each needs the state the one before it left.
      for (const text of ["airtime 100 08031234567", "1", "1"]) {
        wa.client.emit("message", textMessage(a, text));
      }
      const [bBalance] = await wa.say(b, "balance");
      expect(bBalance).toMatch(/Your balance is/);
      await wa.settled(a);
      const answers = wa.client.to(a).slice(beforeA);
      expect(answers).toHaveLength(3);
      expect(answers[0]).toMatch(/looks like MTN/);
      expect(answers[1]).toMatch(/You pay/);
      expect(answers[2]).toMatch(/open this link to enter your PIN/i);
    } finally {
      wa.client.sendDelayMs = 0;
    }
  });
});

describe("the one-time PIN page", () => {
  it("works once: a second submit finds the link used", async () => {
    const n = newNumber();
    await customer(n);
    await wa.say(n, "airtime 100 08031234567");
    await wa.say(n, "1");
    const [ask] = await wa.say(n, "1");
    const path = pinPath(ask);
    const [first, second] = await Promise.all([
      wa.submitPin(path, { pin: "2580" }),
      wa.submitPin(path, { pin: "2580" }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 410]);
    const again = await wa.app.request(path);
    expect(again.status).toBe(410);
    expect(await again.text()).toMatch(/expired or was already used/);
    await wa.vtu.drain();
    expect(await ordersOf(n)).toHaveLength(1);
    await expectLedgerConsistent(tdb.db);
  });

  it("expires, and unknown tokens look the same as expired ones", async () => {
    const n = newNumber();
    await customer(n);
    const past = makeCtx(tdb.db, { now: () => new Date(Date.now() - 10 * 60_000) });
    const link = await createPinLink({
      ctx: past,
      channel: "whatsapp",
      userRef: n,
      userId: await wa.userIdOf(n),
      confirmId: "some-confirm",
      purpose: "pay",
      title: "Pay ₦100.00 for airtime",
    });
    const path = new URL(link.url).pathname;
    expect((await wa.app.request(path)).status).toBe(410);
    expect((await wa.submitPin(path, { pin: "2580" })).status).toBe(410);
    const unknown = await wa.app.request("/pin/pin_notARealTokenAtAll");
    expect(unknown.status).toBe(410);
    expect(await unknown.text()).toMatch(/go back to the chat/i);
    // A day after expiry the maintenance job deletes it.
    const tomorrow = makeCtx(tdb.db, { now: () => new Date(Date.now() + 86_400_000) });
    expect((await purgeExpiredCredentials({ ctx: tomorrow })).pinLinks).toBeGreaterThanOrEqual(1);
    expect(await tdb.db.selectFrom("pin_links").where("id", "=", link.id).select("id").execute()).toEqual([]);
  });

  it("does not use digits typed into WhatsApp at the PIN step; a fresh link replaces the old one", async () => {
    const n = newNumber();
    await customer(n);
    await wa.say(n, "airtime 100 08031234567");
    await wa.say(n, "1");
    const [ask] = await wa.say(n, "1");
    const [refused] = await wa.say(n, "2580");
    expect(refused).toMatch(/never send your PIN in this chat/);
    expect(await ordersOf(n)).toHaveLength(0);
    // The old link is dead; the fresh one still pays for the same confirmed purchase.
    expect((await wa.app.request(pinPath(ask))).status).toBe(410);
    const page = await wa.submitPin(pinPath(refused), { pin: "2580" });
    expect(await page.text()).toMatch(/Order placed|Delivered/);
    await wa.vtu.drain();
    expect(await ordersOf(n)).toEqual([{ state: "delivered", channel: "whatsapp" }]);
    await expectLedgerConsistent(tdb.db);
  });

  it("a wrong PIN on the page says so and offers a fresh link; the chat stays at the PIN step", async () => {
    const n = newNumber();
    await customer(n);
    await wa.say(n, "airtime 100 08031234567");
    await wa.say(n, "1");
    const [ask] = await wa.say(n, "1");
    const before = wa.client.to(n).length;
    const wrong = await wa.submitPin(pinPath(ask), { pin: "1357" });
    const html = await wrong.text();
    expect(html).toMatch(/incorrect|wrong/i);
    const fresh = /href="(http[^"]*\/pin\/[^"]+)"/.exec(html)?.[1];
    expect(fresh).toBeDefined();
    const [chatSaid] = wa.client.to(n).slice(before);
    expect(chatSaid).toContain(fresh);
    const ok = await wa.submitPin(new URL(String(fresh)).pathname, { pin: "2580" });
    expect(await ok.text()).toMatch(/Order placed|Delivered/);
    await wa.vtu.drain();
    expect(await ordersOf(n)).toHaveLength(1);
  });

  it("a link for a step the chat left (cancelled) does nothing", async () => {
    const n = newNumber();
    await customer(n);
    await wa.say(n, "airtime 100 08031234567");
    await wa.say(n, "1");
    const [ask] = await wa.say(n, "1");
    expect((await wa.say(n, "cancel")).join()).toMatch(/Cancelled/);
    const page = await wa.submitPin(pinPath(ask), { pin: "2580" });
    expect(await page.text()).toMatch(/no longer at, so nothing was done/);
    expect(await ordersOf(n)).toHaveLength(0);
  });

  it("shows the outcome at once while WhatsApp is down; the chat gets it once when it is back", async () => {
    const n = newNumber();
    await customer(n);
    await wa.say(n, "airtime 100 08031234567");
    await wa.say(n, "1");
    const [ask] = await wa.say(n, "1");
    const before = wa.client.to(n).length;
    wa.client.failSends = true;
    try {
      // The page answers while WhatsApp is still down: it does not wait for the chat's copy.
      const page = await wa.submitPin(pinPath(ask), { pin: "2580" });
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toMatch(/Order placed|Delivered/);
      expect(wa.client.to(n).slice(before)).toEqual([]);
      await new Promise((r) => setTimeout(r, 1_200)); // a retry or two, refused as well
      expect(wa.client.to(n).slice(before)).toEqual([]);
    } finally {
      wa.client.failSends = false;
    }
    await wa.settled(n);
    const inChat = wa.client.to(n).slice(before);
    expect(inChat).toHaveLength(1);
    expect(inChat[0]).toMatch(/Order placed|Delivered/);
    expect(logs()).toContain("whatsapp cannot be reached");
    expect(logs()).toContain("whatsapp is reachable again");
    await wa.vtu.drain();
    expect(await ordersOf(n)).toEqual([{ state: "delivered", channel: "whatsapp" }]);
  });

  it("the PIN outcome reaches the chat once even when its first sends are refused", async () => {
    const n = newNumber();
    await customer(n);
    await wa.say(n, "airtime 100 08031234567");
    await wa.say(n, "1");
    const [ask] = await wa.say(n, "1");
    const before = wa.client.to(n).length;
    let refused = 0;
    wa.client.refuse = ({ chatId }) =>
      chatId === `${n}@c.us` && refused++ < 2 ? new Error("Evaluation failed: TimeoutError") : undefined;
    try {
      const page = await wa.submitPin(pinPath(ask), { pin: "2580" });
      expect(await page.text()).toMatch(/Order placed|Delivered/);
      await wa.settled(n);
    } finally {
      wa.client.refuse = undefined;
    }
    expect(refused).toBeGreaterThanOrEqual(2);
    const inChat = wa.client.to(n).slice(before);
    expect(inChat).toHaveLength(1);
    expect(inChat[0]).toMatch(/Order placed|Delivered/);
  });

  it("shows the electricity token on the page; the chat's copy reads it at send time, the outbox never holds it", async () => {
    const n = newNumber();
    await customer(n, "2580", 1_000_000);
    const [summary] = await wa.say(n, "light 2000 ikeja prepaid 45123456789");
    expect(summary).toMatch(/SANDBOX METER OKONKWO/);
    const [ask] = await wa.say(n, String(/^(\d+)\. Confirm$/m.exec(summary ?? "")?.[1]));
    const before = wa.client.to(n).length;
    let answered = false;
    const submitted = wa.submitPin(pinPath(ask), { pin: "2580" }).finally(() => {
      answered = true;
    });
    while (!answered) {
      await wa.vtu.drain(); // the provider job runs while the page waits for the outcome
      await new Promise((r) => setTimeout(r, 10));
    }
    const html = await (await submitted).text();
    const token = /Token: (\d{4} \d{4} \d{4} \d{4} \d{4})/.exec(html)?.[1];
    expect(token).toBeDefined();
    await wa.settled(n);
    const inChat = wa.client.to(n).slice(before);
    // The outcome once (the reply and the order's notification share one outbox key), then the offer to save.
    expect(inChat.filter((m) => /Delivered/.test(m))).toHaveLength(1);
    expect(inChat[0]).toMatch(/^Delivered: electricity/);
    expect(inChat[0]).toContain(`Token: ${token}`);
    const digits = String(token).replace(/ /g, "");
    const outbox = JSON.stringify(await tdb.db.selectFrom("chat_outbox").selectAll().execute());
    expect(outbox.replace(/ /g, "")).not.toContain(digits);
  });

  it("changes the PIN on the page (current and new)", async () => {
    const n = newNumber();
    await customer(n);
    const [ask] = await wa.say(n, "change pin");
    const form = await (await wa.app.request(pinPath(ask))).text();
    expect(form).toContain('name="current_pin"');
    const page = await wa.submitPin(pinPath(ask), { current_pin: "2580", pin: "7391" });
    expect(await page.text()).toMatch(/Your PIN is set/);
  });

  it("a BVN typed by mistake is not kept in the inbox, never repeated, and the person is told", async () => {
    const n = newNumber();
    await customer(n);
    const answer = (await wa.say(n, "22212345678")).join("\n");
    expect(answer).toMatch(/looks like a BVN/);
    expect(JSON.stringify(wa.client.sent)).not.toContain("22212345678");
    const inbox = await tdb.db.selectFrom("chat_updates").selectAll().where("external_id", "=", n).execute();
    expect(inbox.some((u) => u.payload.redacted === true)).toBe(true);
    expect(JSON.stringify(inbox)).not.toContain("22212345678");
    expect(logs()).not.toContain("22212345678");
  });

  it("S11: the sentinel PIN 9137 is in no WhatsApp message, no page and no log line", async () => {
    const n = newNumber();
    await customer(n, "9137");
    await wa.say(n, "airtime 100 08031234567");
    await wa.say(n, "1");
    await wa.say(n, "1");
    const [refused] = await wa.say(n, "9137"); // typed into the chat despite the link
    const pages = [await (await wa.submitPin(pinPath(refused), { pin: "9137" })).text()];
    await wa.vtu.drain();
    await wa.settled(n);
    const [ask] = await wa.say(n, "change pin");
    pages.push(await (await wa.submitPin(pinPath(ask), { current_pin: "9137", pin: "9137" })).text());
    expect(pages[0]).toMatch(/Order placed|Delivered/);
    for (const html of pages) {
      expectNoPin(html, "9137");
    }
    expectNoPin(JSON.stringify(wa.client.sent), "9137");
    const sessions = await tdb.db.selectFrom("chat_sessions").select("data").execute();
    expectNoPin(JSON.stringify(sessions), "9137");
    // The inbox keeps the typed PIN redacted; the outbox never had it.
    const inbox = await tdb.db.selectFrom("chat_updates").selectAll().where("external_id", "=", n).execute();
    expect(inbox.some((u) => u.payload.redacted === true)).toBe(true);
    expectNoPin(JSON.stringify(inbox), "9137");
    expectNoPin(JSON.stringify(await tdb.db.selectFrom("chat_outbox").selectAll().execute()), "9137");
    expectNoPin(logs(), "9137");
    // The access log names the page without its token.
    expect(logs()).toContain("/pin/[REDACTED]");
    expect(logs()).not.toMatch(/\/pin\/pin_/);
  });
});
