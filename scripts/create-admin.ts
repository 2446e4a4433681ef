// npm run create-admin -- --email ops@example.com --name "Ops" --role admin [--password …]
// Without --password a strong one is generated and printed once.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ADMIN_ROLES, createAdmin } from "../api/services/admins";
import { openRuntime, runMain } from "./runtime/boot";

const Args = z.object({
  email: z.email({ message: "--email must be an email address" }),
  name: z.string().min(1, "--name is required"),
  role: z.enum(ADMIN_ROLES, { message: `--role must be one of ${ADMIN_ROLES.join(", ")}` }),
  password: z.string().optional(),
});

runMain(async () => {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    throw new Error(
      `${parsed.error.issues.map((i) => i.message).join("\n")}\n` +
        'usage: npm run create-admin -- --email ops@example.com --name "Ops" --role admin [--password …]',
    );
  }
  const password = parsed.data.password ?? randomBytes(12).toString("base64url");
  const runtime = await openRuntime({ mode: "attach-or-own", logLevel: "warn" });
  try {
    const admin = await createAdmin({ ctx: runtime.ctx(), input: { ...parsed.data, password } });
    process.stdout.write(`created ${admin.role} ${admin.email} (${admin.id})\n`);
    if (!parsed.data.password) {
      process.stdout.write(`password: ${password}\n(shown once; store it now)\n`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
});
