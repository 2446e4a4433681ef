import { ServiceError } from "../errors";
import type { GiftRoomRow } from "./get-room";

/** How a claim that went to the database ended, as far as everyone else waiting on its room cares. */
export type ClaimOutcome =
  /** It took a slot and committed; `claimedAfter` is the room's count right after its update. */
  | { kind: "won"; claimedAfter: number }
  /** The room refused it for everyone (full, closed, expired): the same answer for every waiter. */
  | { kind: "refused"; error: ServiceError }
  /** Refused for its own reasons (its number already claimed, a rate limit, a failure): no slot taken. */
  | { kind: "other" };

/** The answers a room gives everyone at once. */
const ROOM_WIDE = new Set(["ROOM_FULL", "ROOM_CLOSED"]);

/**
 * How long a room-wide refusal is told to later claimants without asking again: a gift whose order
 * fails frees its slot (order-failed.ts), so "full" is only true for a moment in a busy room.
 */
const REFUSAL_TRUST_MS = 1_000;

export function outcomeOfError(error: unknown): ClaimOutcome {
  return error instanceof ServiceError && ROOM_WIDE.has(error.code)
    ? { kind: "refused", error }
    : { kind: "other" };
}

type Waiter = { admit: () => void; refuse: (error: ServiceError) => void };

/** One room's claims in this process, from the first one that arrives until the last one leaves. */
class RoomQueue {
  /** Slots believed free: from the room row, then from each winner's count. */
  open: number;
  /** Claims let through to the database and not finished yet. */
  inFlight = 0;
  /** Claims in this process that entered and have not left (admitted or not). */
  holders = 0;
  /** Set when the database refused a claim for the whole room: everyone after hears the same, for a while. */
  refusal: { error: ServiceError; at: number } | undefined;
  readonly waiting: Waiter[] = [];

  constructor(readonly room: GiftRoomRow) {
    this.open = room.capacity - room.claimed;
  }
}

/**
 * Claims on one gift room, per process, go to the database only as fast as the room has slots
 * (issue 15, DECISIONS §51). In a storm of 2,000 claimants on 100 gifts, every claim used to run the
 * whole path (rate-limit counters, pricing, a transaction that waits for the room row) only for
 * 1,900 of them to be told "room full" by the conditional UPDATE. Now:
 *
 * - concurrent claims on a room share one read of its row (the first claimant's);
 * - as many claims as the room has free slots go on to the database; the rest wait here;
 * - a claim that ends without taking a slot lets the next one through; when the database refuses a
 *   claim for the whole room (full, closed), or a winner's count reaches the capacity, every waiting
 *   claim gets that same answer without touching the database;
 * - when nothing is in flight and claims still wait, one goes through to learn the truth, so a
 *   stale count never turns into a wrong "full".
 *
 * The database stays the judge (R1): this only decides who asks it and when. Each process has its
 * own queues, so two API processes each send up to the room's free slots; the conditional UPDATE
 * still hands out exactly `capacity`. A room's queue lives only while claims on it are in this
 * process, so a later claim reads the room afresh.
 */
export class ClaimGate {
  private readonly rooms = new Map<string, Promise<RoomQueue>>();

  /**
   * Join the room's queue (reading the room with `read` when nobody here has it). The caller must
   * call `leave` once, whatever happens, and `admitted` before it asks the database for a slot.
   */
  async enter(token: string, read: () => Promise<GiftRoomRow>): Promise<ClaimTicket> {
    let entry = this.rooms.get(token);
    if (!entry) {
      entry = read().then((room) => new RoomQueue(room));
      this.rooms.set(token, entry);
      // A failed read (no such room) is answered to everyone who shared it, and not kept.
      entry.catch(() => this.rooms.delete(token));
    }
    const queue = await entry;
    queue.holders++;
    return new ClaimTicket(queue, () => {
      queue.holders--;
      if (queue.holders === 0 && this.rooms.get(token) === entry) {
        this.rooms.delete(token);
      }
    });
  }

  /** Rooms with claims in this process now (tests). */
  get size(): number {
    return this.rooms.size;
  }
}

export class ClaimTicket {
  private admittedHere = false;
  private left = false;

  constructor(
    private readonly queue: RoomQueue,
    private readonly release: () => void,
  ) {}

  /** The room's row as this process read it (the first claimant's read, possibly a moment old). */
  get room(): GiftRoomRow {
    return this.queue.room;
  }

  /** Wait for a turn to ask the database; throws the room's refusal when it came meanwhile. */
  async admitted(): Promise<void> {
    const q = this.queue;
    if (q.refusal && Date.now() - q.refusal.at < REFUSAL_TRUST_MS) {
      throw q.refusal.error;
    }
    q.refusal = undefined;
    if (q.inFlight < q.open || q.inFlight === 0) {
      q.inFlight++;
      this.admittedHere = true;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      q.waiting.push({
        admit: () => {
          this.admittedHere = true;
          resolve();
        },
        refuse: reject,
      });
    });
  }

  /** Done: say how it ended, so the queue lets others through or answers them. */
  leave(outcome: ClaimOutcome): void {
    if (this.left) {
      return;
    }
    this.left = true;
    const q = this.queue;
    if (this.admittedHere) {
      q.inFlight--;
      if (outcome.kind === "won") {
        q.open = Math.min(q.open - 1, q.room.capacity - outcome.claimedAfter);
        if (outcome.claimedAfter >= q.room.capacity) {
          q.refusal = { error: roomFullError(), at: Date.now() };
        }
      } else if (outcome.kind === "refused") {
        q.refusal = { error: outcome.error, at: Date.now() };
      }
    }
    this.release();
    if (q.refusal) {
      for (const waiter of q.waiting.splice(0)) {
        waiter.refuse(q.refusal.error);
      }
      return;
    }
    // Let through as many as there are free slots, and at least one when nothing is in flight.
    while (q.waiting.length > 0 && (q.inFlight < q.open || q.inFlight === 0)) {
      q.inFlight++;
      q.waiting.shift()?.admit();
    }
  }
}

/** The one "room full" answer (claim.ts refuses with it too). */
export function roomFullError(): ServiceError {
  return new ServiceError("conflict", "ROOM_FULL", "All the gifts in this room have been claimed.");
}

/** This process's gate for every claim (api/services/gift-rooms/claim.ts). */
export const claimGate = new ClaimGate();
