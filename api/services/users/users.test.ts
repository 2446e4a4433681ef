import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createFundedUser } from "../../../test/helpers/fixtures";
import { expectLedgerConsistent } from "../../../test/helpers/ledger";
import type { ServiceContext } from "../context";
import { getWalletBalance } from "../wallet";
import { findOrCreateUserByIdentity, findUserByIdentity } from "./identities";
import { createLinkCode, linkIdentity } from "./link-codes";
import { setUserPhone } from "./set-phone";

let tdb: TestDatabase;
let ctx: ServiceContext;
beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db);
});
afterAll(async () => {
  await expectLedgerConsistent(tdb.db);
  await tdb.destroy();
});

describe("identities", () => {
  it("creates one user (with a wallet) for racing first messages from one chat", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        findOrCreateUserByIdentity({
          ctx,
          input: { channel: "telegram", externalId: "tg-race", displayName: "Chidi" },
        }),
      ),
    );
    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await getWalletBalance({ ctx, userId: results[0]?.user.id ?? "" })).toMatchObject({
      balanceKobo: 0,
    });
  });

  it("keeps external ids unique per channel, not across channels", async () => {
    const tg = await findOrCreateUserByIdentity({ ctx, input: { channel: "telegram", externalId: "555" } });
    const wa = await findOrCreateUserByIdentity({ ctx, input: { channel: "whatsapp", externalId: "555" } });
    expect(tg.user.id).not.toBe(wa.user.id);
  });
});

describe("linking a second channel with a one-time code", () => {
  it("joins a new WhatsApp identity to the Telegram user: one wallet across channels", async () => {
    const { user } = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: "telegram", externalId: "tg-link-1" },
    });
    const { linkCode } = await createLinkCode({ ctx, userId: user.id });
    expect(linkCode).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    const linked = await linkIdentity({
      ctx,
      input: { linkCode: linkCode.toLowerCase(), channel: "whatsapp", externalId: "2348031110001" },
    });
    expect(linked).toMatchObject({ userId: user.id, alreadyLinked: false });
    expect((await findUserByIdentity(ctx, { channel: "whatsapp", externalId: "2348031110001" }))?.id).toBe(
      user.id,
    );
    // One-time.
    await expect(
      linkIdentity({ ctx, input: { linkCode, channel: "whatsapp", externalId: "2348031110002" } }),
    ).rejects.toMatchObject({
      code: "INVALID_LINK_CODE",
    });
  });

  it("folds in the empty user a bot created on first contact", async () => {
    const { user } = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: "telegram", externalId: "tg-link-2" },
    });
    const stray = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: "whatsapp", externalId: "2348031110003" },
    });
    const { linkCode } = await createLinkCode({ ctx, userId: user.id });
    await linkIdentity({ ctx, input: { linkCode, channel: "whatsapp", externalId: "2348031110003" } });
    expect((await findUserByIdentity(ctx, { channel: "whatsapp", externalId: "2348031110003" }))?.id).toBe(
      user.id,
    );
    const closed = await tdb.db
      .selectFrom("users")
      .select("status")
      .where("id", "=", stray.user.id)
      .executeTakeFirstOrThrow();
    expect(closed.status).toBe("closed");
  });

  it("refuses to merge an identity whose user has money", async () => {
    const { user } = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: "telegram", externalId: "tg-link-3" },
    });
    const rich = await createFundedUser(ctx, 5_000);
    await tdb.db
      .insertInto("identities")
      .values({ user_id: rich.id, channel: "whatsapp", external_id: "2348031110004" })
      .execute();
    const { linkCode } = await createLinkCode({ ctx, userId: user.id });
    await expect(
      linkIdentity({ ctx, input: { linkCode, channel: "whatsapp", externalId: "2348031110004" } }),
    ).rejects.toMatchObject({
      code: "IDENTITY_HAS_WALLET",
    });
    // Nothing moved: the code is still usable for another identity, and the money stays put.
    expect((await findUserByIdentity(ctx, { channel: "whatsapp", externalId: "2348031110004" }))?.id).toBe(
      rich.id,
    );
    expect((await getWalletBalance({ ctx, userId: rich.id })).balanceKobo).toBe(5_000);
    await linkIdentity({ ctx, input: { linkCode, channel: "whatsapp", externalId: "2348031110005" } });
  });

  it("rejects expired codes and a second identity on the same channel", async () => {
    let now = new Date("2026-11-25T12:00:00Z");
    const clocked = makeCtx(tdb.db, { now: () => now });
    const { user } = await findOrCreateUserByIdentity({
      ctx,
      input: { channel: "telegram", externalId: "tg-link-4" },
    });
    const { linkCode } = await createLinkCode({ ctx: clocked, userId: user.id });
    now = new Date(now.getTime() + 11 * 60_000);
    await expect(
      linkIdentity({ ctx: clocked, input: { linkCode, channel: "whatsapp", externalId: "2348031110006" } }),
    ).rejects.toMatchObject({
      code: "INVALID_LINK_CODE",
    });
    const fresh = await createLinkCode({ ctx, userId: user.id });
    await expect(
      linkIdentity({ ctx, input: { linkCode: fresh.linkCode, channel: "telegram", externalId: "tg-other" } }),
    ).rejects.toMatchObject({
      code: "CHANNEL_ALREADY_LINKED",
    });
  });
});

describe("the user's phone", () => {
  it("is saved normalised; a number on another account is a clear conflict; a bad one says why", async () => {
    const a = await findOrCreateUserByIdentity({ ctx, input: { channel: "telegram", externalId: "ph-a" } });
    const b = await findOrCreateUserByIdentity({ ctx, input: { channel: "telegram", externalId: "ph-b" } });
    expect(await setUserPhone({ ctx, userId: a.user.id, phone: "+234 803 123 4400" })).toEqual({
      phone: "08031234400",
      changed: true,
    });
    expect(await setUserPhone({ ctx, userId: a.user.id, phone: "08031234400" })).toMatchObject({
      changed: false,
    });
    await expect(setUserPhone({ ctx, userId: b.user.id, phone: "08031234400" })).rejects.toMatchObject({
      code: "PHONE_TAKEN",
    });
    await expect(setUserPhone({ ctx, userId: b.user.id, phone: "12345" })).rejects.toMatchObject({
      code: "INVALID_PHONE",
    });
  });
});
