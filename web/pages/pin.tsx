import type { PinLink } from "../../api/services/pin-links";
import type { ChatLink } from "../chat-links";
import { Layout } from "../layout";
import { BackToChat } from "./chat-links";

const PIN_INPUT = {
  type: "password",
  inputmode: "numeric",
  autocomplete: "one-time-code",
  pattern: "[0-9]{4,6}",
  minlength: 4,
  maxlength: 6,
  required: true,
} as const;

/**
 * The one-time PIN form (S4). A plain POST form: works without JavaScript. The PIN never comes back
 * in any page, and the link dies on submit.
 */
export function PinFormPage(props: { link: Pick<PinLink, "title" | "purpose">; sandbox: boolean }) {
  const change = props.link.purpose === "change_pin";
  const choosing = props.link.purpose !== "pay";
  return (
    <Layout title="Enter your PIN — TADA VTU" sandbox={props.sandbox}>
      <main class="card">
        <p class="muted">TADA VTU</p>
        <h1 data-testid="pin-title">{props.link.title}</h1>
        <form method="post">
          {change ? (
            <label>
              Current PIN
              <input name="current_pin" class="pin" {...PIN_INPUT} autofocus />
            </label>
          ) : null}
          <label>
            {choosing ? "New PIN (4 to 6 digits)" : "Transaction PIN"}
            <input name="pin" class="pin" {...PIN_INPUT} autofocus={!change} />
          </label>
          <button type="submit" class="primary">
            {choosing ? "Save PIN" : "Pay"}
          </button>
        </form>
        <p class="muted">This page works once. We never ask for your PIN in the chat.</p>
      </main>
    </Layout>
  );
}

/** Unknown, used and expired links look the same: nothing to learn by probing tokens. */
export function PinLinkGonePage(props: { sandbox: boolean; chatLinks: ChatLink[] }) {
  return (
    <Layout title="Link expired — TADA VTU" sandbox={props.sandbox}>
      <main class="card">
        <h1>This link has expired or was already used</h1>
        <p>Go back to the chat and ask again: you will get a new link. Nothing was paid with this one.</p>
        <BackToChat links={props.chatLinks} secondary />
      </main>
    </Layout>
  );
}

/** One message of the chat's answer, as the page shows it (the chat engine's replies fit this). */
export type PageReply = {
  text: string;
  link?: { label: string; url: string };
  /** An electricity token: the page adds it to the text (the chat's copy reads it from the order). */
  token?: string;
};

/** What the chat answered to the PIN (the same messages go to the chat), under what it was for. */
export function PinOutcomePage(props: {
  /** The link's title, the form's heading ("Pay ₦489.85 for MTN airtime"): the page's one heading. */
  title: string;
  replies: PageReply[];
  sentToChat: boolean;
  sandbox: boolean;
  chatLinks: ChatLink[];
}) {
  return (
    <Layout title="Done — TADA VTU" sandbox={props.sandbox}>
      <main class="card" data-testid="pin-outcome">
        <p class="muted">TADA VTU</p>
        <h1>{props.title}</h1>
        {props.replies.map((reply) => (
          <>
            <p>{reply.text}</p>
            {reply.link ? (
              <a class="button" href={reply.link.url}>
                {reply.link.label}
              </a>
            ) : null}
          </>
        ))}
        {props.sentToChat ? <p class="muted">We sent the same message to your chat.</p> : null}
        <BackToChat links={props.chatLinks} secondary />
      </main>
    </Layout>
  );
}
