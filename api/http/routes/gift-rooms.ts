import { createHash } from "node:crypto";
import { type Context, Hono } from "hono";
import {
  ClaimGiftInput,
  CreateGiftRoomInput,
  claimGift,
  closeRoom,
  createGiftRoom,
  getPublicRoom,
  getRoomForCreator,
  JoinDrawInput,
  joinDraw,
  listRoomsForCreator,
} from "../../services/gift-rooms";
import type { VtuRuntime } from "../../services/vtu/runtime";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { authenticateRequest, bearerToken, clientIp, requireUser } from "../middleware";
import { jsonBody, idempotencyKey as requireIdempotencyKey } from "../validate";

/**
 * /api/gift-rooms: creating and managing rooms (signed in, Idempotency-Key on create), and the
 * public side (room details, claim, join a draw) for anyone with the link. A claim is tied to the
 * recipient's number, the device (X-Device-Id, else the IP and user agent) and, when signed in, the
 * account (S12).
 */
export function giftRoomRoutes(deps: { vtu: VtuRuntime; trustedProxies: number }) {
  const app = new Hono<AppEnv>();

  app.post("/create", requireUser({ scope: "gift" }), async (c) => {
    const idempotencyKey = requireIdempotencyKey(c, "never opens two rooms");
    const input = await jsonBody(c, CreateGiftRoomInput);
    const { room, replayed } = await createGiftRoom({
      ctx: c.var.ctx,
      userId: c.var.principal.userId,
      idempotencyKey,
      input,
    });
    if (replayed) {
      c.header("Idempotent-Replayed", "true");
    }
    return ok(c, { room }, { status: replayed ? 200 : 201 });
  });

  app.get("/my-rooms", requireUser({ scope: "read" }), async (c) =>
    ok(c, { rooms: await listRoomsForCreator({ ctx: c.var.ctx, userId: c.var.principal.userId }) }),
  );

  app.post("/:id{gft_[0-9a-z]+}/close", requireUser({ scope: "gift" }), async (c) => {
    const { ctx, principal } = c.var;
    const room = await getRoomForCreator({ ctx, userId: principal.userId, roomId: c.req.param("id") });
    const { closed, refundedKobo } = await closeRoom(ctx, room.id, "closed_by_creator");
    return ok(c, {
      closed,
      refundedKobo,
      room: await getRoomForCreator({ ctx, userId: principal.userId, roomId: room.id }),
    });
  });

  app.post("/claim", async (c) => {
    const input = await jsonBody(c, ClaimGiftInput);
    const claim = await claimGift({
      ctx: c.var.ctx,
      vtu: deps.vtu,
      input,
      claimant: await claimantOf(c, deps.trustedProxies),
    });
    return ok(c, { claim }, { status: 201 });
  });

  app.post("/join", async (c) => {
    const input = await jsonBody(c, JoinDrawInput);
    const joined = await joinDraw({
      ctx: c.var.ctx,
      vtu: deps.vtu,
      input,
      claimant: await claimantOf(c, deps.trustedProxies),
    });
    return ok(c, joined, { status: 201 });
  });

  app.get("/:token", async (c) => ok(c, { room: await getPublicRoom(c.var.ctx, c.req.param("token")) }));

  return app;
}

/** Who is claiming: the device, the address, and the account when a bearer credential is sent. */
async function claimantOf(c: Context<AppEnv>, trustedProxies: number) {
  const ip = clientIp(c, trustedProxies);
  const device = c.req.header("x-device-id") ?? `${ip}|${c.req.header("user-agent") ?? ""}`;
  const bearer = bearerToken(c.req.header("authorization"));
  // A claim or a draw entry is a gift-room write: a key needs the gift scope (DECISIONS §72).
  const principal = bearer ? await authenticateRequest(c, bearer, { scope: "gift" }) : undefined;
  return {
    deviceHash: createHash("sha256").update(device).digest("hex"),
    ip,
    userId: principal?.userId,
  };
}
