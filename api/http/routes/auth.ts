import { type Context, Hono } from "hono";
import { LoginInput, login, logout, RegisterInput, registerUser } from "../../services/auth";
import { ResetPinInput, requestPinReset, resetPin, SetPinInput, setOrChangePin } from "../../services/pins";
import { createLinkCode, getUser, listIdentities, toUserDto } from "../../services/users";
import type { AppEnv } from "../context";
import { ok } from "../envelope";
import { bearerToken, clientIp, requireUser } from "../middleware";
import { hitWithHeaders, type MemoryRateLimiter } from "../rate-limit";
import { jsonBody } from "../validate";

export function authRoutes(deps: { limiter: MemoryRateLimiter; trustedProxies: number }) {
  const app = new Hono<AppEnv>();
  const limited = (c: Context<AppEnv>) =>
    hitWithHeaders(c, deps.limiter, `auth:${clientIp(c, deps.trustedProxies)}`);

  app.post("/register", async (c) => {
    limited(c);
    const user = await registerUser({ ctx: c.var.ctx, input: await jsonBody(c, RegisterInput) });
    return ok(c, user, { status: 201, message: "Account created. Log in to get a token." });
  });

  app.post("/login", async (c) => {
    limited(c);
    return ok(c, await login({ ctx: c.var.ctx, input: await jsonBody(c, LoginInput) }));
  });

  app.post("/logout", requireUser({ sessionOnly: true }), async (c) => {
    await logout({ ctx: c.var.ctx, token: bearerToken(c.req.header("authorization")) ?? "" });
    return ok(c, { loggedOut: true });
  });

  app.get("/me", requireUser({ scope: "read" }), async (c) => {
    const userId = c.var.principal.userId;
    const user = await getUser(c.var.ctx, userId);
    return ok(c, { ...toUserDto(user), identities: await listIdentities(c.var.ctx, userId) });
  });

  app.post("/pin", requireUser({ scope: "purchase" }), async (c) => {
    const { changed } = await setOrChangePin({
      ctx: c.var.ctx,
      userId: c.var.principal.userId,
      input: await jsonBody(c, SetPinInput),
    });
    return ok(
      c,
      { pinSet: true, changed },
      { message: changed ? "Your PIN was changed." : "Your PIN is set." },
    );
  });

  app.post("/forgot-pin", requireUser({ scope: "purchase" }), async (c) => {
    const result = await requestPinReset({ ctx: c.var.ctx, userId: c.var.principal.userId });
    return ok(c, result, {
      status: 202,
      message: "We sent a 6-digit reset code to your chat. Send it with your new PIN to /api/auth/reset-pin.",
    });
  });

  app.post("/reset-pin", requireUser({ scope: "purchase" }), async (c) => {
    await resetPin({
      ctx: c.var.ctx,
      userId: c.var.principal.userId,
      input: await jsonBody(c, ResetPinInput),
    });
    return ok(c, { pinSet: true }, { message: "Your PIN was reset." });
  });

  app.post("/link-code", requireUser({ sessionOnly: true }), async (c) => {
    const result = await createLinkCode({ ctx: c.var.ctx, userId: c.var.principal.userId });
    return ok(c, result, {
      status: 201,
      message: "Send this code to the TADA bot on your other chat app to use one wallet on both.",
    });
  });

  return app;
}
