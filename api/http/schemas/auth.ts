import { z } from "zod";
import type { UserDto } from "../../services/users";
import { IsoTime } from "../openapi/envelope-schemas";

// Response schemas of /api/auth. `satisfies` ties each to the service's own type.

const CHANNELS = ["telegram", "whatsapp", "web", "api", "console"] as const;

export const User = z
  .object({
    id: z.string().meta({ example: "usr_01JEXAMPLE" }),
    displayName: z.string().nullable().meta({ example: "Ada Okafor" }),
    phone: z.string().nullable().meta({ example: "+2348031234567" }),
    email: z.string().nullable(),
    status: z.enum(["active", "suspended", "closed"]),
    verificationLevel: z.number().int().meta({
      description:
        "Verification level: 0 basic, 1 verified (a BVN given), 2 premium, 3 business. It sets the daily limits.",
    }),
    referralCode: z.string().meta({ description: "Share it: GET /api/referrals has the link." }),
    createdAt: IsoTime,
  })
  .meta({ id: "User" }) satisfies z.ZodType<UserDto>;

export const Identity = z
  .object({
    channel: z.enum(CHANNELS),
    externalId: z.string().meta({ description: "The chat's id for the person (a phone, a Telegram id)." }),
    linkedAt: IsoTime,
  })
  .meta({ id: "Identity" });

export const Me = User.extend({
  identities: z.array(Identity).meta({ description: "The chats and the API this account is reached by." }),
}).meta({ id: "Me" });

export const Session = z
  .object({
    token: z.string().meta({ description: "Send it as `Authorization: Bearer <token>`." }),
    tokenType: z.literal("Bearer"),
    expiresAt: IsoTime,
    userId: z.string(),
  })
  .meta({ id: "Session" });

export const PinSet = z.object({
  pinSet: z.literal(true),
  changed: z
    .boolean()
    .meta({ description: "True when an existing PIN was changed, false for the first one." }),
});

export const PinReset = z.object({ pinSet: z.literal(true) });

export const LoggedOut = z.object({ loggedOut: z.literal(true) });

export const PinResetRequested = z.object({
  expiresAt: IsoTime.meta({ description: "When the code sent to your chat stops working." }),
  sandboxResetCode: z.string().optional().meta({
    example: "493817",
    description:
      "Sandbox mode only (never sent in live mode): the code itself, so a reset can be tried without a chat.",
  }),
});

export const LinkCode = z.object({
  linkCode: z
    .string()
    .meta({ example: "K7QM2XWD", description: "Send it to the TADA bot on the other chat." }),
  expiresAt: IsoTime,
});
