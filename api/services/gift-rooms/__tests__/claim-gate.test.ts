import { afterEach, describe, expect, it, vi } from "vitest";
import { ServiceError } from "../../errors";
import { ClaimGate, outcomeOfError } from "../claim-gate";
import type { GiftRoomRow } from "../get-room";

/** The gate's bookkeeping alone (the database-backed storms are in gift-rooms.test.ts). */
const room = (capacity: number, claimed: number) => ({ id: "room", capacity, claimed }) as GiftRoomRow;
const full = () => new ServiceError("conflict", "ROOM_FULL", "All the gifts in this room have been claimed.");
const settle = async () => {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
};

afterEach(() => {
  vi.useRealTimers();
});

describe("claim gate", () => {
  it("lets through as many as there are free slots; one that takes none lets the next through", async () => {
    const gate = new ClaimGate();
    const tickets = await Promise.all(
      Array.from({ length: 4 }, () => gate.enter("t", async () => room(2, 0))),
    );
    const through: number[] = [];
    const waits = tickets.map((t, i) => t.admitted().then(() => through.push(i)));
    await settle();
    expect(through).toEqual([0, 1]);
    tickets[0]?.leave({ kind: "other" }); // e.g. its number had claimed already
    await settle();
    expect(through).toEqual([0, 1, 2]);
    tickets[1]?.leave({ kind: "won", claimedAfter: 1 });
    tickets[2]?.leave({ kind: "won", claimedAfter: 2 }); // the room is full now: the last one hears it
    await expect(waits[3]).rejects.toMatchObject({ code: "ROOM_FULL" });
    tickets[3]?.leave(outcomeOfError(full()));
    expect(gate.size).toBe(0);
  });

  it("sends one claim to ask when its count says full but nothing is in flight (a stale count)", async () => {
    const gate = new ClaimGate();
    const ticket = await gate.enter("t", async () => room(3, 3));
    await expect(ticket.admitted()).resolves.toBeUndefined();
    ticket.leave({ kind: "won", claimedAfter: 3 });
  });

  it("tells later claimants the room-wide answer for a second only, then asks again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const gate = new ClaimGate();
    const first = await gate.enter("t", async () => room(5, 4));
    const keeper = await gate.enter("t", async () => room(5, 4)); // keeps the queue alive
    await first.admitted();
    first.leave(outcomeOfError(full()));
    const soon = await gate.enter("t", async () => room(5, 4));
    await expect(soon.admitted()).rejects.toMatchObject({ code: "ROOM_FULL" });
    soon.leave({ kind: "refused", error: full() });
    vi.setSystemTime(Date.now() + 1_500);
    const later = await gate.enter("t", async () => room(5, 4));
    await expect(later.admitted()).resolves.toBeUndefined();
    later.leave({ kind: "other" });
    keeper.leave({ kind: "other" });
    expect(gate.size).toBe(0);
  });

  it("shares one read of the room among concurrent claimants, and does not keep a failed one", async () => {
    const gate = new ClaimGate();
    let reads = 0;
    const read = async () => {
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return room(10, 0);
    };
    const tickets = await Promise.all(Array.from({ length: 20 }, () => gate.enter("t", read)));
    expect(reads).toBe(1);
    for (const t of tickets) {
      t.leave({ kind: "other" });
    }
    const missing = () => Promise.reject(new ServiceError("not_found", "NOT_FOUND", "Gift room not found."));
    await expect(gate.enter("nope", missing)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(gate.size).toBe(0);
  });
});
