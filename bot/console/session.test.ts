import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceContext } from "../../api/services/context";
import { SYSTEM_ACCOUNTS } from "../../api/services/ledger";
import { attachConsoleChat, findOrCreateUserByIdentity } from "../../api/services/users";
import { creditWallet } from "../../api/services/wallet";
import { type ChatHarness, makeChatHarness } from "../../test/helpers/chat";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { uniquePhone } from "../../test/helpers/fixtures";
import { call, makeTestApp, registerAndLogin, type TestApp } from "../../test/helpers/http";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import type { EngineDeps } from "../engine/types";
import { consoleAccountNote } from "./account-note";
import { runConsoleChat } from "./session";

/**
 * `npm run chat -- --as <phone>` after the README's curl sign-up (issue 21 §13): the console channel
 * on the real engine, outbox and database, beside the real API on the same database. In sandbox mode
 * the console joins the registered account (same wallet, same PIN) and says so once; outside it, it
 * keeps its own wallet and says how to link, and the link code does join them.
 */

let h: ChatHarness;
let app: TestApp;

beforeAll(async () => {
  h = await makeChatHarness();
  ({ app } = makeTestApp(h.tdb.db, {
    config: testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: "1000" }),
    vtu: h.deps.vtu,
    payments: h.deps.payments,
  }));
});
afterAll(() => h.destroy());

/** Outside sandbox mode (the keys are never used: nothing here reaches a provider). */
const liveConfig = testConfig({
  SANDBOX_MODE: "off",
  INLOMAX_API_KEY: "test-key-never-used",
  FLUTTERWAVE_SECRET_KEY: "FLWSECK_TEST-never-used",
  FLUTTERWAVE_SECRET_HASH: "a-secret-hash-never-used",
});

/** What the console prints for these typed lines, as `npm run chat` would for `phone`. */
async function consoleTranscript(args: {
  ctx: ServiceContext;
  phone: string;
  lines: string[];
}): Promise<string> {
  const note = consoleAccountNote(await attachConsoleChat({ ctx: args.ctx, phone: args.phone }));
  const deps: EngineDeps = { ...h.deps, ctx: () => args.ctx };
  const input = new PassThrough();
  input.end(args.lines.map((line) => `${line}\n`).join(""));
  let printed = "";
  const output = new Writable({
    write(chunk, _encoding, done) {
      printed += String(chunk);
      done();
    },
  });
  await runConsoleChat({ deps, phone: args.phone, note, input, output, echo: true });
  return printed;
}

async function sandboxFund(token: string, amountKobo: number) {
  const funded = await call(app, "POST", "/api/sandbox/fund", { token, body: { amountKobo } });
  expect(funded.status, JSON.stringify(funded.body)).toBe(200);
}

async function balanceOf(token: string): Promise<number> {
  const balance = await call(app, "GET", "/api/wallet/balance", { token });
  expect(balance.status).toBe(200);
  return balance.body.data.balanceKobo as number;
}

async function consoleUserOf(phone: string): Promise<string> {
  return h.userIdOf("console", phone);
}

describe("sandbox: the console joins the account registered for its phone", () => {
  it("sees the API's balance and PIN, says so once, and a PIN changed here is the API's PIN", async () => {
    const phone = uniquePhone();
    const token = await registerAndLogin(app, phone);
    expect((await call(app, "POST", "/api/auth/pin", { token, body: { pin: "2580" } })).status).toBe(200);
    await sandboxFund(token, 500_000);

    const transcript = await consoleTranscript({
      ctx: h.ctx,
      phone,
      lines: ["balance", "change pin", "2580 1357"],
    });

    expect(transcript).toContain(
      `This chat uses the account registered for ${phone}: the same wallet and PIN.`,
    );
    expect(transcript.split("This chat uses the account").length - 1).toBe(1);
    // The greeting knows the number and the PIN already: no "What is your phone number?", no PIN set-up.
    expect(transcript).not.toMatch(/What is your phone number/);
    expect(transcript).not.toMatch(/Set up my PIN/);
    expect(transcript).toMatch(/Your balance is ₦5,000\./);
    // Changing the PIN needed the current one, the one set over the API.
    expect(transcript).toMatch(/Your PIN is set\./);
    const me = await call(app, "GET", "/api/auth/me", { token });
    expect(await consoleUserOf(phone)).toBe(me.body.data.id);
    // The API now takes the PIN changed in the chat, and not the old one.
    const wrong = await call(app, "POST", "/api/auth/pin", {
      token,
      body: { currentPin: "2580", pin: "4826" },
    });
    expect(wrong.status).toBe(422);
    const right = await call(app, "POST", "/api/auth/pin", {
      token,
      body: { currentPin: "1357", pin: "4826" },
    });
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    expect(await balanceOf(token)).toBe(500_000);

    // A second run: the same account, said once again, nothing joined anew.
    expect(await attachConsoleChat({ ctx: h.ctx, phone })).toEqual({ kind: "joined", phone, now: false });
    const again = await consoleTranscript({ ctx: h.ctx, phone, lines: ["balance"] });
    expect(again).toMatch(/Your balance is ₦5,000\./);
    await expectLedgerConsistent(h.tdb.db);
  });

  it("folds the empty wallet an earlier console run made (the issue's ₦0 wallet) into the account", async () => {
    const phone = uniquePhone();
    const before = await consoleTranscript({ ctx: h.ctx, phone, lines: ["balance"] });
    expect(before).toMatch(/Your balance is ₦0\./);
    const empty = await consoleUserOf(phone);

    const token = await registerAndLogin(app, phone);
    await sandboxFund(token, 250_000);
    const after = await consoleTranscript({ ctx: h.ctx, phone, lines: ["balance"] });
    expect(after).toContain(`This chat uses the account registered for ${phone}`);
    expect(after).toMatch(/Your balance is ₦2,500\./);
    const closed = await h.tdb.db
      .selectFrom("users")
      .select("status")
      .where("id", "=", empty)
      .executeTakeFirstOrThrow();
    expect(closed.status).toBe("closed");
    await expectLedgerConsistent(h.tdb.db);
  });

  it("leaves a console wallet with money in it apart, and says why", async () => {
    const phone = uniquePhone();
    const { user } = await findOrCreateUserByIdentity({
      ctx: h.ctx,
      input: { channel: "console", externalId: phone },
    });
    await creditWallet({
      ctx: h.ctx,
      input: {
        userId: user.id,
        amountKobo: 10_000,
        counterparty: SYSTEM_ACCOUNTS.paymentClearing,
        description: "test funding",
        idempotencyKey: `console-apart-${phone}`,
        actor: "system:test",
      },
    });
    await registerAndLogin(app, phone);

    expect(await attachConsoleChat({ ctx: h.ctx, phone })).toEqual({
      kind: "apart",
      phone,
      reason: "chat_has_wallet",
    });
    const transcript = await consoleTranscript({ ctx: h.ctx, phone, lines: ["balance"] });
    expect(transcript).toMatch(/already has a wallet of its own with activity, so it stays separate/);
    expect(transcript).toMatch(/Your balance is ₦100\./);
    expect(await consoleUserOf(phone)).toBe(user.id);
    await expectLedgerConsistent(h.tdb.db);
  });
});

describe("outside sandbox mode the console does not join by itself", () => {
  it("keeps its own wallet, says how to link, and /link with a code from the API joins them", async () => {
    const live = makeCtx(h.tdb.db, { config: liveConfig, logger: h.ctx.logger });
    const phone = uniquePhone();
    const token = await registerAndLogin(app, phone);
    await sandboxFund(token, 100_000);

    expect(await attachConsoleChat({ ctx: live, phone })).toEqual({ kind: "link_needed", phone });
    const apart = await consoleTranscript({ ctx: live, phone, lines: ["balance"] });
    expect(apart).toContain(`${phone} has a TADA account. Outside sandbox mode this chat does not join it`);
    expect(apart).toContain("POST /api/auth/link-code");
    expect(apart).toContain("/link <code>");
    expect(apart).not.toMatch(/This chat uses the account/);
    expect(apart).toMatch(/Your balance is ₦0\./);
    const me = await call(app, "GET", "/api/auth/me", { token });
    expect(await consoleUserOf(phone)).not.toBe(me.body.data.id);

    // What the note says works: a link code from the API, sent here.
    const code = await call(app, "POST", "/api/auth/link-code", { token });
    expect(code.status, JSON.stringify(code.body)).toBe(201);
    const linked = await consoleTranscript({
      ctx: live,
      phone,
      lines: [`/link ${code.body.data.linkCode}`, "balance"],
    });
    expect(linked).toMatch(/Your balance is ₦1,000\./);
    expect(await consoleUserOf(phone)).toBe(me.body.data.id);
    expect(await attachConsoleChat({ ctx: live, phone })).toEqual({ kind: "joined", phone, now: false });
    await expectLedgerConsistent(h.tdb.db);
  });
});
