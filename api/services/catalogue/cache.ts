/**
 * A small per-process TTL cache for catalogue listings (they are read on every menu and change only
 * on a sync or a pricing edit). Orders never read through it: they price from the database.
 */
const entries = new Map<string, { expiresAt: number; value: unknown }>();

export async function cached<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && hit.expiresAt > now) {
    return hit.value as T;
  }
  const value = await load();
  if (ttlSeconds > 0) {
    entries.set(key, { expiresAt: now + ttlSeconds * 1000, value });
  }
  return value;
}

/** Called after a sync or a pricing change in this process; other processes catch up within the TTL. */
export function invalidateCatalogueCache(): void {
  entries.clear();
}
