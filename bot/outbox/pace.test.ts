import { describe, expect, it } from "vitest";
import { SendPacer } from "./pace";

/** The flood pacer alone (the outbox tests run it under real senders). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Hold the event loop (a busy process): timers due meanwhile fire only afterwards. */
function busyFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin
  }
}

describe("SendPacer", () => {
  it("serves waiting sends first come, first served: a newcomer cannot take the slot one waited for", async () => {
    const pacer = new SendPacer({ perSecond: 1 });
    await pacer.acquire("a");
    const order: string[] = [];
    const waited = pacer.acquire("b").then(() => order.push("b"));
    await sleep(900);
    // The slot frees while the process is busy; a new send arrives before b's timer has run.
    busyFor(200);
    const newcomer = pacer.acquire("c").then(() => order.push("c"));
    await Promise.all([waited, newcomer]);
    expect(order).toEqual(["b", "c"]);
  });

  it("a chat told to wait (429) waits that long; other chats do not", async () => {
    const pacer = new SendPacer({ perChatPerSecond: 5 });
    const started = Date.now();
    pacer.pause("slow", 300);
    const at: Record<string, number> = {};
    await Promise.all(
      ["slow", "fast"].map((chat) => pacer.acquire(chat).then(() => (at[chat] = Date.now() - started))),
    );
    expect(at.fast).toBeLessThan(100);
    expect(at.slow).toBeGreaterThanOrEqual(295);
  });

  it("keeps each chat to its own limit while the overall limit allows more", async () => {
    const pacer = new SendPacer({ perSecond: 100, perChatPerSecond: 2 });
    const started = Date.now();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.acquire("one");
      times.push(Date.now() - started);
    }
    await pacer.acquire("other");
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(times[0]).toBeLessThan(50);
    expect(times[1]).toBeLessThan(50);
    expect(times[2]).toBeGreaterThanOrEqual(990);
  });

  it("closed (shutdown): a send waiting for its slot gives up at once instead of waiting its turn", async () => {
    const pacer = new SendPacer({ perSecond: 1 });
    expect(await pacer.acquire("a")).toBe(true);
    const started = Date.now();
    const waiting = pacer.acquire("b");
    setTimeout(() => pacer.close(), 50);
    expect(await waiting).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
    expect(await pacer.acquire("c")).toBe(false);
  });
});
