import type { ConsoleAccount } from "../../api/services/users";

/** What the console says once, before the first answer, about the account it uses (if anything). */
export function consoleAccountNote(account: ConsoleAccount): string | undefined {
  switch (account.kind) {
    case "none":
      return undefined;
    case "joined":
      return `This chat uses the account registered for ${account.phone}: the same wallet and PIN.`;
    case "link_needed":
      return [
        `${account.phone} has a TADA account. Outside sandbox mode this chat does not join it by itself:`,
        "get a link code for that account (POST /api/auth/link-code with its login token) and send /link <code> here.",
      ].join("\n");
    case "apart":
      return account.reason === "chat_has_wallet"
        ? `${account.phone} has a TADA account, but this chat already has a wallet of its own with activity, so it stays separate (merging two wallets is a support action).`
        : `${account.phone} has a TADA account that another console chat uses already, so this chat stays separate.`;
  }
}
