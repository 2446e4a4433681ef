import { z } from "zod";
import { API_KEY_SCOPES, type ApiKeyDto } from "../../services/auth";
import { IsoTime } from "../openapi/envelope-schemas";

// Response schemas of /api/api-keys; `satisfies` ties them to the service's DTO.

export const ApiKey = z
  .object({
    id: z.string().meta({ example: "key_01jexample" }),
    name: z.string().meta({ example: "Shop server" }),
    prefix: z
      .string()
      .meta({ description: "The key's first 12 characters, to recognise it.", example: "tvk_sbx_yC2e" }),
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .meta({ description: "What the key may do.", example: ["read", "purchase"] }),
    ipAllowList: z.array(z.string()).meta({
      description: "Addresses and CIDRs the key may be used from; empty: anywhere.",
      example: ["203.0.113.0/24"],
    }),
    rateLimitPerMinute: z
      .number()
      .int()
      .nullable()
      .meta({ description: "Requests a minute; null: the deployment's default (120 unless configured)." }),
    sandbox: z.boolean().meta({ description: "Made on a sandbox deployment; a live deployment refuses it." }),
    createdAt: IsoTime,
    lastUsedAt: IsoTime.nullable().meta({ description: "Updated at most once a minute." }),
    revokedAt: IsoTime.nullable(),
  })
  .meta({ id: "ApiKey" }) satisfies z.ZodType<ApiKeyDto>;

export const ApiKeyWithSecret = ApiKey.extend({
  key: z.string().meta({
    description: "The whole key: shown only in this answer. Send it as `Authorization: Bearer <key>`.",
    example: "tvk_sbx_yC2ebd1p61ZnJDwcOfnbSa0YLUdyeRo3Q94crAEsYwE",
  }),
}).meta({ id: "ApiKeyWithSecret" });
