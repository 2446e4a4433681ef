import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InlomaxEmulator, startInlomaxEmulator } from "../../test/emulators/inlomax-emulator";
import { type SmePlugEmulator, startSmePlugEmulator } from "../../test/emulators/smeplug-emulator";
import { makeCtx, testConfig } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { expectLedgerConsistent } from "../../test/helpers/ledger";
import {
  createBuyer,
  makeVtu,
  placeOrder,
  sandboxPhone,
  seedCatalogue,
  TEST_PIN,
} from "../../test/helpers/vtu";
import { getOrder } from "../services/vtu";
import { createVtuProviders } from ".";
import { createPaymentGateway } from "./payment-gateway";

/** "Setting INLOMAX_* / SMEPLUG_* switches to the real clients with no code change." */
let tdb: TestDatabase;
let inlomax: InlomaxEmulator;
let smeplug: SmePlugEmulator;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 6 });
  inlomax = await startInlomaxEmulator();
  smeplug = await startSmePlugEmulator();
});
afterAll(async () => {
  await inlomax?.close();
  await smeplug?.close();
  await tdb?.destroy();
});

describe("provider selection from the environment", () => {
  it("no keys: the two sandbox providers", () => {
    const providers = createVtuProviders({ config: testConfig(), db: tdb.db });
    expect(providers.all().map((p) => p.code)).toEqual(["sandbox", "sandbox-b"]);
  });

  it("keys set: the real clients only, Inlomax first, and a purchase reaches the Inlomax server", async () => {
    const config = testConfig({
      INLOMAX_API_KEY: inlomax.apiKey,
      INLOMAX_BASE_URL: inlomax.url,
      SMEPLUG_SECRET_KEY: smeplug.secretKey,
      SMEPLUG_BASE_URL: smeplug.url,
    });
    const ctx = makeCtx(tdb.db, { config });
    const providers = createVtuProviders({ config, db: tdb.db });
    expect(providers.all().map((p) => p.code)).toEqual(["inlomax", "smeplug"]);
    await seedCatalogue(ctx, providers);

    const h = makeVtu(ctx, providers);
    const user = await createBuyer(ctx, 100_000);
    const phone = sandboxPhone();
    const order = await placeOrder(ctx, h.vtu, user.id, {
      service: "airtime",
      input: { network: "mtn", phone, amountKobo: 50_000, pin: TEST_PIN },
    });
    await h.drain();
    expect((await getOrder({ ctx, userId: user.id, orderId: order.id })).state).toBe("delivered");
    expect(inlomax.vends.filter((v) => v.recipient === phone)).toHaveLength(1);
    expect(smeplug.countRequests({ phone })).toBe(0);
    await expectLedgerConsistent(tdb.db);
  });

  it("only an SME Plug key: SME Plug alone sells airtime and data", () => {
    const providers = createVtuProviders({
      config: testConfig({ SMEPLUG_SECRET_KEY: "k", SMEPLUG_BASE_URL: smeplug.url }),
      db: tdb.db,
    });
    expect(providers.all().map((p) => [p.code, p.services])).toEqual([["smeplug", ["airtime", "data"]]]);
  });
});

describe("payment gateway selection from the environment", () => {
  it("no key: the sandbox gateway, whose checkout is a page on our own origin", () => {
    const gateway = createPaymentGateway({
      config: testConfig({ PUBLIC_BASE_URL: "https://pay.example.ng" }),
      db: tdb.db,
    });
    expect(gateway.code).toBe("sandbox");
    expect(gateway.sandbox).toBeDefined();
  });

  it("FLUTTERWAVE_* set: the real client, with no sandbox page", () => {
    const gateway = createPaymentGateway({
      config: testConfig({
        FLUTTERWAVE_SECRET_KEY: "FLWSECK_TEST-x",
        FLUTTERWAVE_SECRET_HASH: "a-secret-hash-0123456789",
      }),
      db: tdb.db,
    });
    expect(gateway.code).toBe("flutterwave");
    expect(gateway.sandbox).toBeUndefined();
  });
});
