import type { PgListener } from "./pg-listener";

type Entry<V> = { value: V; epoch: number; generation: number };

/**
 * A per-process copy of database rows that PostgreSQL invalidates: the owner clears it (or drops
 * some entries) when it hears the notification a trigger sends on commit of a change (pg-listener.ts).
 * An entry is trusted only while the listener is connected and has been since before the entry was
 * read (`epoch`); while the connection is down every read goes to the database, and a reconnect
 * empties the cache (a notification may have been missed). A read that raced a change (any clear or
 * drop while it ran) is answered but not kept. With `maxEntries`, the oldest entries make room.
 *
 * The window left open is the time between a change's commit and its notification arriving here (a
 * millisecond or so on one machine): a read in it answers as if it came just before the change.
 */
export class NotifiedCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private generation = 0;

  constructor(
    private readonly listener: PgListener,
    private readonly maxEntries = Number.POSITIVE_INFINITY,
  ) {
    listener.onReconnect(() => this.clear());
  }

  /** The cached value, or `load`'s; an `undefined` answer (nothing found) is never kept. */
  async read(key: K, load: () => Promise<V>): Promise<V> {
    const epoch = this.listener.epoch;
    const generation = this.generation;
    const hit = this.entries.get(key);
    if (hit && this.listener.listening && hit.epoch === epoch && hit.generation === generation) {
      return hit.value;
    }
    const value = await load();
    // Kept only if nothing changed while it was read and the listener was up all along.
    if (
      value !== undefined &&
      this.listener.listening &&
      this.listener.epoch === epoch &&
      this.generation === generation
    ) {
      this.entries.delete(key);
      this.entries.set(key, { value, epoch, generation });
      for (const oldest of this.entries.keys()) {
        if (this.entries.size <= this.maxEntries) {
          break;
        }
        this.entries.delete(oldest);
      }
    }
    return value;
  }

  /** Forget everything (a change that may touch any entry). */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Forget the entries `stale` picks (a change to some of them); reads under way are not kept. */
  drop(stale: (value: V) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.entries) {
      if (stale(entry.value)) {
        this.entries.delete(key);
      }
    }
  }

  /** Forget one entry (a change to it); reads under way are not kept. */
  forget(key: K): void {
    this.generation++;
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
