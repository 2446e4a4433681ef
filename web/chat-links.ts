import type { Config } from "../api/config";

/** The bot on each channel this deployment runs, or null where it has none configured. */
export type StartLinks = { telegram: string | null; whatsapp: string | null };

/** A "back to the chat" button: where it goes and what it says. */
export type ChatLink = { href: string; label: string };

/**
 * The bot's own links, known from configuration (the web process never talks to Telegram, so the
 * username is TELEGRAM_BOT_USERNAME rather than a getMe call): https://t.me/<username> and
 * https://wa.me/<number>. Gift and referral pages offer them to people who are not customers yet.
 */
export function startLinks(config: Config): StartLinks {
  return {
    telegram: config.TELEGRAM_BOT_USERNAME ? `https://t.me/${config.TELEGRAM_BOT_USERNAME}` : null,
    whatsapp: config.WHATSAPP_NUMBER ? `https://wa.me/${config.WHATSAPP_NUMBER}` : null,
  };
}

/**
 * Where "Back to the chat" goes on a page opened from a chat (payment result, PIN, schedules):
 * CHAT_RETURN_URL when the operator set one; else the bot on the channel the person came from; else
 * the bot on every channel configured; else nowhere, and the page says it can be closed. Never a
 * developer page.
 */
export function chatReturnLinks(config: Config, channel?: string): ChatLink[] {
  if (config.CHAT_RETURN_URL) {
    return [{ href: config.CHAT_RETURN_URL, label: "Back to the chat" }];
  }
  const links = startLinks(config);
  const telegram = links.telegram ? { href: links.telegram, label: "Back to the chat on Telegram" } : null;
  const whatsapp = links.whatsapp ? { href: links.whatsapp, label: "Back to the chat on WhatsApp" } : null;
  const mine = channel === "telegram" ? telegram : channel === "whatsapp" ? whatsapp : null;
  if (mine) {
    return [mine];
  }
  return [telegram, whatsapp].filter((link): link is ChatLink => link !== null);
}
