import { Hono } from "hono";
import type { Config } from "../api/config";
import { NETWORK_NAMES } from "../api/services/catalogue/normalize";
import type { ServiceContext } from "../api/services/context";
import { ServiceError, ValidationError } from "../api/services/errors";
import {
  claimGift,
  describeGift,
  drawStatus,
  getPublicRoom,
  giftClaimStatus,
  joinDraw,
  type PublicGiftRoomDto,
} from "../api/services/gift-rooms";
import { guessNetwork, maskPhone, normalizePhone } from "../api/services/phone";
import { takeGiftClaimSlots } from "../api/services/rate-limits";
import type { VtuRuntime } from "../api/services/vtu";
import { NETWORKS } from "../api/services/vtu/provider";
import { boundedBody } from "../api/transport/body-limit";
import { clientIp } from "../api/transport/client-ip";
import { startLinks } from "./chat-links";
import { csrfToken, csrfValid, deviceHash, ensureDeviceId, readDeviceId } from "./gift-device";
import {
  type GiftField,
  type GiftFormValues,
  GiftNotFoundPage,
  GiftResultPage,
  GiftRoomPage,
} from "./pages/gift";
import { ClaimOutcome, DrawStatusOutcome, JoinedOutcome, RefusedOutcome } from "./pages/gift-results";

type Env = { Variables: { ctx: ServiceContext } };

/**
 * `/gift/:token`, the claim page (DESIGN §8). GET shows the room and sets the device cookie; POST
 * claims (or joins the draw, or looks up a draw result) through the gift-room services, which hold
 * every rule: capacity, one gift per number/device/account, rate limits. This file only turns the
 * form into a service call and the answer, or the refusal, into a page. No JavaScript anywhere.
 */
export function giftRoutes(deps: { config: Config; vtu: VtuRuntime }) {
  const app = new Hono<Env>();
  const { config } = deps;
  const sandbox = config.sandbox;
  // Recipients who are refused or find the room over get the bot instead (the sign-up moment).
  const links = startLinks(config);

  // The token in the URL is the room's only key: no cache keeps a page, no Referer carries it away,
  // and the page loads nothing from anywhere (inline styles only, forms post to us). img-src data:
  // is for the layout's empty data: favicon, which the browser otherwise reports as blocked.
  app.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    c.header(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  const roomPage = async (
    c: { var: Env["Variables"] },
    room: PublicGiftRoomDto,
    deviceId: string,
    extra: { values?: GiftFormValues; error?: string; errorField?: GiftField } = {},
  ) => (
    <GiftRoomPage
      room={room}
      gift={await describeGift(c.var.ctx, room)}
      csrf={csrfToken(config, deviceId, room.token)}
      sandbox={sandbox}
      links={links}
      {...extra}
    />
  );

  app.get("/:token", async (c) => {
    const room = await getPublicRoom(c.var.ctx, c.req.param("token")).catch(notFound);
    if (!room) {
      return c.html(<GiftNotFoundPage sandbox={sandbox} links={links} />, 404);
    }
    const deviceId = ensureDeviceId(c, config);
    return c.html(await roomPage(c, room, deviceId));
  });

  // The "check status" link of a claim: only the device that claimed sees its order.
  app.get("/:token/status/:orderId", async (c) => {
    const deviceId = readDeviceId(c);
    const status = deviceId
      ? await giftClaimStatus(c.var.ctx, {
          token: c.req.param("token"),
          orderId: c.req.param("orderId"),
          deviceHash: deviceHash(deviceId, c.req.header("user-agent")),
        }).catch(notFound)
      : undefined;
    if (!status) {
      return c.html(<GiftNotFoundPage sandbox={sandbox} links={links} />, 404);
    }
    return c.html(
      <ClaimOutcome token={c.req.param("token")} delivery={status} sandbox={sandbox} links={links} />,
    );
  });

  // The form is a phone number and an answer: a few hundred bytes. Nothing big is ever parsed.
  app.post(
    "/:token",
    boundedBody({
      maxSize: 8 * 1024,
      onError: (c) =>
        c.html(
          <RefusedOutcome
            token={c.req.param("token") ?? ""}
            heading="That form is too large"
            sandbox={sandbox}
            links={links}
          >
            Open the gift link again and claim from there.
          </RefusedOutcome>,
          413,
        ),
    }),
  );

  app.post("/:token", async (c) => {
    const ctx = c.var.ctx;
    const token = c.req.param("token");
    const room = await getPublicRoom(ctx, token).catch(notFound);
    if (!room) {
      return c.html(<GiftNotFoundPage sandbox={sandbox} links={links} />, 404);
    }
    const form = await c.req.parseBody();
    const deviceId = readDeviceId(c);
    if (!deviceId || !csrfValid(config, deviceId, room.token, form.csrf)) {
      return c.html(
        <GiftResultPage
          token={room.token}
          tone="bad"
          badge="Refused"
          heading="Open the gift link first"
          sandbox={sandbox}
          links={links}
        >
          <p>
            This form did not come from the gift page in this browser (or cookies are off). Open the gift link
            again and claim from there.
          </p>
        </GiftResultPage>,
        403,
      );
    }
    const field = (name: string) => (typeof form[name] === "string" ? form[name].trim() : "");
    const values: GiftFormValues = {
      phone: field("phone"),
      network: field("network"),
      answer: field("answer"),
    };
    const claimant = {
      deviceHash: deviceHash(deviceId, c.req.header("user-agent")),
      ip: clientIp(c, config.TRUST_PROXY),
    };
    try {
      if (!values.phone) {
        // Before the services, whose schema message ("phone: too small") is not for people.
        throw new ValidationError("Enter your phone number, like 08031234567.", { field: "phone" });
      }
      if (field("action") === "draw-status") {
        // Counted like a claim, so the lookup cannot sweep numbers (DECISIONS.md §21).
        await takeGiftClaimSlots(ctx, claimant);
        const status = await drawStatus(ctx, {
          token: room.token,
          phone: values.phone ?? "",
          deviceHash: claimant.deviceHash,
        });
        return c.html(
          <DrawStatusOutcome token={room.token} status={status} sandbox={sandbox} links={links} />,
        );
      }
      const network = chooseNetwork(room, values);
      const input = { token: room.token, phone: values.phone ?? "", network: network.network };
      if (room.mode === "random_draw") {
        const joined = await joinDraw({ ctx, vtu: deps.vtu, input, claimant });
        return c.html(
          <JoinedOutcome
            token={room.token}
            drawAt={joined.drawAt}
            guessed={network.guessed}
            sandbox={sandbox}
            links={links}
          />,
        );
      }
      const claimed = await claimGift({
        ctx,
        vtu: deps.vtu,
        input: { ...input, answer: values.answer },
        claimant,
      });
      return c.html(
        <ClaimOutcome
          token={room.token}
          delivery={{
            state: claimed.state,
            recipient: maskPhone(claimed.recipient),
            gift: await describeGift(ctx, room),
            orderId: claimed.orderId,
          }}
          guessed={network.guessed}
          sandbox={sandbox}
          links={links}
        />,
      );
    } catch (error) {
      if (!(error instanceof ServiceError)) {
        // A bug or the database being down: logged with the request, never shown as a stack.
        ctx.logger.error({ err: error }, "gift claim page failed");
        return c.html(
          <RefusedOutcome
            token={room.token}
            heading="Something went wrong on our side"
            sandbox={sandbox}
            links={links}
          >
            Nothing was claimed. Try again in a minute.
          </RefusedOutcome>,
          500,
        );
      }
      if (error.kind === "invalid" && field("action") !== "draw-status") {
        // Wrong answer, a number that is not one, a network to confirm: the form again with every
        // field as typed, the refusal beside the field it is about, and that field focused. Now the
        // number is known, an airtime network is pre-selected for them to confirm or change.
        const kept = { ...values, network: values.network || chooseNetwork(room, values).network };
        const errorField = GIFT_FIELDS.find((f) => f === error.details?.field);
        return c.html(
          await roomPage(c, room, deviceId, { values: kept, error: error.message, errorField }),
          422,
        );
      }
      return c.html(
        <RefusedOutcome token={room.token} error={error} sandbox={sandbox} links={links} />,
        statusOf(error),
      );
    }
  });
  // Anything a route did not turn into a page (the database down while loading the room): a page
  // that says so, never the API's JSON or a stack.
  app.onError((error, c) => {
    c.var.ctx?.logger.error({ err: error }, "gift page failed");
    return c.html(
      <RefusedOutcome
        token={c.req.param("token") ?? ""}
        heading="Something went wrong on our side"
        sandbox={sandbox}
        links={links}
      >
        Nothing was claimed. Try again in a minute.
      </RefusedOutcome>,
      500,
    );
  });
  return app;
}

const GIFT_FIELDS: readonly GiftField[] = ["phone", "network", "answer"];

/**
 * The network sent with the claim. Airtime: the one picked, else the prefix's guess (told on the
 * result page, since numbers can be ported). Data: only the plan's network, ticked by a recipient
 * whose number was moved to it (the services refuse anything else in words they understand). Cash
 * carries none.
 */
function chooseNetwork(
  room: PublicGiftRoomDto,
  values: GiftFormValues,
): { network?: (typeof NETWORKS)[number]; guessed?: string } {
  const picked = NETWORKS.find((n) => n === values.network);
  if (room.kind !== "airtime") {
    return room.kind === "data" && picked ? { network: picked } : {};
  }
  if (picked) {
    return { network: picked };
  }
  let phone: string;
  try {
    phone = normalizePhone(values.phone ?? "");
  } catch {
    return {}; // the service refuses the number with its own message
  }
  const guess = guessNetwork(phone).network;
  return guess ? { network: guess, guessed: NETWORK_NAMES[guess] } : {};
}

function statusOf(error: ServiceError): 404 | 409 | 410 | 422 | 429 | 503 {
  if (error.code === "ROOM_CLOSED" || error.code === "DRAW_CLOSED") {
    return 410;
  }
  switch (error.kind) {
    case "not_found":
      return 404;
    case "rate_limited":
      return 429;
    case "unavailable":
      return 503;
    case "conflict":
      return 409;
    default:
      return 422;
  }
}

function notFound(error: unknown): undefined {
  if (error instanceof ServiceError && error.kind === "not_found") {
    return undefined;
  }
  throw error;
}
