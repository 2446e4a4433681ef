import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { sandboxPhone } from "../../../test/helpers/vtu";
import { toProducts } from "../../services/catalogue/sync";
import type { VtuProvider } from "../../services/vtu/provider";
import { createSandboxProvider } from "./provider";

let tdb: TestDatabase;
let clock: Date;
let primary: VtuProvider;
let fallback: VtuProvider;

beforeAll(async () => {
  tdb = await createTestDatabase({ poolSize: 4 });
  clock = new Date();
  const common = { db: tdb.db, latencyMs: 0, timeoutMs: 50, pendingSeconds: 30, now: () => clock };
  primary = createSandboxProvider({ ...common, role: "primary" });
  fallback = createSandboxProvider({ ...common, role: "fallback" });
});
afterAll(() => tdb.destroy());

const rows = (requestId: string) =>
  tdb.db.selectFrom("sandbox_vtu_transactions").selectAll().where("request_id", "=", requestId).execute();

describe("sandbox provider", () => {
  it("P10: the same request id again is answered with the original transaction, never vended twice", async () => {
    const input = {
      requestId: "202611251200dupcheck0001",
      network: "mtn" as const,
      phone: sandboxPhone(),
      amountKobo: 10_000,
    };
    const first = await primary.buyAirtime(input);
    const second = await primary.buyAirtime(input);
    expect(first.outcome).toBe("delivered");
    expect(second.outcome).toBe("delivered");
    expect(second.providerReference).toBe(first.providerReference);
    expect(await rows(input.requestId)).toHaveLength(1);
  });

  it("a timeout after success answers nothing useful, but the requery knows it was delivered", async () => {
    const requestId = "202611251200timeoutafter01";
    const started = Date.now();
    const result = await primary.buyAirtime({
      requestId,
      network: "mtn",
      phone: sandboxPhone("0004"),
      amountKobo: 10_000,
    });
    expect(result.outcome).toBe("unknown");
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect((await primary.requery({ requestId })).outcome).toBe("delivered");
  });

  it("a timeout before processing leaves no transaction: the requery says not found", async () => {
    const requestId = "202611251200timeoutbefore1";
    expect(
      (
        await primary.buyAirtime({
          requestId,
          network: "mtn",
          phone: sandboxPhone("0005"),
          amountKobo: 10_000,
        })
      ).outcome,
    ).toBe("unknown");
    const requery = await primary.requery({ requestId });
    expect(requery).toMatchObject({ outcome: "failed", notFound: true });
    expect(await rows(requestId)).toHaveLength(0);
  });

  it("pending resolves when its time comes; a delivery marked for reversal reverses", async () => {
    const pending = "202611251200pendingthen01";
    const reversing = "202611251200reversing0001";
    expect(
      (
        await primary.buyAirtime({
          requestId: pending,
          network: "glo",
          phone: sandboxPhone("0002", "0805"),
          amountKobo: 10_000,
        })
      ).outcome,
    ).toBe("pending");
    expect(
      (
        await primary.buyAirtime({
          requestId: reversing,
          network: "glo",
          phone: sandboxPhone("0008", "0805"),
          amountKobo: 10_000,
        })
      ).outcome,
    ).toBe("delivered");
    expect((await primary.requery({ requestId: pending })).outcome).toBe("pending");
    clock = new Date(clock.getTime() + 31_000);
    expect((await primary.requery({ requestId: pending })).outcome).toBe("delivered");
    expect(await primary.requery({ requestId: reversing })).toMatchObject({
      outcome: "failed",
      reversed: true,
    });
  });

  it("out of float is provider-side at the primary (retry elsewhere); the fallback has float", async () => {
    const phone = sandboxPhone("0007");
    expect(
      await primary.buyAirtime({
        requestId: "202611251200float0000001",
        network: "mtn",
        phone,
        amountKobo: 10_000,
      }),
    ).toMatchObject({
      outcome: "failed",
      retryElsewhere: true,
    });
    expect(
      (
        await fallback.buyAirtime({
          requestId: "202611251200float0000002",
          network: "mtn",
          phone,
          amountKobo: 10_000,
        })
      ).outcome,
    ).toBe("delivered");
  });

  it("prepaid electricity returns a 20-digit token, postpaid none; 0000 accounts do not verify", async () => {
    const prepaid = await primary.payElectricity({
      requestId: "202611251200elecpre00001",
      providerDiscoId: "E305",
      meterNumber: "45123451234",
      meterType: "prepaid",
      amountKobo: 200_000,
    });
    const postpaid = await primary.payElectricity({
      requestId: "202611251200elecpost0001",
      providerDiscoId: "E305",
      meterNumber: "45123451234",
      meterType: "postpaid",
      amountKobo: 200_000,
    });
    expect(prepaid.token).toMatch(/^\d{20}$/);
    expect(postpaid.token).toBeUndefined();
    expect(postpaid.outcome).toBe("delivered");
    expect(
      await primary.verifyMeter({
        providerDiscoId: "E305",
        meterNumber: "45123450000",
        meterType: "prepaid",
      }),
    ).toMatchObject({ ok: false, reason: "invalid" });
    expect(await primary.verifySmartcard({ cable: "gotv", smartcard: "7012341234" })).toMatchObject({
      ok: true,
      currentBouquet: "Jinja",
    });
  });

  it("both catalogues map airtime and data onto the same canonical products (so failover can find them)", async () => {
    const a = new Set(
      toProducts(await primary.catalogue())
        .filter((p) => p.service === "data" || p.service === "airtime")
        .map((p) => p.id),
    );
    const b = toProducts(await fallback.catalogue()).map((p) => p.id);
    expect(b.length).toBeGreaterThan(10);
    expect(b.filter((id) => !a.has(id))).toEqual([]);
    expect(fallback.services).toEqual(["airtime", "data"]);
  });
});
