/**
 * What this process's chat senders saw since it started, for /metrics: messages sent, and send
 * failures by channel and kind ("rate_limited" is a 429 flood wait, "transient" a 5xx or network
 * error retried later, "permanent" a refusal recorded for good). Counters only; the outbox itself
 * (depth, oldest unsent) is read from the database at scrape time.
 */
export type SendFailureKind = "rate_limited" | "transient" | "permanent";

const sent = new Map<string, number>();
const failures = new Map<string, number>();

export function countChatSent(channel: string): void {
  sent.set(channel, (sent.get(channel) ?? 0) + 1);
}

export function countChatSendFailure(channel: string, kind: SendFailureKind): void {
  const key = `${channel}\u0000${kind}`;
  failures.set(key, (failures.get(key) ?? 0) + 1);
}

export function chatSendStats(): {
  sent: { channel: string; count: number }[];
  failures: { channel: string; kind: SendFailureKind; count: number }[];
} {
  return {
    sent: [...sent].map(([channel, count]) => ({ channel, count })),
    failures: [...failures].map(([key, count]) => {
      const [channel = "", kind] = key.split("\u0000");
      return { channel, kind: kind as SendFailureKind, count };
    }),
  };
}
