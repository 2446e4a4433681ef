// npm run chat -- --as 08031234567 — talk to TADA VTU in the terminal, through the same chat engine
// as Telegram and WhatsApp. It joins the database of a running `npm start` (or starts the embedded
// one) and runs job workers too, so orders are delivered either way.

import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createJobBackend } from "../../api/jobs/backend";
import { startPaymentWorkers } from "../../api/jobs/payments";
import { startVtuWorkers } from "../../api/jobs/vtu";
import { normalizePhone } from "../../api/services/phone";
import { openRuntime, runMain } from "../../scripts/lib/runtime";
import { setUpPayments, setUpVtu } from "../../scripts/lib/vtu";
import { handleChatInput } from "../engine/engine";
import { createPhrasing } from "../engine/phrase";
import type { ChatOutput, Reply } from "../engine/types";
import { createUnderstanding } from "../engine/understand";
import { ChatSenders } from "../outbound";
import { startChatOutbox } from "../outbox/run";

const USAGE = "Usage: npm run chat -- --as 08031234567 [--name Ada]\n";

runMain(async () => {
  const { values } = parseArgs({ options: { as: { type: "string" }, name: { type: "string" } } });
  if (!values.as) {
    process.stderr.write(USAGE);
    return 2;
  }
  const phone = normalizePhone(values.as);
  const runtime = await openRuntime({ mode: "attach-or-own", logLevel: "warn" });
  const { config, db, logger } = runtime;
  const jobs = createJobBackend({ redisUrl: config.REDIS_URL, databaseUrl: runtime.databaseUrl });
  const vtu = await setUpVtu({ config, db, logger, jobs, ctx: runtime.ctx });
  const payments = setUpPayments({ config, db, logger, jobs, ctx: runtime.ctx });
  await startVtuWorkers({
    jobs,
    ctx: runtime.ctx,
    vtu,
    logger,
    sweepEverySeconds: config.VTU_SWEEP_INTERVAL_SECONDS,
    syncEveryMinutes: config.CATALOGUE_SYNC_INTERVAL_MINUTES,
  });
  await startPaymentWorkers({
    jobs,
    ctx: runtime.ctx,
    payments,
    logger,
    sweepEverySeconds: config.VTU_SWEEP_INTERVAL_SECONDS,
    reconcileEveryMinutes: config.FUNDING_RECONCILE_INTERVAL_MINUTES,
  });

  const deps = {
    ctx: runtime.ctx,
    vtu,
    payments,
    understand: createUnderstanding(config, logger),
    phrase: createPhrasing(config, logger),
  };
  // Every message to this person (answers, and notifications such as "order delivered" as they
  // happen) goes through the chat outbox like on Telegram, and prints here when it is sent.
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
  const outbox = startChatOutbox({ ctx: runtime.ctx, senders, logger, owner: `console:${randomUUID()}` });
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // Take the line iterator now: lines that arrive before the first await would otherwise be lost.
  const lines = rl[Symbol.asyncIterator]();
  let counter = Date.now();
  const print = (reply: Reply) => {
    process.stdout.write(`\nTADA: ${reply.text}\n`);
    if (reply.link) {
      process.stdout.write(`  ${reply.link.label}: ${reply.link.url}\n`);
    }
    reply.choices?.forEach((c, i) => {
      process.stdout.write(`  ${i + 1}. ${c.label}\n`);
    });
  };
  const show = async (out: ChatOutput) => {
    await senders.sendNow("console", out);
    if (out.deleteInput) {
      process.stdout.write("  (On Telegram this message would now be deleted from the chat.)\n");
    }
  };
  const say = (text: string) =>
    handleChatInput(
      deps,
      // The name a chat app would give (Telegram's first name): greetings use it.
      { channel: "console", userRef: phone, messageId: `c${counter++}`, text, displayName: values.name },
      { sendingBy: senders.owner("console") },
    );
  process.stdout.write(
    `Chatting as ${phone}${config.sandbox ? " — SANDBOX" : ""}. Type a message, a number to pick, or Ctrl-D to leave.\n`,
  );
  await show(await say("hi"));
  process.stdout.write("\nYou: ");
  // Async iteration buffers lines, so piped input works as well as typing.
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const line = next.value;
    // Piped input is not echoed by a terminal: print it, so a transcript reads as a conversation.
    if (!process.stdin.isTTY) {
      process.stdout.write(`${line}\n`);
    }
    if (line.trim() !== "") {
      await show(await say(line));
    }
    process.stdout.write("\nYou: ");
  }
  rl.close();
  // What is still due (a notification that just arrived) prints before we go.
  await outbox.flush(runtime.ctx().config.CHAT_FLUSH_SECONDS * 1000);
  await outbox.stop();
  await jobs.close();
  await runtime.close();
  return 0;
});
