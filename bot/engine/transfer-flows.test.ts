import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import {
  type PaymentsRuntime,
  processPaymentEvent,
  sendSandboxTransfer,
  submitKyc,
} from "../../api/services/funding";
import { getWalletBalance } from "../../api/services/wallet";
import { chatHarness, choiceIds, texts } from "../../test/helpers/chat-engine";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { notificationText } from "../outbox/notification-text";
import { handleChatInput } from "./engine";
import type { ChatOutput, EngineDeps } from "./types";

/**
 * Funding by bank transfer from the chat (issue 17), on the real engine, the embedded PostgreSQL
 * and the sandbox gateway: "my account number" without a BVN gives the one-time KYC page and never
 * asks for the BVN here; the page's service call gives the account, shown with its number on its
 * own line; a transfer in is announced once, with the balance; a one-time account for an amount;
 * Pidgin; and a BVN typed into the chat is never repeated (nor parsed, nor sent to the LLM).
 */
const BVN = "22212345678";
let tdb: TestDatabase;
let ctx: ServiceContext;
let h: Awaited<ReturnType<typeof chatHarness>>;
/** The harness's gateway, with the webhook's job run at once (the worker's part). */
let payments: PaymentsRuntime;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 10 });
  ctx = makeCtx(tdb.db);
  h = await chatHarness(tdb, ctx);
  payments = {
    ...h.deps.payments,
    async dispatch(job) {
      if (job.name === "process-payment-event") {
        await processPaymentEvent({ ctx, payments, eventId: job.eventId });
      }
    },
  };
});
afterAll(() => tdb.destroy());

const linkOf = (out: ChatOutput) => out.replies.find((r) => r.link)?.link?.url;
const tokenOf = (url: string | undefined) => decodeURIComponent(url?.split("/kyc/")[1] ?? "");

/** Everything queued for this person's chats, oldest first (replies and notifications). */
async function outbox(userId: string) {
  return tdb.db
    .selectFrom("chat_outbox")
    .select(["kind", "reply", "payload"])
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute();
}

const replyText = (row: { reply: unknown }) => (row.reply as { text?: string } | null)?.text ?? "";

let sent = 0;

/** A person's chat on deps of its own (another configuration, a spying LLM). */
function chatOn(deps: EngineDeps, userRef: string) {
  const send = (input: { text?: string; choice?: string }) =>
    handleChatInput(deps, { channel: "console", userRef, messageId: `${userRef}-on-${++sent}`, ...input });
  return { say: (text: string) => send({ text }), tap: (choice: string) => send({ choice }) };
}

describe("my account number", () => {
  it("without a BVN: the secure page's link, never a BVN prompt; after the page, the account, then a transfer announced once", async () => {
    const c = h.chat("t-kyc");
    await c.say("hi");
    const ask = await c.say("my account number");
    const url = linkOf(ask);
    expect(url).toMatch(/\/kyc\/[^/]+$/);
    expect(texts(ask)).toMatch(/one-time BVN check, done on a secure page/);
    expect(texts(ask)).toMatch(/Never type your BVN in this chat/);
    expect(texts(ask)).not.toMatch(/(?:send|type|enter) (?:me )?your (?:11-digit )?BVN(?! in this chat)/i);
    expect(choiceIds(ask)).toEqual(["nav:transfer_once", "nav:fund", "nav:menu"]);

    // The page (someone else's) calls the service with the token from the link.
    const submitted = await submitKyc({
      ctx,
      payments,
      token: tokenOf(url),
      form: { bvn: BVN, firstName: "Ada", lastName: "Okafor" },
    });
    expect(submitted.outcome).toBe("issued");
    const account = submitted.outcome === "issued" ? submitted.account : undefined;
    const number = account?.accountNumber ?? "?";

    const shown = await c.say("account number");
    const reply = shown.replies[0];
    expect(reply?.copy).toBe(number);
    // On a line of its own, so it copies cleanly on every channel.
    expect(reply?.text.split("\n")).toContain(number);
    expect(reply?.text).toMatch(new RegExp(`Bank: ${account?.bankName}`));
    expect(reply?.text).toMatch(/Account name: TADA VTU/);
    expect(reply?.text).toMatch(/There is no fee\. Transfers are credited to your wallet automatically/);
    expect(reply?.text).toMatch(/I will tell you here when one arrives/);
    expect(texts(shown)).not.toContain(BVN);

    const userId = await c.userId();
    // The fee as the configuration says it, in a sentence.
    const feeCtx = makeCtx(tdb.db, {
      config: testConfig({ TRANSFER_FEE_BPS: "100", TRANSFER_FEE_CAP_KOBO: "20000" }),
    });
    const withFee = await chatOn({ ...h.deps, ctx: () => feeCtx }, "t-kyc").say("my account number");
    expect(texts(withFee)).toMatch(/Each transfer has a fee of 1% \(at most ₦200\)\. Transfers are credited/);

    await sendSandboxTransfer({
      ctx,
      payments,
      accountNumber: number,
      amountKobo: 500_000,
      senderName: "ADA OKAFOR",
      delivery: "normal",
    });
    const rows = await outbox(userId);
    const ready = rows.filter((r) => r.kind === "wallet.account_ready");
    expect(ready).toHaveLength(1);
    expect(replyText(ready[0] ?? { reply: null }).split("\n")).toContain(number);
    const received = rows.filter((r) => replyText(r).includes("₦5,000 received"));
    expect(received).toHaveLength(1);
    expect(received[0]?.kind).toBe("wallet.transfer_received");
    expect(replyText(received[0] ?? { reply: null })).toMatch(
      /₦5,000 received by bank transfer from ADA OKAFOR\. Added to your wallet\. Balance: ₦5,000\./,
    );
    expect((await getWalletBalance({ ctx, userId })).balanceKobo).toBe(500_000);
    // Nothing queued for this chat ever carried the BVN.
    expect(JSON.stringify(rows)).not.toContain(BVN);
    await expectLedgerConsistent(tdb.db);
  });

  it("a refused BVN: asking again says so and gives a fresh page", async () => {
    const c = h.chat("t-refused");
    await c.say("hi");
    const first = await c.say("virtual account");
    const outcome = await submitKyc({
      ctx,
      payments,
      token: tokenOf(linkOf(first)),
      form: { bvn: "22212345000", firstName: "Ada", lastName: "Okafor" },
    });
    expect(outcome.outcome).toBe("refused");
    const again = await c.say("my account number");
    expect(texts(again)).toMatch(/The bank did not accept the BVN you gave last time/);
    expect(linkOf(again)).toMatch(/\/kyc\//);
    expect(linkOf(again)).not.toBe(linkOf(first));
  });

  it("while the account is being set up: says so, and offers to pay once", async () => {
    const c = h.chat("t-pending");
    await c.say("hi");
    const userId = await c.userId();
    const now = new Date();
    await tdb.db
      .insertInto("virtual_accounts")
      .values({
        id: "vac_pending_chat_test",
        user_id: userId,
        gateway: "sandbox",
        kind: "static",
        tx_ref: "TADA-VA-PENDING-CHAT-TEST",
        channel: "console",
        created_at: now,
        updated_at: now,
      })
      .execute();
    const out = await c.say("wetin be my account number");
    expect(texts(out)).toMatch(/Your account number is being set up\. I will send it here/);
    expect(linkOf(out)).toBeUndefined();
    expect(choiceIds(out)).toContain("nav:transfer_once");
  });

  it("a level without permanent account numbers: only the one-time transfer, no BVN page", async () => {
    const strict = makeCtx(tdb.db, { config: testConfig({ VIRTUAL_ACCOUNT_MIN_LEVEL: "3" }) });
    const c = chatOn({ ...h.deps, ctx: () => strict }, "t-level");
    await c.say("hi");
    const out = await c.say("how do I fund with transfer");
    expect(texts(out)).toMatch(/not available at your level yet, but you can pay by transfer once/);
    expect(texts(out)).toMatch(/How much do you want to add by transfer\?/);
    expect(out.replies.some((r) => r.link)).toBe(false);
    const details = await c.say("2k");
    expect(texts(details)).toMatch(/Send exactly ₦2,000 before \d\d:\d\d \(Lagos time\)/);
    // No "My account number" offer where there can be none.
    expect(choiceIds(details)).toEqual(["nav:menu"]);
  });
});

describe("pay by transfer once", () => {
  it("Pay by transfer once → amount → the account with the total (amount + fee) and the Lagos deadline; paid exactly, credited once", async () => {
    const feeCtx = makeCtx(tdb.db, { config: testConfig({ TRANSFER_FEE_FLAT_KOBO: "5000" }) });
    const deps: EngineDeps = { ...h.deps, ctx: () => feeCtx };
    const c = chatOn(deps, "t-once");
    await c.say("hi");
    const offer = await c.say("pay by transfer");
    expect(choiceIds(offer)).toContain("nav:transfer_once");
    const amount = await c.tap("nav:transfer_once");
    expect(texts(amount)).toMatch(/How much do you want to add by transfer\?/);
    expect(choiceIds(amount)).toContain("amt:500000");
    const bad = await c.say("-500");
    expect(texts(bad)).toMatch(/can't be negative/);
    const out = await c.say("5k");
    const reply = out.replies[0];
    const number = reply?.copy ?? "?";
    const row = await tdb.db
      .selectFrom("virtual_accounts")
      .select(["user_id", "total_kobo", "amount_kobo", "expires_at"])
      .where("account_number", "=", number)
      .executeTakeFirstOrThrow();
    const deadline = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Africa/Lagos",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(row.expires_at ?? new Date());
    // The ₦50 fee on top, so the wallet gets exactly ₦5,000; the gateway's expiry, in Lagos time.
    expect(reply?.text).toMatch(
      new RegExp(
        `^Send exactly ₦5,050 before ${deadline}(?: tomorrow)? \\(Lagos time\\) to this account number, for this payment only:`,
      ),
    );
    expect(reply?.text).toMatch(/₦5,000 reaches your wallet \(₦50 transfer fee\)/);
    expect(reply?.text).toMatch(/A different amount, or a transfer after the time, is checked by our team/);
    expect(number).toMatch(/^\d{10}$/);
    expect(reply?.text.split("\n")).toContain(number);
    expect(choiceIds(out)).toEqual(["nav:fund_transfer", "nav:menu"]);

    expect(row).toMatchObject({ total_kobo: 505_000, amount_kobo: 500_000 });
    await sendSandboxTransfer({
      ctx,
      payments,
      accountNumber: number,
      amountKobo: 505_000,
      senderName: "CHIDI EZE",
      delivery: "duplicate",
    });
    const received = (await outbox(row.user_id)).filter((r) => r.kind === "wallet.transfer_received");
    expect(received.map(replyText)).toEqual([
      "₦5,050 received by bank transfer from CHIDI EZE. ₦5,000 added to your wallet (₦50 transfer fee). Balance: ₦5,000.",
    ]);
    expect((await getWalletBalance({ ctx, userId: row.user_id })).balanceKobo).toBe(500_000);
    await expectLedgerConsistent(tdb.db);
  });

  it("an amount in the first message makes the one-time account at once; over the day's limit is refused", async () => {
    const c = h.chat("t-direct");
    await c.say("hi");
    const out = await c.say("fund 5k by transfer");
    expect(texts(out)).toMatch(/^Send exactly ₦5,000 before \d\d:\d\d/);
    expect(texts(out)).toMatch(/₦5,000 reaches your wallet and I will tell you here/);
    // Basic level: ₦200,000 a day by transfer (FUNDING_DAILY_LIMITS_KOBO).
    const big = await c.say("I wan pay 300k with transfer");
    expect(texts(big)).toMatch(
      /₦300,000 is more than can reach your wallet by transfer in a day at your level/,
    );
  });

  it('"Fund my wallet" still offers card amounts, and now "Bank transfer" too', async () => {
    const c = h.chat("t-fund");
    await c.say("hi");
    const fund = await c.tap("nav:fund");
    expect(choiceIds(fund)).toEqual([
      "amt:100000",
      "amt:200000",
      "amt:500000",
      "amt:1000000",
      "nav:fund_transfer",
      "cancel",
    ]);
    const transfer = await c.say("5");
    expect(linkOf(transfer)).toMatch(/\/kyc\//);
    // Typed at the card amount question, transfer words switch to the transfer flow.
    await c.tap("nav:fund");
    expect(linkOf(await c.say("bank transfer"))).toMatch(/\/kyc\//);
  });
});

describe("next to the withdrawal", () => {
  it('"account number" words in a withdrawal are about the bank account the money goes to', async () => {
    const c = await h.customer("t-withdraw");
    await c.say("withdraw 1000");
    await c.say("access");
    const asked = await c.say("which account number");
    expect(linkOf(asked)).toBeUndefined();
    expect(texts(asked)).not.toMatch(/BVN/);
    const name = await c.say("0123456789");
    expect(texts(name)).toMatch(/ADAEZE OKAFOR \(SANDBOX\) \(Access Bank, 0123456789\)/);
  });
});

describe("in Pidgin", () => {
  it("answers the account number question and the one-time transfer in Pidgin", async () => {
    const c = h.chat("t-pcm");
    await c.say("hi");
    await c.say("speak pidgin");
    const ask = await c.say("wetin be my account number");
    expect(texts(ask)).toMatch(/You go first do BVN check one time, for one secure page/);
    expect(texts(ask)).toMatch(/No ever type your BVN for this chat/);
    await c.tap("nav:transfer_once");
    const out = await c.say("2k");
    expect(texts(out)).toMatch(
      /Send exactly ₦2,000 before \d\d:\d\d \(Lagos time\) to this account number, na for this payment only/,
    );
    expect(texts(out)).toMatch(
      /If you send another amount, or you send after the time, our team go check am/,
    );

    // The page, then a transfer: the notifications the sender shows this chat in Pidgin.
    await submitKyc({
      ctx,
      payments,
      token: tokenOf(linkOf(await c.say("my account number"))),
      form: { bvn: "22298765432", firstName: "Chidi", lastName: "Eze" },
    });
    const shown = await c.say("my account number");
    expect(texts(shown)).toMatch(
      /Transfer no get charge\. Any money wey you transfer go enter your wallet by itself/,
    );
    await sendSandboxTransfer({
      ctx,
      payments,
      accountNumber: shown.replies[0]?.copy ?? "?",
      amountKobo: 150_000,
      senderName: "CHIDI EZE",
      delivery: "normal",
    });
    const rows = await outbox(await c.userId());
    const inPidgin = rows
      .filter((r) => r.kind.startsWith("wallet."))
      .map((r) => notificationText(r.kind, r.payload as Record<string, unknown>, "pcm"));
    expect(inPidgin).toEqual([
      expect.stringMatching(/^Your TADA account number don ready\. .*\n.*\n\d{10}\nTADA VTU - /s),
      "₦1,500 don land by bank transfer from CHIDI EZE side. E don enter your wallet. Your balance now: ₦1,500.",
    ]);
    await expectLedgerConsistent(tdb.db);
  });
});

describe("a BVN typed into the chat", () => {
  it("is never repeated, parsed or sent to the LLM, and the person is told not to share it", async () => {
    const seen: string[] = [];
    const deps: EngineDeps = {
      ...h.deps,
      understand: async (text) => {
        seen.push(text);
        return undefined;
      },
    };
    const c = chatOn(deps, "t-bvn");
    await c.say("hi");
    // Nothing asked: the first contact's phone question is put away.
    await c.say("menu");
    for (const typed of [BVN, "222 1234 5678", "my bvn is 22212345678", "BVN: 222-1234-5678"]) {
      const out = await c.say(typed);
      expect(texts(out), typed).toMatch(
        /Please don't send your BVN in a chat \(delete that message if it is still there\)/,
      );
      expect(JSON.stringify(out.replies), typed).not.toMatch(/222.?1234.?5678|222,123/);
      expect(choiceIds(out)).toEqual(["nav:fund_transfer", "nav:menu"]);
      // The channel deletes it from the chat (Telegram can; WhatsApp cannot, hence the words).
      expect(out.deleteSecret, typed).toBe(true);
      expect(out.deleteInput, typed).toBe(false);
    }
    // In the middle of a question (the one-time amount, which would quote a huge "amount"): the
    // warning, and the question stays open.
    await c.tap("nav:transfer_once");
    const mid = await c.say(BVN);
    expect(mid.deleteSecret).toBe(true);
    expect(texts(mid)).toMatch(/don't send your BVN.*\n\nCarry on where you stopped/s);
    expect(JSON.stringify(mid.replies)).not.toMatch(/222.?1234.?5678|222,123/);
    expect(texts(await c.say("2k"))).toMatch(/Send exactly ₦2,000/);
    // At the card amount question too.
    await c.tap("nav:fund");
    expect(JSON.stringify((await c.say(BVN)).replies)).not.toMatch(/222.?1234.?5678|222,123/);
    expect(seen).toEqual([]);
    // A phone number next to the word is a phone number (here: not an amount, asked again).
    expect(texts(await c.say("my bvn is linked to 08031234567"))).toBe(
      "How much? Type an amount like 500 or 1k.",
    );

    const user = await tdb.db
      .selectFrom("identities")
      .select("user_id")
      .where("external_id", "=", "t-bvn")
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(await outbox(user.user_id))).not.toMatch(/222.?1234.?5678|222,123/);
  });

  it("in Pidgin too; and an 11-digit meter number at the meter question is still a meter", async () => {
    const c = h.chat("t-bvn-pcm");
    await c.say("hi");
    await c.say("speak pidgin");
    expect(texts(await c.say(BVN))).toMatch(
      /Abeg no send your BVN for chat \(delete that message if e still dey\)/,
    );
    await c.say("buy light 2000 ikeja prepaid");
    const meter = await c.say("22212345678");
    expect(texts(meter)).not.toMatch(/BVN/);
  });
});
