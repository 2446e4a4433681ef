import { randomBytes } from "node:crypto";

/**
 * Provider request ids: `YYYYMMDDHHII` in Africa/Lagos time then 12 random alphanumerics — the
 * VTpass rule (first 12 characters numeric, Lagos time), which every provider accepts and which
 * makes ids sortable by hand in support chats. Unique per attempt (P2).
 */
export function newRequestId(now: Date): string {
  const lagos = new Date(now.getTime() + 60 * 60 * 1000); // WAT is UTC+1 all year (no DST).
  const stamp = lagos.toISOString().slice(0, 16).replace(/[-T:]/g, "");
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const tail = [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join("");
  return `${stamp}${tail}`;
}
