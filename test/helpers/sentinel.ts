import { expect } from "vitest";

/**
 * Where a sentinel PIN occurs in `text` as a value of its own. Random ids (uuids, ULIDs, tokens),
 * timestamps and request durations are left out: `req_…-591372c5…` or `"ms":9137` is not a leaked
 * PIN, and a check that matched them failed one CI run in a few hundred by chance.
 */
export function pinOccurrences(text: string, pin: string): string[] {
  const cleaned = text
    .replace(/"ms":\d+/g, '"ms":0')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>");
  const found: string[] = [];
  const pattern = new RegExp(`(?<![0-9A-Za-z_-])${pin}(?![0-9A-Za-z_-])`, "g");
  for (const match of cleaned.matchAll(pattern)) {
    const at = match.index ?? 0;
    found.push(cleaned.slice(Math.max(0, at - 60), at + pin.length + 20));
  }
  return found;
}

/** Fails with the surrounding text when the PIN appears in `text` as a value of its own. */
export function expectNoPin(text: string, pin: string): void {
  expect(pinOccurrences(text, pin), `PIN ${pin} found`).toEqual([]);
}
