import type { Config } from "../../api/config";

export type BannerInfo = {
  config: Pick<Config, "sandbox" | "publicBaseUrl" | "embeddedDatabase" | "DATA_DIR">;
  /** Wall time from the process's start (module loading included) to serving, in seconds. */
  readySeconds: number;
  roles: string;
  jobs: string;
  providers: string;
  api: boolean;
  chat?: string;
  whatsapp: boolean;
  /** Created by this start: its password is shown this once. */
  firstAdmin?: { email: string; password: string };
};

/**
 * What `npm start` prints once it serves: one block, written in one piece after the start-up log
 * lines (scripts/start.ts waits for them), so the one-time admin password is not lost among them.
 */
export function bannerText(info: BannerInfo): string {
  const { config } = info;
  const base = config.publicBaseUrl;
  const lines = [
    "",
    `  TADA VTU ${config.sandbox ? "— SANDBOX (no real money moves)" : ""}`,
    `  ready in ${info.readySeconds.toFixed(1)}s · roles: ${info.roles} · database: ${config.embeddedDatabase ? `embedded PostgreSQL (${config.DATA_DIR}/pg)` : "DATABASE_URL"} · jobs: BullMQ on ${info.jobs}`,
    `  VTU providers: ${info.providers}${config.sandbox && info.providers.startsWith("sandbox") ? ' (the last 4 digits of a recipient pick the outcome: README, "Sandbox outcomes")' : ""}`,
    "",
  ];
  if (info.firstAdmin) {
    lines.push(
      "  First admin (shown only this once — store it now):",
      `    email     ${info.firstAdmin.email}`,
      `    password  ${info.firstAdmin.password}`,
      "",
    );
  }
  if (!info.api) {
    lines.push("  Worker only: no HTTP in this process. Ctrl-C stops it.", "");
    return `${lines.join("\n")}\n`;
  }
  const admins = info.firstAdmin
    ? "the first admin above, or one made with npm run create-admin"
    : "the admin printed by the first start, or one made with npm run create-admin";
  lines.push(
    `  API        ${base}/api`,
    `  Health     ${base}/healthz`,
    `  Web        ${base}/`,
    `  Admin      ${base}/admin (${admins})`,
    `  Chat       ${info.chat ?? "off"} · in a terminal: npm run chat -- --as 08031234567`,
    "",
  );
  if (info.whatsapp) {
    lines.push(
      `  WhatsApp   starting; a QR to scan appears here when it needs linking (session: ${config.DATA_DIR}/whatsapp)`,
      "",
    );
  }
  lines.push(
    "  Try it:",
    `    curl -s -X POST ${base}/api/auth/register -H 'content-type: application/json' \\`,
    `      -d '{"phone":"08031234567","password":"correct-horse-9"}'`,
    "    (README.md has the whole walk-through: login, PIN, sandbox money, airtime, data, cable, electricity.)",
    "",
    "  Ctrl-C stops everything.",
    "",
  );
  return `${lines.join("\n")}\n`;
}
