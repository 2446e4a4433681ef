// npm run admin-api-key -- --email admin@tada.local --name "Nightly report"
// Makes an admin API key (tadm_…) for an existing admin and prints only the key on stdout, so
//   KEY=$(npm run -s admin-api-key -- --email admin@tada.local --name "Scripts")
// captures it. The key acts as that admin, with their role; it is shown once.
import { parseArgs } from "node:util";
import { z } from "zod";
import { createAdminApiKeyForEmail, FIRST_ADMIN_EMAIL } from "../api/services/admins";
import { NotFoundError } from "../api/services/errors";
import { openRuntime, runMain } from "./runtime/boot";

const USAGE = `usage: npm run admin-api-key -- --email ${FIRST_ADMIN_EMAIL} --name "what uses it"`;

const Args = z.object({
  email: z.email({ message: "--email must be the email of an existing admin" }),
  name: z.string({ message: "--name is required (what script uses the key)" }).min(1, "--name is required"),
});

runMain(async () => {
  const { values } = parseArgs({ options: { email: { type: "string" }, name: { type: "string" } } });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    throw new Error(`${parsed.error.issues.map((i) => i.message).join("\n")}\n${USAGE}`);
  }
  const runtime = await openRuntime({ mode: "attach-or-own", logLevel: "warn" });
  try {
    const made = await createAdminApiKeyForEmail({
      ctx: runtime.ctx(),
      email: parsed.data.email,
      input: { name: parsed.data.name },
    }).catch((error: unknown) => {
      if (error instanceof NotFoundError) {
        throw new Error(
          `No admin has the email ${parsed.data.email}. The first admin is ${FIRST_ADMIN_EMAIL}; ` +
            "add one with npm run create-admin.",
        );
      }
      throw error;
    });
    process.stdout.write(`${made.key}\n`);
    process.stderr.write(
      `admin API key "${made.name}" for ${made.admin.email} (${made.admin.role}); shown once, store it now. ` +
        "Revoke it under My account in the admin panel.\n",
    );
    return 0;
  } finally {
    await runtime.close();
  }
});
