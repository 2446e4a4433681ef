import { z } from "zod";
import {
  ClaimGiftInput,
  type ClaimResult,
  CreateGiftRoomInput,
  type GiftRoomDto,
  JoinDrawInput,
  type PublicGiftRoomDto,
} from "../../services/gift-rooms";
import { IsoTime, Kobo, page } from "../openapi/envelope-schemas";

// Schemas of /api/gift-rooms. `satisfies` ties each response schema to the service's own type, so a
// field added to a DTO and not here fails the type check.

const ROOM_TOKEN = "Vq3xY8d0bJm2Kp7sLw9tRz4nHc6fGa1e";

/** What anyone with the link sees (and the creator too, with more). */
const roomFields = {
  token: z.string().meta({
    description: "The link's secret: /gift/{token} and GET /api/gift-rooms/{token}.",
    example: ROOM_TOKEN,
  }),
  kind: z.enum(["airtime", "data", "cash"]),
  amountKobo: Kobo.meta({
    description: "Each gift's face value (airtime, cash) or the plan's price (data).",
  }),
  planId: z.string().nullable().meta({ description: "Data gifts: the plan every recipient gets." }),
  network: z.string().nullable(),
  mode: z.enum(["first_come", "random_draw", "quiz"]),
  quizQuestion: z.string().nullable(),
  drawAt: IsoTime.nullable().meta({ description: "Draws: when the winners are drawn." }),
  message: z.string().meta({ example: "For the family" }),
  state: z.enum(["open", "full", "drawing", "closed", "expired"]),
  expiresAt: IsoTime,
};

export const PublicGiftRoom = z
  .object({
    senderName: z.string().meta({ example: "Ada" }),
    ...roomFields,
  })
  .meta({
    id: "PublicGiftRoom",
    description: "What anyone with the link sees: never the recipients, the claim count or the quiz answers.",
  }) satisfies z.ZodType<PublicGiftRoomDto>;

export const GiftRoom = z
  .object({
    id: z.string().meta({ example: "gft_01jexample0000000000" }),
    ...roomFields,
    link: z.string().meta({ example: `https://tada.example/gift/${ROOM_TOKEN}` }),
    capacity: z.number().int(),
    claimed: z.number().int(),
    giftPriceKobo: Kobo.meta({ description: "What one gift cost the creator." }),
    escrowKobo: Kobo.meta({
      description: "What the room still holds for unclaimed gifts and gifts being sent.",
    }),
    createdAt: IsoTime,
    closedAt: IsoTime.nullable(),
  })
  .meta({
    id: "GiftRoom",
    description: "A room as its creator sees it.",
    example: {
      id: "gft_01jexample0000000000",
      token: ROOM_TOKEN,
      kind: "airtime",
      amountKobo: 10000,
      planId: null,
      network: null,
      mode: "first_come",
      quizQuestion: null,
      drawAt: null,
      message: "For the family",
      state: "open",
      expiresAt: "2026-12-08T09:30:00.000Z",
      link: `https://tada.example/gift/${ROOM_TOKEN}`,
      capacity: 10,
      claimed: 3,
      giftPriceKobo: 10000,
      escrowKobo: 70000,
      createdAt: "2026-12-07T09:30:00.000Z",
      closedAt: null,
    },
  }) satisfies z.ZodType<GiftRoomDto>;

export const GiftRoomPage = page(GiftRoom)
  .extend({
    rooms: z.array(GiftRoom).meta({
      deprecated: true,
      description: "Same as `items`; kept for clients written before v1. Removed in v2.",
    }),
  })
  .meta({ id: "GiftRoomPage" });

export const GiftClaim = z
  .object({
    state: z.enum(["ordered", "delivered", "credited", "failed"]).meta({
      description:
        "`ordered`: the airtime or data is on its way; `credited`: cash is in the recipient's wallet.",
    }),
    kind: z.enum(["airtime", "data", "cash"]),
    recipient: z.string().meta({ example: "08031234567" }),
    amountKobo: Kobo,
    orderId: z.string().nullable(),
    message: z.string().meta({ description: "What to tell the recipient." }),
  })
  .meta({ id: "GiftClaim" }) satisfies z.ZodType<ClaimResult>;

export const DrawEntry = z
  .object({
    joined: z.literal(true),
    drawAt: IsoTime,
    participants: z.number().int().meta({ description: "Entries so far, this one included." }),
  })
  .meta({ id: "GiftDrawEntry" });

export const ClosedRoom = z.object({
  closed: z.boolean().meta({ description: "False when the room was already closed." }),
  refundedKobo: Kobo.meta({ description: "What went back to your wallet now." }),
  room: GiftRoom,
});

// Request bodies: the services' own schemas, named for the document.
export const NewGiftRoomBody = CreateGiftRoomInput.meta({ id: "NewGiftRoom" });
export const ClaimGiftBody = ClaimGiftInput.meta({ id: "GiftClaimRequest" });
export const JoinDrawBody = JoinDrawInput.meta({ id: "GiftDrawJoin" });
