/**
 * Group commit for one kind of statement: calls made while a batch is being written wait and go
 * together in the next one. Under load (the chat engine answering hundreds of chats at once) many
 * small statements become a few multi-row ones, which is what PostgreSQL does best; alone, a call
 * goes at once (the next turn of the event loop), so a quiet chat waits for nothing.
 *
 * - `keyOf`: two items with one key are never written at the same time (one chat's session is saved
 *   once per statement); the second goes in a later batch, in call order.
 * - A batch that fails is retried one item at a time, so one bad item fails only itself.
 */
export type BatcherOptions<I> = {
  /** Items with the same key go in different batches, in call order. */
  keyOf?: (item: I) => string;
  /** Largest batch. */
  maxItems?: number;
  /** Batches written at once; more calls wait for one to finish (and then go together). */
  maxInFlight?: number;
};

type Waiting<I, O> = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };

export class Batcher<I, O> {
  private queue: Waiting<I, O>[] = [];
  private inFlight = 0;
  /** Keys of the items being written now: their next items wait for them. */
  private readonly busyKeys = new Set<string>();
  private scheduled = false;
  private readonly maxItems: number;
  private readonly maxInFlight: number;

  /** `run` gets the items and answers one result per item, in the same order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions<I> = {},
  ) {
    this.maxItems = options.maxItems ?? 100;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  load(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) {
      return;
    }
    this.scheduled = true;
    // The next turn of the event loop: the calls of this turn (a whole getUpdates batch) go together.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) {
        return; // every waiting item waits for its key's batch in flight
      }
      const keyOf = this.options.keyOf;
      const keys = keyOf ? batch.map((w) => keyOf(w.item)) : [];
      for (const key of keys) {
        this.busyKeys.add(key);
      }
      this.inFlight++;
      void this.write(batch).finally(() => {
        for (const key of keys) {
          this.busyKeys.delete(key);
        }
        this.inFlight--;
        this.schedule();
      });
    }
  }

  /** The next batch: the oldest waiting items, one per key and none of a key in flight, at most maxItems. */
  private take(): Waiting<I, O>[] {
    const keyOf = this.options.keyOf;
    if (!keyOf) {
      return this.queue.splice(0, this.maxItems);
    }
    const keys = new Set<string>(this.busyKeys);
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    for (const waiting of this.queue) {
      const key = keyOf(waiting.item);
      if (batch.length < this.maxItems && !keys.has(key)) {
        keys.add(key);
        batch.push(waiting);
      } else {
        keys.add(key); // a later item of this key must not overtake the one left waiting
        rest.push(waiting);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async write(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.item));
      if (results.length !== batch.length) {
        throw new Error(`batch answered ${results.length} results for ${batch.length} items`);
      }
      for (const [i, w] of batch.entries()) {
        w.resolve(results[i] as O);
      }
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // One item at a time: only the item that cannot be written fails.
      for (const w of batch) {
        await this.run([w.item]).then(
          (results) => w.resolve(results[0] as O),
          (e: unknown) => w.reject(e),
        );
      }
    }
  }
}

/** One batcher per database handle (each test database, each process pool). */
export function batcherPer<K extends object, I, O>(
  make: (key: K) => Batcher<I, O>,
): (key: K) => Batcher<I, O> {
  const batchers = new WeakMap<K, Batcher<I, O>>();
  return (key) => {
    let batcher = batchers.get(key);
    if (!batcher) {
      batcher = make(key);
      batchers.set(key, batcher);
    }
    return batcher;
  };
}
