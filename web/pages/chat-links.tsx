import type { ChatLink, StartLinks } from "../chat-links";

/** The way back to the chat, or, with none configured, the plain truth: the page can be closed. */
export function BackToChat(props: { links: ChatLink[]; secondary?: boolean }) {
  if (props.links.length === 0) {
    return (
      <p class="muted" data-testid="close-page">
        You can close this page.
      </p>
    );
  }
  return (
    <>
      {props.links.map((link) => (
        <a
          class={props.secondary ? "button secondary" : "button"}
          href={link.href}
          data-testid="back-to-chat"
        >
          {link.label}
        </a>
      ))}
    </>
  );
}

/** Buttons that start the bot (absent for a channel that is not configured). */
export function StartButtons(props: { links: StartLinks }) {
  return (
    <>
      {props.links.telegram ? (
        <a class="button" href={props.links.telegram} data-testid="start-telegram">
          Open in Telegram
        </a>
      ) : null}
      {props.links.whatsapp ? (
        <a class="button" href={props.links.whatsapp} data-testid="start-whatsapp">
          Chat on WhatsApp
        </a>
      ) : null}
    </>
  );
}
