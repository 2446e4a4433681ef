import { createHash } from "node:crypto";

/**
 * A small seeded PRNG (sfc32) so a soak is reproducible: operation i draws from its own stream
 * `(seed, i)`, so the planned sequence does not depend on how the concurrent run interleaves.
 * Not for anything secret.
 */
export type Rng = {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
  /** `count` decimal digits, leading zeros allowed. */
  digits(count: number): string;
};

export function rngFor(seed: number, stream: number | string): Rng {
  const bytes = createHash("sha256").update(`${seed}:${stream}`).digest();
  let a = bytes.readUInt32LE(0);
  let b = bytes.readUInt32LE(4);
  let c = bytes.readUInt32LE(8);
  let d = bytes.readUInt32LE(12);
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) {
        throw new Error("pick from an empty list");
      }
      return item;
    },
    weighted: (weights) => {
      const entries = Object.entries(weights) as [keyof typeof weights, number][];
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let roll = next() * total;
      for (const [key, weight] of entries) {
        roll -= weight;
        if (roll < 0) {
          return key;
        }
      }
      const last = entries.at(-1);
      if (!last) {
        throw new Error("weighted pick from no weights");
      }
      return last[0];
    },
    digits: (count) => {
      let out = "";
      for (let i = 0; i < count; i++) {
        out += String(Math.floor(next() * 10));
      }
      return out;
    },
  };
  return rng;
}
