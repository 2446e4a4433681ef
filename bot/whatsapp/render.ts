import type { Reply } from "../engine/types";

/**
 * Engine replies as one WhatsApp text: WhatsApp has no buttons here, so choices become numbered
 * lines and links "label: url". Only the last reply's choices are numbered: those are the ones the
 * engine remembers, so "2" means the second line the person sees.
 */
export function renderReplies(replies: Reply[]): string {
  const numbered = replies.findLastIndex((r) => (r.choices?.length ?? 0) > 0);
  return replies
    .map((reply, index) => {
      const lines = [reply.text];
      if (reply.link) {
        lines.push(`${reply.link.label}: ${reply.link.url}`);
      }
      if (index === numbered) {
        reply.choices?.forEach((choice, i) => {
          lines.push(`${i + 1}. ${choice.label}`);
        });
      }
      return lines.join("\n");
    })
    .join("\n\n");
}
