import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { claimDeliveries } from "../../api/services/notifications";
import { setOrChangePin } from "../../api/services/pins";
import { findOrCreateUserByIdentity } from "../../api/services/users";
import { getOrder } from "../../api/services/vtu";
import { type ChatHarness, makeChatHarness } from "../../test/helpers/chat";
import { createTestUser } from "../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import { placeOrder, sandboxNumber, TEST_PIN } from "../../test/helpers/vtu";
import type { Reply } from "../engine/types";
import { type ChatSender, ChatSenders, PermanentSendError } from "../outbound";
import { deliverDueNotifications } from "./deliver";

/** The notification job: fan-out per chat, retries with backoff, at most once per chat. */
let h: ChatHarness;
// The database stamps rows with its own now(); the test clock starts there and moves forward.
let clock = Date.now() + 1_000;
let ctx: ServiceContext;
beforeAll(async () => {
  h = await makeChatHarness();
  ctx = { ...h.ctx, now: () => new Date(clock) };
});
afterAll(() => h.destroy());

/** A sender that records what it sent and fails the next `failures` sends. */
function fakeSender(
  channel: "telegram" | "whatsapp" | "console",
  behaviour: { failures?: number; permanent?: boolean } = {},
) {
  const sent: { userRef: string; text: string }[] = [];
  let failures = behaviour.failures ?? 0;
  const sender: ChatSender = {
    channel,
    async send(userRef: string, replies: Reply[]) {
      if (failures > 0) {
        failures--;
        throw behaviour.permanent ? new PermanentSendError("blocked") : new Error("Bot API 502");
      }
      sent.push(...replies.map((r) => ({ userRef, text: r.text })));
    },
  };
  return { sender, sent };
}

async function person(identities: { channel: "telegram" | "whatsapp" | "console"; ref: string }[]) {
  const first = identities[0];
  if (!first) {
    throw new Error("no identity");
  }
  const { user } = await findOrCreateUserByIdentity({
    ctx,
    input: { channel: first.channel, externalId: first.ref },
  });
  for (const extra of identities.slice(1)) {
    await h.tdb.db
      .insertInto("identities")
      .values({ user_id: user.id, channel: extra.channel, external_id: extra.ref })
      .execute();
  }
  return user.id;
}

async function notify(userId: string, body: string) {
  await h.tdb.db.insertInto("notifications").values({ user_id: userId, kind: "test", body }).execute();
}

const pass = (senders: ChatSenders) =>
  deliverDueNotifications({ ctx: () => ctx, senders, logger: ctx.logger });

describe("notification delivery", () => {
  it("sends to every chat the person has, in order, once, even with passes racing", async () => {
    const userId = await person([
      { channel: "telegram", ref: "9001" },
      { channel: "whatsapp", ref: "2348030009001" },
    ]);
    await notify(userId, "first");
    await notify(userId, "second");
    const tg = fakeSender("telegram");
    const wa = fakeSender("whatsapp");
    const senders = new ChatSenders();
    senders.register(tg.sender);
    senders.register(wa.sender);
    await Promise.all([pass(senders), pass(senders), pass(senders)]);
    await pass(senders);
    expect(tg.sent.filter((s) => s.userRef === "9001").map((s) => s.text)).toEqual(["first", "second"]);
    expect(wa.sent.filter((s) => s.userRef === "2348030009001").map((s) => s.text)).toEqual([
      "first",
      "second",
    ]);
  });

  it("retries a refused message with a growing delay, then stops after NOTIFY_MAX_ATTEMPTS", async () => {
    const userId = await person([{ channel: "telegram", ref: "9002" }]);
    await notify(userId, "retry me");
    const flaky = fakeSender("telegram", { failures: 2 });
    const senders = new ChatSenders();
    senders.register(flaky.sender);
    expect(await pass(senders)).toMatchObject({ retried: 1 });
    expect(await pass(senders)).toMatchObject({ sent: 0, retried: 0 }); // not due yet
    clock += ctx.config.NOTIFY_RETRY_SECONDS * 1000;
    expect(await pass(senders)).toMatchObject({ retried: 1 });
    clock += ctx.config.NOTIFY_RETRY_SECONDS * 1000; // the second delay is twice the first
    expect(await pass(senders)).toMatchObject({ sent: 0 });
    clock += ctx.config.NOTIFY_RETRY_SECONDS * 1000;
    expect(await pass(senders)).toMatchObject({ sent: 1 });
    expect(flaky.sent.map((s) => s.text)).toEqual(["retry me"]);

    await notify(userId, "never");
    const dead = fakeSender("telegram", { failures: 100 });
    const deadSenders = new ChatSenders();
    deadSenders.register(dead.sender);
    let failed = 0;
    for (let i = 0; i < ctx.config.NOTIFY_MAX_ATTEMPTS + 2; i++) {
      failed += (await pass(deadSenders)).failed;
      clock += 3_600_000;
    }
    expect(failed).toBe(1);
    const row = await h.tdb.db
      .selectFrom("notification_deliveries as d")
      .innerJoin("notifications as n", "n.id", "d.notification_id")
      .select(["d.status", "d.attempts"])
      .where("n.body", "=", "never")
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "failed", attempts: ctx.config.NOTIFY_MAX_ATTEMPTS });
  });

  it("never sends again a message whose sender died mid-send (lease ran out)", async () => {
    const userId = await person([{ channel: "console", ref: "c-9003" }]);
    await notify(userId, "maybe sent");
    const { dispatchNotifications } = await import("../../api/services/notifications");
    await dispatchNotifications(ctx);
    const taken = await claimDeliveries(ctx, {
      channel: "console",
      externalIds: ["c-9003"],
      limit: 10,
      leaseSeconds: 60,
    });
    expect(taken).toHaveLength(1);
    clock += 61_000; // the process that took it is gone
    const sender = fakeSender("console");
    const senders = new ChatSenders();
    senders.register({ ...sender.sender, reaches: ["c-9003"] });
    await pass(senders);
    expect(sender.sent).toEqual([]);
    const row = await h.tdb.db
      .selectFrom("notification_deliveries")
      .select("status")
      .where("id", "=", taken[0]?.id ?? 0)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("unknown");
  });

  it("a console sender reaches only its own person; a person with no chat is undeliverable", async () => {
    const a = await person([{ channel: "console", ref: "c-9004" }]);
    const b = await person([{ channel: "console", ref: "c-9005" }]);
    await notify(a, "for a");
    await notify(b, "for b");
    const onlyA = fakeSender("console");
    const senders = new ChatSenders();
    senders.register({ ...onlyA.sender, reaches: ["c-9004"] });
    await pass(senders);
    expect(onlyA.sent.map((s) => s.text)).toEqual(["for a"]);

    const apiOnly = await createTestUser(h.tdb.db);
    await notify(apiOnly.id, "nowhere");
    await pass(senders);
    const row = await h.tdb.db
      .selectFrom("notifications")
      .select("status")
      .where("body", "=", "nowhere")
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("undeliverable");
  });

  it("reads an electricity token from the order at send time; the outbox never holds it (P11)", async () => {
    const userId = await person([{ channel: "telegram", ref: "9007" }]);
    await h.fund(userId, 1_000_000);
    await setOrChangePin({ ctx, userId, input: { pin: TEST_PIN } });
    const order = await placeOrder(ctx, h.deps.vtu, userId, {
      service: "electricity",
      input: {
        disco: "ikeja",
        meterType: "prepaid",
        meterNumber: sandboxNumber(11),
        amountKobo: 500_000,
        pin: TEST_PIN,
      },
    });
    await h.settle();
    const done = await getOrder({ ctx, userId, orderId: order.id });
    const digits = done.token?.replace(/ /g, "") ?? "";
    expect(digits).toMatch(/^\d{20}$/);
    const outbox = await h.tdb.db
      .selectFrom("notifications")
      .select("body")
      .where("user_id", "=", userId)
      .execute();
    expect(
      outbox
        .map((n) => n.body)
        .join(" ")
        .replace(/ /g, ""),
    ).not.toContain(digits);
    const tg = fakeSender("telegram");
    const senders = new ChatSenders();
    senders.register(tg.sender);
    await pass(senders);
    const delivered = tg.sent.filter((m) => m.userRef === "9007").map((m) => m.text);
    expect(delivered.join("\n")).toContain(`Token: ${done.token}`);
    await expectLedgerConsistent(h.tdb.db);
  });
});
