import type { OutboxRow } from "../../api/services/chat-outbox";
import type { LoadedWallet } from "../../api/services/chat-sessions";
import type { ServiceContext } from "../../api/services/context";
import type { PaymentsRuntime } from "../../api/services/funding";
import type { VtuRuntime } from "../../api/services/vtu";
import type { Lang } from "./i18n";
import type { Intent } from "./intents/intent";
import type { Phrase } from "./phrase";

export type ChatChannel = "telegram" | "whatsapp" | "console";

/** One thing a person did in a chat: a message or a button press. */
export type ChatInput = {
  channel: ChatChannel;
  /** The person on that channel (Telegram user id, WhatsApp number, the console's phone). */
  userRef: string;
  /** Unique per channel: the update / message / callback id. Redelivery of the same id is ignored. */
  messageId: string;
  text?: string;
  /** The id of a pressed button (a Choice id). */
  choice?: string;
  displayName?: string;
  /**
   * The person's own phone number, from a channel that vouches for it: a Telegram contact the user
   * shared (the adapter fills it only when the contact's user_id is the sender's). Any form
   * normalizePhone accepts ("2348031234567").
   */
  contactPhone?: string;
  /**
   * The text is a PIN entered on the one-time PIN page (S4). On WhatsApp only such inputs may carry a
   * PIN: digits typed into the chat at the PIN step are never used.
   */
  pinFromSecurePage?: boolean;
  /** With `pinFromSecurePage`: the flow step (`confirmId`) the link was made for. */
  pinLinkFor?: string;
};

/** A button (Telegram inline keyboard) or a numbered line (WhatsApp, console). */
export type Choice = { id: string; label: string };

export type Reply = {
  text: string;
  choices?: Choice[];
  link?: { label: string; url: string };
  /**
   * Ask for the person's own phone number with this button label: Telegram shows a "share my phone
   * number" keyboard button; other channels ignore it (the text asks to type the number instead).
   */
  askContact?: string;
  /**
   * The outcome this message announces (an order delivered or failed, a room closed): the same
   * outcome's notification then does not reach this chat again (one outcome, one message).
   * `payload.orderId` with `payload.hasToken` appends the electricity token when it is sent.
   */
  outcome?: { kind: string; payload: Record<string, unknown> };
  /** The electricity token, shown where the reply is shown at once (the PIN page); never stored. */
  token?: string;
  /** A name for this message, so a later step can clear its buttons (`StepResult.clearButtons`). */
  tag?: string;
  /**
   * Text in `text` that people copy (an account number), written on a line of its own. Telegram
   * marks it as code (a tap copies it); other channels show the line as it is.
   */
  copy?: string;
};

export type ChatOutput = {
  replies: Reply[];
  /** The outbox rows of these replies (and clean-ups), for the adapter to send now. */
  outboxIds: number[];
  /** The rows were written already leased to the `sendingBy` owner: send them without claiming. */
  leased: boolean;
  /** Those leased rows as written (the sender needs no read to send them). */
  rows?: OutboxRow[];
  /** The input carried a PIN: the adapter deletes it from the chat (S4). */
  deleteInput: boolean;
  /** The input carried another secret (a BVN typed by mistake): deleted from the chat too, no PIN step follows. */
  deleteSecret?: boolean;
  /** The same messageId was handled before; nothing was done. */
  duplicate: boolean;
};

/** What the engine needs from the service layer. */
export type EngineDeps = {
  ctx: () => ServiceContext;
  vtu: VtuRuntime;
  payments: PaymentsRuntime;
  /** Free-text understanding after the grammar (Groq); undefined when not configured or failing. */
  understand?: (text: string) => Promise<Intent | undefined>;
  /**
   * Friendlier wording of a drafted answer (Groq), checked against the answer's facts before use
   * (phrase.ts); undefined when not configured. Never decides what is shown, only how it is said.
   */
  phrase?: Phrase;
};

/** A conversation in progress: which flow, which step, what has been collected (never a PIN). */
export type FlowState = { flow: string; step: string; data: Record<string, unknown> };

/** What a flow step returns: replies, and where the conversation goes next (undefined = done). */
export type StepResult = {
  replies: Reply[];
  next?: FlowState;
  deleteInput?: boolean;
  /** The message holds a secret that is not a PIN (a BVN): the adapter deletes it from the chat. */
  deleteSecret?: boolean;
  /** Tags of earlier messages whose buttons are now stale: the adapter removes them. */
  clearButtons?: string[];
  /** The person chose their language with this message (no Pidgin offer follows it). */
  languageChosen?: boolean;
};

/** Everything a flow step sees. */
export type FlowContext = {
  deps: EngineDeps;
  ctx: ServiceContext;
  input: ChatInput;
  userId: string;
  /** This message created the person (their first message to us on any channel). */
  firstContact?: boolean;
  /** Their wallet as read with the message's claim (a balance answer needs no read of its own). */
  wallet?: LoadedWallet;
  /** The language this person's replies are written in (their preference; English until chosen). */
  lang: Lang;
};
