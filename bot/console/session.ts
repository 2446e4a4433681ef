import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { handleChatInput } from "../engine/engine";
import type { ChatOutput, EngineDeps, Reply } from "../engine/types";
import { ChatSenders } from "../outbound";
import { startChatOutbox } from "../outbox/run";

/**
 * The console channel: one person (`phone`) typing in a terminal, through the same engine and chat
 * outbox as Telegram and WhatsApp. Every message to this person (answers, and notifications such as
 * "order delivered" as they happen) is sent by the outbox and printed when it is sent. Lines are
 * read from `input` until it ends (Ctrl-D, or the end of piped input); what is still due prints
 * before it returns.
 */
export async function runConsoleChat(args: {
  deps: EngineDeps;
  phone: string;
  /** The name a chat app would give (Telegram's first name): greetings use it. */
  name?: string;
  /** Said once before the first answer (which account this chat uses, or how to link one). */
  note?: string;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Echo each line read (piped input is not echoed by a terminal), so a transcript reads as a conversation. */
  echo: boolean;
}): Promise<void> {
  const { deps, phone, output } = args;
  const ctx = deps.ctx();
  const write = (text: string) => output.write(text);
  const print = (reply: Reply) => {
    write(`\nTADA: ${reply.text}\n`);
    if (reply.link) {
      write(`  ${reply.link.label}: ${reply.link.url}\n`);
    }
    reply.choices?.forEach((c, i) => {
      write(`  ${i + 1}. ${c.label}\n`);
    });
  };
  const senders = new ChatSenders();
  senders.register({
    channel: "console",
    reaches: [phone],
    async send(_userRef, replies) {
      for (const reply of replies) {
        print(reply);
      }
    },
  });
  const outbox = startChatOutbox({
    ctx: deps.ctx,
    senders,
    logger: ctx.logger,
    owner: `console:${randomUUID()}`,
  });
  const rl = createInterface({ input: args.input, output: args.output });
  // Take the line iterator now: lines that arrive before the first await would otherwise be lost.
  const lines = rl[Symbol.asyncIterator]();
  let counter = Date.now();
  const show = async (out: ChatOutput) => {
    await senders.sendNow("console", out);
    if (out.deleteInput) {
      write("  (On Telegram this message would now be deleted from the chat.)\n");
    }
  };
  const say = (text: string) =>
    handleChatInput(
      deps,
      { channel: "console", userRef: phone, messageId: `c${counter++}`, text, displayName: args.name },
      { sendingBy: senders.owner("console") },
    );
  try {
    write(
      `Chatting as ${phone}${ctx.config.sandbox ? " — SANDBOX" : ""}. Type a message, a number to pick, or Ctrl-D to leave.\n`,
    );
    if (args.note) {
      write(`${args.note}\n`);
    }
    await show(await say("hi"));
    write("\nYou: ");
    // Async iteration buffers lines, so piped input works as well as typing.
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const line = next.value;
      if (args.echo) {
        write(`${line}\n`);
      }
      if (line.trim() !== "") {
        await show(await say(line));
      }
      write("\nYou: ");
    }
  } finally {
    rl.close();
    // What is still due (a notification that just arrived) prints before we go.
    await outbox.flush(ctx.config.CHAT_FLUSH_SECONDS * 1000);
    await outbox.stop();
  }
}
