// npm run chat -- --as 08031234567 — talk to TADA VTU in the terminal, through the same chat engine
// as Telegram and WhatsApp. It joins the database of a running `npm start` (or starts the embedded
// one) and runs job workers too, so orders are delivered either way.
import { parseArgs } from "node:util";
import { normalizePhone } from "../api/services/phone";
import { consoleAccountNote } from "../bot/console/account-note";
import { runConsoleChat } from "../bot/console/session";
import { runMain } from "./runtime/boot";
import { openConsoleProcess } from "./runtime/console";

const USAGE = "Usage: npm run chat -- --as 08031234567 [--name Ada]\n";

runMain(async () => {
  const { values } = parseArgs({ options: { as: { type: "string" }, name: { type: "string" } } });
  if (!values.as) {
    process.stderr.write(USAGE);
    return 2;
  }
  const phone = normalizePhone(values.as);
  const chat = await openConsoleProcess(phone);
  try {
    await runConsoleChat({
      deps: chat.deps,
      phone,
      name: values.name,
      note: consoleAccountNote(chat.account),
      input: process.stdin,
      output: process.stdout,
      echo: !process.stdin.isTTY,
    });
  } finally {
    await chat.close();
  }
  return 0;
});
