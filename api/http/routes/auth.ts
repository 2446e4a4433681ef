import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { LoginInput, login, logout, RegisterInput, registerUser } from "../../services/auth";
import { ResetPinInput, requestPinReset, resetPin, SetPinInput, setOrChangePin } from "../../services/pins";
import { createLinkCode, getUser, listIdentities, toUserDto } from "../../services/users";
import { clientIp } from "../../transport/client-ip";
import type { AppEnv } from "../context";
import { bearerToken } from "../middleware";
import { defineRoute, reply } from "../openapi/define-route";
import { hitWithHeaders, type MemoryRateLimiter } from "../rate-limit";
import { LinkCode, LoggedOut, Me, PinReset, PinResetRequested, PinSet, Session, User } from "../schemas/auth";

const TAGS = ["Auth"];
const PIN_ERRORS = [
  { status: 400, code: "INVALID_PIN_FORMAT", description: "A PIN is 4 to 6 digits." },
  { status: 400, code: "WEAK_PIN", description: "Repeated or consecutive digits are refused." },
] as const;
const PHONE_EXAMPLE = "08031234567";

export function authRoutes(deps: { limiter: MemoryRateLimiter; trustedProxies: number }) {
  const app = new OpenAPIHono<AppEnv>();
  // Per client address, counted before the body is read, so a flood of bad bodies is limited too.
  const limited: MiddlewareHandler<AppEnv> = async (c, next) => {
    hitWithHeaders(c, deps.limiter, `auth:${clientIp(c, deps.trustedProxies)}`);
    await next();
  };

  defineRoute(
    app,
    {
      method: "post",
      path: "/register",
      tags: TAGS,
      summary: "Create an account with a phone number and password",
      description: "The phone number is the login; a wallet comes with the account. Log in next for a token.",
      auth: "none",
      middleware: [limited as MiddlewareHandler],
      body: RegisterInput,
      bodyExample: { phone: PHONE_EXAMPLE, password: "correct-horse-9", name: "Ada Okafor" },
      response: { status: 201, description: "The new account.", schema: User },
      errors: [
        { status: 400, code: "INVALID_PHONE", description: "Not a Nigerian mobile number." },
        {
          status: 400,
          code: "INVALID_PASSWORD",
          description:
            "A password is at least 8 characters and at most 72 bytes of UTF-8 (accented letters count 2 bytes, emoji 4).",
        },
        { status: 409, code: "PHONE_TAKEN", description: "That phone number is registered; log in instead." },
        { status: 409, code: "EMAIL_TAKEN", description: "That email is registered." },
        {
          status: 422,
          code: "REFERRAL_CODE_UNKNOWN",
          description: "No such referral code: check it or leave it out.",
        },
      ],
    },
    async (c, { body }) =>
      reply(await registerUser({ ctx: c.var.ctx, input: body }), {
        message: "Account created. Log in to get a token.",
      }),
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/login",
      tags: TAGS,
      summary: "Log in for a session token",
      auth: "none",
      middleware: [limited as MiddlewareHandler],
      body: LoginInput,
      bodyExample: { phone: PHONE_EXAMPLE, password: "correct-horse-9" },
      response: { description: "A session token for `Authorization: Bearer`.", schema: Session },
      errors: [
        { status: 401, code: "INVALID_CREDENTIALS", description: "Wrong phone number or password." },
        { status: 403, code: "ACCOUNT_SUSPENDED", description: "The account is suspended." },
      ],
    },
    async (c, { body }) => login({ ctx: c.var.ctx, input: body }),
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/logout",
      tags: TAGS,
      summary: "Revoke this session token",
      description: "API keys are revoked with DELETE /api/api-keys/{id} instead.",
      auth: "session",
      response: { description: "The token no longer works.", schema: LoggedOut },
    },
    async (c) => {
      await logout({ ctx: c.var.ctx, token: bearerToken(c.req.header("authorization")) ?? "" });
      return { loggedOut: true as const };
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/me",
      tags: TAGS,
      summary: "Your account and the chats it is linked to",
      auth: "user",
      response: { description: "The account.", schema: Me },
    },
    async (c) => {
      const userId = c.var.principal.userId;
      const user = await getUser(c.var.ctx, userId);
      return { ...toUserDto(user), identities: await listIdentities(c.var.ctx, userId) };
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/pin",
      tags: TAGS,
      summary: "Set your transaction PIN, or change it",
      description:
        "The first time send `pin` alone; to change it send `currentPin` too (a wrong one counts toward the lockout). Purchases and withdrawals need the PIN.",
      auth: "user",
      body: SetPinInput,
      bodyExample: { pin: "2580", currentPin: "1357" },
      response: { description: "The PIN is set.", schema: PinSet },
      errors: [
        ...PIN_ERRORS,
        {
          status: 409,
          code: "PIN_ALREADY_SET",
          description: "Send `currentPin` to change it, or use forgot-pin.",
        },
        { status: 409, code: "PIN_NOT_SET", description: "No PIN yet: leave out `currentPin`." },
        { status: 422, code: "INCORRECT_PIN", description: "`currentPin` is wrong." },
        { status: 423, code: "PIN_LOCKED", description: "Too many wrong tries; wait or reset it." },
      ],
    },
    async (c, { body }) => {
      const { changed } = await setOrChangePin({
        ctx: c.var.ctx,
        userId: c.var.principal.userId,
        input: body,
      });
      return reply(
        { pinSet: true as const, changed },
        { message: changed ? "Your PIN was changed." : "Your PIN is set." },
      );
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/forgot-pin",
      tags: TAGS,
      summary: "Send a PIN reset code to your chat",
      description:
        "A 6-digit code goes to the chat linked to the account; send it to POST /api/auth/reset-pin. In sandbox mode the answer carries the code too (`sandboxResetCode`).",
      auth: "user",
      response: { status: 202, description: "The code is on its way.", schema: PinResetRequested },
    },
    async (c) => {
      const requested = await requestPinReset({ ctx: c.var.ctx, userId: c.var.principal.userId });
      return reply(requested, {
        message: requested.sandboxResetCode
          ? "SANDBOX: the 6-digit reset code is in data.sandboxResetCode (and in your chat). Send it with your new PIN to /api/auth/reset-pin."
          : "We sent a 6-digit reset code to your chat. Send it with your new PIN to /api/auth/reset-pin.",
      });
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/reset-pin",
      tags: TAGS,
      summary: "Set a new PIN with the reset code from your chat",
      auth: "user",
      body: ResetPinInput,
      bodyExample: { resetCode: "493817", newPin: "2580" },
      response: { description: "The new PIN is set and any lockout cleared.", schema: PinReset },
      errors: [
        ...PIN_ERRORS,
        {
          status: 400,
          code: "INVALID_RESET_CODE",
          description: "The code is wrong or expired; ask for a new one with forgot-pin.",
        },
      ],
    },
    async (c, { body }) => {
      await resetPin({ ctx: c.var.ctx, userId: c.var.principal.userId, input: body });
      return reply({ pinSet: true as const }, { message: "Your PIN was reset." });
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/link-code",
      tags: TAGS,
      summary: "A one-time code to use this wallet from another chat app",
      auth: "session",
      response: { status: 201, description: "The code and when it expires.", schema: LinkCode },
    },
    async (c) =>
      reply(await createLinkCode({ ctx: c.var.ctx, userId: c.var.principal.userId }), {
        message: "Send this code to the TADA bot on your other chat app to use one wallet on both.",
      }),
  );

  return app;
}
