import { createHash } from "node:crypto";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import {
  claimGift,
  closeRoom,
  createGiftRoom,
  getPublicRoom,
  getRoomForCreator,
  joinDraw,
  pageRoomsForCreator,
} from "../../services/gift-rooms";
import type { VtuRuntime } from "../../services/vtu/runtime";
import { clientIp } from "../../transport/client-ip";
import type { AppEnv } from "../context";
import { defineRoute, reply } from "../openapi/define-route";
import { pageQuery } from "../openapi/envelope-schemas";
import {
  ClaimGiftBody,
  ClosedRoom,
  DrawEntry,
  GiftClaim,
  GiftRoom,
  GiftRoomPage,
  JoinDrawBody,
  NewGiftRoomBody,
  PublicGiftRoom,
} from "../schemas/gift-rooms";

const TAGS = ["Gift rooms"];
const ListQuery = pageQuery(z.string().regex(/^gft_[0-9a-z]{20}$/, "the nextCursor of the page before"));
const ROOM_NOT_FOUND = {
  status: 404,
  code: "NOT_FOUND",
  description: "No such room (or not yours).",
} as const;
const DEVICE_HEADER =
  "A claim is tied to the recipient's number, the device (`X-Device-Id`, else the address and user agent) " +
  "and, when a bearer credential is sent, the account: each claims once per room.";
const CLAIM_ERRORS = [
  { status: 404, code: "NOT_FOUND", description: "No room has this token." },
  { status: 409, code: "ROOM_CLOSED", description: "The room has closed or expired." },
  {
    status: 409,
    code: "SIGNUP_REQUIRED",
    description: "Cash gifts go to a TADA VTU wallet: register with the number first.",
  },
  { status: 503, code: "GIFT_UNAVAILABLE", description: "The gift cannot be sent right now; try later." },
  {
    status: 400,
    code: "NETWORK_CONFIRMATION_REQUIRED",
    description:
      "Send `network`: airtime goes to the network chosen; a data gift's number that looks like another network confirms it was moved to the plan's network by sending that network.",
  },
  {
    status: 400,
    code: "PLAN_NETWORK_MISMATCH",
    description: "A data gift works only on its plan's network: `network` named another one.",
  },
] as const;

/**
 * /api/gift-rooms: creating and managing rooms (signed in, Idempotency-Key on create), and the
 * public side (room details, claim, join a draw) for anyone with the link. A claim is tied to the
 * recipient's number, the device (X-Device-Id, else the IP and user agent) and, when signed in, the
 * account (S12).
 */
export function giftRoomRoutes(deps: { vtu: VtuRuntime; trustedProxies: number }) {
  const app = new OpenAPIHono<AppEnv>();

  defineRoute(
    app,
    {
      method: "post",
      path: "/create",
      tags: TAGS,
      summary: "Open a gift room",
      description:
        "Moves capacity × the gift's price from your wallet into the room's escrow. Share `link`: recipients open it " +
        "and claim. What is not claimed by expiry (or when you close the room) comes back to your wallet.",
      auth: "user",
      scope: "gift",
      idempotencyKey: "required",
      idempotencyPurpose: "never opens two rooms",
      body: NewGiftRoomBody,
      bodyExample: {
        kind: "airtime",
        amountKobo: 10000,
        capacity: 10,
        mode: "first_come",
        message: "For the family",
        expiresInHours: 24,
        pin: "2580",
      },
      response: { status: 201, description: "The room.", schema: z.object({ room: GiftRoom }) },
      errors: [
        {
          status: 422,
          code: "INCORRECT_PIN",
          description: "The transaction PIN is wrong; `details.attemptsLeft` says how many tries are left.",
        },
        {
          status: 423,
          code: "PIN_LOCKED",
          description: "Too many wrong PINs; wait until `details.lockedUntil` or reset the PIN.",
        },
        {
          status: 409,
          code: "PIN_NOT_SET",
          description: "Set a transaction PIN first (POST /api/auth/pin).",
        },
        {
          status: 422,
          code: "INSUFFICIENT_FUNDS",
          description: "The wallet holds less than capacity × the gift's price.",
        },
        {
          status: 409,
          code: "IDEMPOTENCY_KEY_REUSED",
          description: "The Idempotency-Key was used for a different room.",
        },
        {
          status: 404,
          code: "PRODUCT_NOT_FOUND",
          description: "No such data plan; list the catalogue first.",
        },
        {
          status: 400,
          code: "AMOUNT_OUT_OF_RANGE",
          description: "A cash gift below the minimum per gift (`details.minKobo`, ₦50 by default).",
        },
        {
          status: 400,
          code: "AMOUNT_NOT_WHOLE_NAIRA",
          description: "Airtime and cash gifts are in whole naira: `amountKobo` must be a multiple of 100.",
        },
      ],
    },
    async (c, { body, idempotencyKey }) => {
      const { room, replayed } = await createGiftRoom({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        idempotencyKey: idempotencyKey as string,
        input: body,
      });
      return replayed
        ? reply({ room }, { status: 200, headers: { "Idempotent-Replayed": "true" } })
        : { room };
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/my-rooms",
      tags: TAGS,
      summary: "The rooms you opened, newest first",
      auth: "user",
      query: ListQuery,
      response: { description: "A page of rooms.", schema: GiftRoomPage },
    },
    async (c, { query }) => {
      const { items, nextCursor } = await pageRoomsForCreator({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        ...query,
      });
      return { items, nextCursor, rooms: items };
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/:id{gft_[0-9a-z]+}/close",
      tags: TAGS,
      summary: "Close one of your rooms now",
      description:
        "No more claims; what the room holds beyond gifts still being sent comes back to your wallet. " +
        "Closing a closed room changes nothing (`closed: false`).",
      auth: "user",
      scope: "gift",
      params: z.strictObject({
        id: z.string().meta({ description: "The room's id (gft_…).", example: "gft_01jexample0000000000" }),
      }),
      response: { description: "The room, closed.", schema: ClosedRoom },
      errors: [ROOM_NOT_FOUND],
    },
    async (c, { params }) => {
      const { ctx, principal } = c.var;
      const room = await getRoomForCreator({ ctx, userId: principal.userId, roomId: params.id });
      const { closed, refundedKobo } = await closeRoom(ctx, room.id, "closed_by_creator");
      return {
        closed,
        refundedKobo,
        room: await getRoomForCreator({ ctx, userId: principal.userId, roomId: room.id }),
      };
    },
  );

  // Recipients: anyone with the link. A bearer credential, when sent, is checked and ties the claim
  // to the account as well.
  defineRoute(
    app,
    {
      method: "post",
      path: "/claim",
      tags: TAGS,
      summary: "Claim a gift (first-come and quiz rooms)",
      description: `For anyone with the link; no account needed (cash gifts go to the wallet of the number's account). ${DEVICE_HEADER}`,
      auth: "optional",
      // Sent with an API key, a claim is a gift-room write (DECISIONS §72).
      scope: "gift",
      body: ClaimGiftBody,
      bodyExample: { token: "Vq3xY8d0bJm2Kp7sLw9tRz4nHc6fGa1e", phone: "08031234567", network: "mtn" },
      response: {
        status: 201,
        description: "The gift, on its way or credited.",
        schema: z.object({ claim: GiftClaim }),
      },
      errors: [
        ...CLAIM_ERRORS,
        { status: 409, code: "ROOM_FULL", description: "Every gift has been claimed." },
        {
          status: 409,
          code: "ALREADY_CLAIMED",
          description: "This number, device or account already claimed.",
        },
        { status: 409, code: "DRAW_ROOM", description: "The room is a draw: join it instead." },
        { status: 400, code: "WRONG_ANSWER", description: "Quiz rooms: not the answer." },
      ],
    },
    async (c, { body }) => {
      const claim = await claimGift({
        ctx: c.var.ctx,
        vtu: deps.vtu,
        input: body,
        claimant: claimantOf(c, deps.trustedProxies),
      });
      return { claim };
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/join",
      tags: TAGS,
      summary: "Join a draw (random-draw rooms)",
      description: `For anyone with the link, until the draw time; winners get their gift at the draw. ${DEVICE_HEADER}`,
      auth: "optional",
      scope: "gift",
      body: JoinDrawBody,
      bodyExample: { token: "Vq3xY8d0bJm2Kp7sLw9tRz4nHc6fGa1e", phone: "08031234567", network: "mtn" },
      response: { status: 201, description: "You are in the draw.", schema: DrawEntry },
      errors: [
        ...CLAIM_ERRORS,
        { status: 409, code: "NOT_A_DRAW", description: "The room is not a draw: claim instead." },
        { status: 409, code: "DRAW_CLOSED", description: "The draw no longer takes entries." },
        {
          status: 409,
          code: "ALREADY_JOINED",
          description: "This number, device or account is already in the draw.",
        },
      ],
    },
    async (c, { body }) =>
      joinDraw({ ctx: c.var.ctx, vtu: deps.vtu, input: body, claimant: claimantOf(c, deps.trustedProxies) }),
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/:token",
      tags: TAGS,
      summary: "A room as anyone with its link sees it",
      auth: "none",
      params: z.strictObject({
        token: z.string().meta({
          description: "The token from the room's link.",
          example: "Vq3xY8d0bJm2Kp7sLw9tRz4nHc6fGa1e",
        }),
      }),
      response: { description: "The room.", schema: z.object({ room: PublicGiftRoom }) },
      errors: [{ status: 404, code: "NOT_FOUND", description: "No room has this token." }],
    },
    async (c, { params }) => ({ room: await getPublicRoom(c.var.ctx, params.token) }),
  );

  return app;
}

/** Who is claiming: the device, the address, and the account when a bearer credential was sent. */
function claimantOf(c: Context<AppEnv>, trustedProxies: number) {
  const ip = clientIp(c, trustedProxies);
  const device = c.req.header("x-device-id") ?? `${ip}|${c.req.header("user-agent") ?? ""}`;
  return {
    deviceHash: createHash("sha256").update(device).digest("hex"),
    ip,
    userId: c.get("principal")?.userId,
  };
}
