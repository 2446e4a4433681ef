import { describe, expect, it } from "vitest";
import { readScaleOutSteps } from "../../../test/helpers/scale-out-readme";
import { FaultLog } from "./faults";
import { expectedWallet, newUser } from "./model";
import { parseSoakArgs, UsageError } from "./options";
import { planFingerprint, planOps } from "./workload";

describe("soak plan", () => {
  it("is the same sequence for the same seed and another for another seed", () => {
    const a = planOps(42, 500);
    expect(planOps(42, 500)).toEqual(a);
    expect(planFingerprint(42, planOps(42, 500))).toBe(planFingerprint(42, a));
    expect(planFingerprint(43, planOps(43, 500))).not.toBe(planFingerprint(42, a));
    // Every kind of operation shows up in a run of this size.
    expect(new Set(a.map((op) => op.kind)).size).toBeGreaterThanOrEqual(14);
  });
});

describe("soak options", () => {
  it("has the issue's defaults and refuses what it does not know", () => {
    const o = parseSoakArgs([]);
    expect(o).toMatchObject({ ops: 5_000, killEvery: 500, concurrency: 8, recoveryBudgetSeconds: 15 });
    expect(parseSoakArgs(["--ops", "600", "--kill-every=150", "--seed", "7"])).toMatchObject({
      ops: 600,
      killEvery: 150,
      seed: 7,
    });
    expect(() => parseSoakArgs(["--ops", "-1"])).toThrow(UsageError);
    expect(() => parseSoakArgs(["--kill", "5"])).toThrow(/unknown option --kill/);
  });
});

describe("client-side model", () => {
  it("charges delivered orders and sent withdrawals, holds unresolved ones, refunds the rest", () => {
    const user = newUser(0, "08161234567");
    user.sandboxFunds.set("k1", 100_000);
    user.intents.set("tx", { txRef: "tx", amountKobo: 50_000, action: "pay", state: "credited" });
    user.intents.set("tx2", { txRef: "tx2", amountKobo: 70_000, action: "fail", state: "failed" });
    const order = (id: string, state: "delivered" | "failed" | "reversed" | "pending", priceKobo: number) =>
      user.orders.set(id, { id, service: "airtime", key: id, recipient: "08031230000", priceKobo, state });
    order("o1", "delivered", 10_000);
    order("o2", "failed", 20_000);
    order("o3", "reversed", 30_000);
    order("o4", "pending", 5_000);
    user.withdrawals.set("w1", {
      id: "w1",
      key: "w1",
      amountKobo: 10_000,
      feeKobo: 5_000,
      state: "successful",
      accountNumber: "0123456789",
    });
    user.withdrawals.set("w2", {
      id: "w2",
      key: "w2",
      amountKobo: 10_000,
      feeKobo: 5_000,
      state: "held",
      accountNumber: "0123456789",
    });
    user.rooms.set("r", {
      id: "r",
      token: "t",
      creator: 0,
      kind: "cash",
      mode: "first_come",
      amountKobo: 1_000,
      totalKobo: 3_000,
      capacity: 3,
      refundKobo: 2_000,
      giftOrders: new Set(),
      full: false,
    });
    user.cashGifts.set("other", { roomId: "other", amountKobo: 500, certain: true });
    expect(expectedWallet(user)).toEqual({
      balanceKobo: 100_000 + 50_000 + 500 - 10_000 - 15_000 - 3_000 + 2_000,
      heldKobo: 5_000 + 15_000,
    });
  });
});

describe("fault windows", () => {
  it("excuse a dropped connection only when the request overlapped a kill", () => {
    const faults = new FaultLog();
    const before = Date.now() - 10_000;
    const window = faults.open("kill", { transport: true, statuses: [] });
    faults.close(window);
    expect(faults.excuse(before, Date.now(), { transport: true })).toBe(window);
    expect(faults.excuse(before, before + 1, { transport: true })).toBeUndefined();
    expect(faults.excuse(before, Date.now(), { transport: false, status: 500 })).toBeUndefined();
  });
});

describe("the README's scale-out block", () => {
  it("is what the scale-out test can run, and an unknown line is refused rather than skipped", () => {
    const steps = readScaleOutSteps();
    expect(steps.sql).toEqual(["CREATE ROLE tada LOGIN PASSWORD 'tada'", "CREATE DATABASE tada OWNER tada"]);
    expect(steps.starts).toEqual([
      { INSTANCE_ID: "api-1", PORT: "3000", ROLE: "api" },
      { INSTANCE_ID: "api-2", PORT: "3001", ROLE: "api" },
      { INSTANCE_ID: "worker-1", ROLE: "worker" },
    ]);
    expect(steps.env).toMatchObject({ NODE_ENV: "production", SANDBOX_MODE: "on" });
    expect(steps.env.PIN_PEPPER).toMatch(/^[0-9a-f]{64}$/);
    const readme = "## Scale-out mode\n\n```sh\nnpm run migrate\ndocker run something\n```\n";
    expect(() => readScaleOutSteps(readme)).toThrow(/does not know how to run: docker run something/);
  });
});
