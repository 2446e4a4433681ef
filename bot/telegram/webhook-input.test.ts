import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatHarness, makeChatHarness } from "../../test/helpers/chat";
import { offlineWebhookStack } from "../../test/helpers/telegram";
import { storableText } from "../engine/input";
import { textUpdate } from "./offline";

/**
 * Issue 13 §5 through POST /api/telegram/webhook: a person's text and name can hold any character,
 * including NUL and lone surrogates that PostgreSQL cannot store. The bot answers such a message
 * (the engine's input normaliser cleans it) instead of failing the update, which Telegram would
 * deliver again for ever; a body that is not shaped like a Telegram update is a 400.
 */
let h: ChatHarness;
const stops: (() => Promise<void>)[] = [];
beforeAll(async () => {
  h = await makeChatHarness();
});
afterAll(async () => {
  for (const stop of stops) {
    await stop();
  }
  await h.destroy();
});

const secret = "s3cret-token-for-input-tests-0123";
function webhookApp() {
  const stack = offlineWebhookStack(h, secret);
  stops.push(stack.stop);
  const post = async (body: unknown) => {
    const res = await stack.post(body);
    await stack.settled();
    return res;
  };
  const answers = () =>
    stack.calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text));
  return { post, answers };
}

describe("Telegram text the database cannot store", () => {
  it("answers a first message whose name and text carry NUL and a lone surrogate", async () => {
    const { post, answers } = webhookApp();
    const update = textUpdate(8301, "balance\u0000");
    const message = update.message as { from: { first_name: string; last_name?: string } };
    message.from.first_name = "A\u0000da";
    message.from.last_name = "Obi\ud800";
    const res = await post(update);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(answers().join("\n")).toMatch(/balance is ₦0/i);
    const user = await h.tdb.db
      .selectFrom("users")
      .innerJoin("identities", "identities.user_id", "users.id")
      .select("users.display_name")
      .where("identities.channel", "=", "telegram")
      .where("identities.external_id", "=", "8301")
      .executeTakeFirstOrThrow();
    expect(user.display_name).toBe("Ada Obi\ufffd");
  });

  it("answers text that is only a lone surrogate with the menu", async () => {
    const { post, answers } = webhookApp();
    const res = await post(textUpdate(8302, "\udc00"));
    expect(res.status).toBe(200);
    expect(answers().length).toBeGreaterThan(0);
  });

  it("refuses with 400 a body whose fields do not have Telegram's types, and runs nothing", async () => {
    const { post, answers } = webhookApp();
    const update = textUpdate(8303, "balance");
    (update.message as unknown as { chat: { id: unknown } }).chat.id = null;
    const res = await post(update);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "INVALID_UPDATE", error: /message\.chat\.id/ });
    expect(answers()).toEqual([]);
  });
});

describe("storableText", () => {
  it("drops NUL, writes U+FFFD for an unpaired surrogate, keeps pairs and everything else", () => {
    expect(storableText("a\u0000b")).toBe("ab");
    expect(storableText("x\ud800y\udc00")).toBe("x\ufffdy\ufffd");
    expect(storableText("ok 😀 ₦500\n")).toBe("ok 😀 ₦500\n");
  });
});
