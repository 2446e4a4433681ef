import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx } from "../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db";
import { createBuyer } from "../../test/helpers/vtu";
import {
  getBeneficiary,
  listBeneficiaries,
  MAX_BENEFICIARIES_PER_SERVICE,
  saveBeneficiary,
  touchBeneficiary,
} from "./beneficiaries";
import type { ServiceContext } from "./context";

let tdb: TestDatabase;
let ctx: ServiceContext;
let clock: Date;

beforeAll(async () => {
  tdb = await createTestDatabase();
  clock = new Date("2026-11-25T10:00:00Z");
  ctx = makeCtx(tdb.db, { now: () => clock });
});
afterAll(() => tdb.destroy());

const tick = () => {
  clock = new Date(clock.getTime() + 1000);
};

describe("saved beneficiaries", () => {
  it("lists most recently used first, one row per recipient, touched by a new purchase", async () => {
    const user = await createBuyer(ctx, 0);
    const base = { ctx, userId: user.id };
    await saveBeneficiary({
      ...base,
      input: { service: "airtime", recipient: "08031234567", provider: "mtn" },
    });
    tick();
    await saveBeneficiary({
      ...base,
      input: { service: "airtime", recipient: "08021234567", provider: "airtel", label: "Mama" },
    });
    tick();
    await saveBeneficiary({ ...base, input: { service: "data", recipient: "08051234567", provider: "glo" } });
    let list = await listBeneficiaries({ ...base, service: "airtime" });
    expect(list.map((b) => b.label)).toEqual(["Mama", "08031234567"]);

    tick();
    expect(await touchBeneficiary({ ...base, service: "airtime", recipient: "08031234567" })).toBe(true);
    expect(await touchBeneficiary({ ...base, service: "airtime", recipient: "08099999999" })).toBe(false);
    list = await listBeneficiaries({ ...base, service: "airtime" });
    expect(list.map((b) => b.recipient)).toEqual(["08031234567", "08021234567"]);

    // Saving again updates instead of duplicating.
    await saveBeneficiary({
      ...base,
      input: { service: "airtime", recipient: "08031234567", provider: "mtn", label: "Me" },
    });
    list = await listBeneficiaries({ ...base, service: "airtime" });
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ label: "Me", provider: "mtn" });
  });

  it("another person's saved id is not found (S6); bad input and too many are clear errors", async () => {
    const owner = await createBuyer(ctx, 0);
    const other = await createBuyer(ctx, 0);
    const saved = await saveBeneficiary({
      ctx,
      userId: owner.id,
      input: { service: "electricity", recipient: "45123456789", provider: "ikeja", meterType: "prepaid" },
    });
    await expect(getBeneficiary({ ctx, userId: other.id, id: saved.id })).rejects.toMatchObject({
      code: "BENEFICIARY_NOT_FOUND",
    });
    expect(await getBeneficiary({ ctx, userId: owner.id, id: saved.id })).toMatchObject({
      meterType: "prepaid",
    });
    await expect(
      saveBeneficiary({ ctx, userId: owner.id, input: { service: "cable", recipient: "12ab" } }),
    ).rejects.toThrow(/digits/);

    for (let i = 0; i < MAX_BENEFICIARIES_PER_SERVICE; i++) {
      await saveBeneficiary({
        ctx,
        userId: other.id,
        input: { service: "data", recipient: `080312300${10 + i}` },
      });
    }
    await expect(
      saveBeneficiary({ ctx, userId: other.id, input: { service: "data", recipient: "08031239999" } }),
    ).rejects.toMatchObject({ code: "TOO_MANY_BENEFICIARIES" });
    expect(await listBeneficiaries({ ctx, userId: other.id, service: "data" })).toHaveLength(5);
  });
});
