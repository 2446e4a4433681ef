import type { ServiceContext } from "../../api/services/context";
import { type CreateGiftRoomInput, createGiftRoom } from "../../api/services/gift-rooms";
import type { TestApp } from "./http";
import { createBuyer, TEST_PIN } from "./vtu";

let rooms = 0;

/** A room funded by a fresh creator (display name "Ada"), through the real service. */
export async function openGiftRoom(
  ctx: ServiceContext,
  input: Partial<CreateGiftRoomInput> & { capacity: number },
) {
  const creator = await createBuyer(ctx, 10_000_000);
  await ctx.db.updateTable("users").set({ display_name: "Ada" }).where("id", "=", creator.id).execute();
  const { room } = await createGiftRoom({
    ctx,
    userId: creator.id,
    idempotencyKey: `gift-page-${++rooms}`,
    input: { kind: "airtime", amountKobo: 10_000, pin: TEST_PIN, message: "Happy new month!", ...input },
  });
  return { creator, room };
}

/** A room as a recipient meets it after its creator closed it early. */
export async function openClosedGiftRoom(ctx: ServiceContext) {
  const opened = await openGiftRoom(ctx, { capacity: 2 });
  await ctx.db.updateTable("gift_rooms").set({ status: "closed" }).where("id", "=", opened.room.id).execute();
  return opened;
}

/** A room whose time ran out a minute ago, before the sweep has refunded it. */
export async function openExpiredGiftRoom(ctx: ServiceContext) {
  const opened = await openGiftRoom(ctx, { capacity: 2 });
  await ctx.db
    .updateTable("gift_rooms")
    .set({ expires_at: new Date(Date.now() - 60_000) })
    .where("id", "=", opened.room.id)
    .execute();
  return opened;
}

/**
 * One phone's browser against the app (app.request, no socket): it keeps the device cookie the
 * page sets, sends the same user agent, and posts the form with the CSRF token read from the page.
 */
export function giftVisitor(app: TestApp, userAgent = "Mozilla/5.0 (Linux; Android 13) test") {
  let cookie: string | undefined;
  const headers = () => ({ "user-agent": userAgent, ...(cookie ? { cookie } : {}) });
  async function get(path: string) {
    const res = await app.request(path, { headers: headers() });
    const set = res.headers.get("set-cookie");
    if (set) {
      cookie = set.split(";")[0];
    }
    const html = await res.text();
    return { res, html, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] };
  }
  async function post(token: string, fields: Record<string, string>) {
    const res = await app.request(`/gift/${token}`, {
      method: "POST",
      headers: { ...headers(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    return { res, html: await res.text() };
  }
  return {
    get,
    post,
    /** Open the room page, then submit its form (csrf from the page unless given). */
    async claim(token: string, fields: Record<string, string>) {
      const page = await get(`/gift/${token}`);
      return post(token, { csrf: page.csrf ?? "", action: "claim", ...fields });
    },
    cookie: () => cookie,
  };
}
