import {
  findOwnCard,
  REMINDER_CHOICE_PREFIX,
  stopCardReminders,
  stopPurchaseNudges,
} from "../../../api/services/renewals";
import { CABLE_PROVIDERS, type CableProvider } from "../../../api/services/vtu";
import { notificationChoices } from "../../outbox/notification-text";
import { templates } from "../i18n";
import { doneReply, errorText, mainMenu } from "../replies";
import type { FlowContext, StepResult } from "../types";
import { proposeAutoRenew } from "./auto-renew";
import { cableFlow } from "./cable";

const T = templates("renewalReminders", {
  notYours: {
    en: () => "I could not find that card among yours, so nothing was started. What would you like to do?",
    pcm: () => "I no see that card among your own, so I no start anything. Wetin you wan do?",
  },
  cardStopped: {
    en: (card: string) => `OK, no more renewal reminders for card ${card}.`,
    pcm: (card: string) => `No wahala, I no go remind you again for card ${card}.`,
  },
  electricityStopped: {
    en: () => "OK, no more electricity reminders.",
    pcm: () => "No wahala, I no go remind you about light again.",
  },
  dataStopped: {
    en: () => "OK, no more data plan reminders.",
    pcm: () => "No wahala, I no go remind you about data plan again.",
  },
});

/**
 * The tap choices of the last message this chat was shown, when that message was a notification
 * carrying some (a reminder, a nudge): on a channel without buttons (the console, WhatsApp typed
 * replies) "1" then means its first choice. Undefined when the last message shown was anything else.
 */
export async function lastShownNotificationChoices(
  fc: FlowContext,
): Promise<{ id: string; label: string }[] | undefined> {
  const last = await fc.ctx.db
    .selectFrom("chat_outbox")
    .select(["kind", "payload"])
    .where("channel", "=", fc.input.channel)
    .where("external_id", "=", fc.input.userRef)
    .where("op", "=", "send")
    .where("status", "=", "sent")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!last || last.kind === "reply") {
    return undefined;
  }
  return notificationChoices((last.payload ?? {}) as Record<string, unknown>, fc.lang);
}

/** The choices a renewal reminder or a nudge carries (api/services/renewals, DECISIONS §66). */
export const REMINDER_PREFIX = REMINDER_CHOICE_PREFIX;

/**
 * A tapped reminder choice, however long after the message: `rmd:renew:<card>` opens the cable flow
 * to renew that card (verify → summary → Confirm → PIN, the ordinary purchase); `rmd:auto:<card>`
 * sets up its auto-renew (summary → Confirm → PIN, flows/auto-renew.ts); `rmd:stop:<card>`,
 * `rmd:stop:electricity` and `rmd:stop:data` turn those reminders off. Only the person's own card.
 */
export async function reminderChoice(fc: FlowContext, rest: string): Promise<StepResult> {
  const [action, target = ""] = rest.split(":");
  try {
    if (action === "stop" && (target === "electricity" || target === "data")) {
      await stopPurchaseNudges(fc.ctx, { userId: fc.userId, kind: target });
      const text = target === "electricity" ? T.electricityStopped[fc.lang]() : T.dataStopped[fc.lang]();
      return { replies: [doneReply(text, [], fc.lang)] };
    }
    const cardId = /^\d{1,15}$/.test(target) ? Number(target) : undefined;
    const card = cardId === undefined ? undefined : await findOwnCard(fc.ctx, { userId: fc.userId, cardId });
    if (!card || !CABLE_PROVIDERS.includes(card.provider as CableProvider)) {
      return { replies: [{ text: T.notYours[fc.lang](), choices: mainMenu(fc.lang) }] };
    }
    if (action === "stop") {
      await stopCardReminders(fc.ctx, { userId: fc.userId, cardId: card.id });
      return { replies: [doneReply(T.cardStopped[fc.lang](card.smartcard), [], fc.lang)] };
    }
    if (action === "auto") {
      // Auto-renew (DECISIONS §67): summary → Confirm → PIN → an auto-renew schedule for the card.
      return await proposeAutoRenew(fc, card.id);
    }
    if (action === "renew") {
      return await cableFlow.start(fc, {
        kind: "cable",
        provider: card.provider as CableProvider,
        smartcard: card.smartcard,
        subscription: "renew",
      });
    }
    return { replies: [{ text: T.notYours[fc.lang](), choices: mainMenu(fc.lang) }] };
  } catch (error) {
    return { replies: [doneReply(errorText(error, fc.lang), [], fc.lang)] };
  }
}
