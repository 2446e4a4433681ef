import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher";

type Item = { key: string; n: number };

/** A batcher whose writes are recorded and finish when the test says so. */
function recording(
  options: { maxInFlight?: number; maxItems?: number; failWhen?: (item: Item) => boolean } = {},
) {
  const batches: Item[][] = [];
  const open: (() => void)[] = [];
  let hold = false;
  const batcher = new Batcher<Item, string>(
    async (items) => {
      batches.push(items);
      if (hold) {
        await new Promise<void>((resolve) => open.push(resolve));
      }
      if (items.some((item) => options.failWhen?.(item))) {
        throw new Error(`bad item in ${items.map((i) => i.n).join(",")}`);
      }
      return items.map((item) => `${item.key}#${item.n}`);
    },
    { keyOf: (item) => item.key, maxInFlight: options.maxInFlight, maxItems: options.maxItems },
  );
  return {
    batcher,
    batches,
    holdWrites(on: boolean) {
      hold = on;
    },
    releaseAll() {
      for (const resolve of open.splice(0)) {
        resolve();
      }
    },
  };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Batcher (group commit of one statement kind)", () => {
  it("writes the calls of one turn together and answers each its own result", async () => {
    const r = recording();
    const results = await Promise.all([1, 2, 3].map((n) => r.batcher.load({ key: `c${n}`, n })));
    expect(results).toEqual(["c1#1", "c2#2", "c3#3"]);
    expect(r.batches.map((b) => b.map((i) => i.n))).toEqual([[1, 2, 3]]);
  });

  it("never writes two items of one key at the same time, and keeps their order", async () => {
    const r = recording({ maxInFlight: 4 });
    const done = Promise.all([
      r.batcher.load({ key: "a", n: 1 }),
      r.batcher.load({ key: "a", n: 2 }),
      r.batcher.load({ key: "b", n: 3 }),
      r.batcher.load({ key: "a", n: 4 }),
    ]);
    await done;
    expect(r.batches.map((b) => b.map((i) => i.n))).toEqual([[1, 3], [2], [4]]);
  });

  it("gathers the calls made while a batch is being written into the next one", async () => {
    const r = recording({ maxInFlight: 1 });
    r.holdWrites(true);
    const first = r.batcher.load({ key: "x", n: 0 });
    await tick();
    expect(r.batches).toHaveLength(1);
    const later = [1, 2, 3, 4].map((n) => r.batcher.load({ key: `k${n}`, n }));
    await tick();
    expect(r.batches).toHaveLength(1); // waiting for the batch in flight
    r.holdWrites(false);
    r.releaseAll();
    await Promise.all([first, ...later]);
    expect(r.batches.map((b) => b.map((i) => i.n))).toEqual([[0], [1, 2, 3, 4]]);
  });

  it("splits at maxItems", async () => {
    const r = recording({ maxItems: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => r.batcher.load({ key: `k${n}`, n })));
    expect(r.batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it("retries a failed batch item by item: only the bad item fails", async () => {
    const r = recording({ failWhen: (item) => item.n === 2 });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => r.batcher.load({ key: `k${n}`, n })));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(settled[0]).toEqual({ status: "fulfilled", value: "k1#1" });
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe("bad item in 2");
    expect(r.batches.map((b) => b.map((i) => i.n))).toEqual([[1, 2, 3], [1], [2], [3]]);
  });
});
