import { describe, expect, it } from "vitest";
import { type BannerInfo, bannerText } from "./banner";

const info: BannerInfo = {
  config: { sandbox: true, publicBaseUrl: "http://localhost:3000", embeddedDatabase: true, DATA_DIR: "/d" },
  readySeconds: 6.43,
  roles: "api + worker",
  jobs: "postgres",
  providers: "sandbox, sandbox-b",
  api: true,
  chat: "Telegram off (set TELEGRAM_BOT_TOKEN)",
  whatsapp: false,
};

describe("the start banner", () => {
  it("shows the first admin once and points to it; a warm start points to the first start instead", () => {
    const first = bannerText({
      ...info,
      firstAdmin: { email: "admin@tada.local", password: "pw-0123456789" },
    });
    expect(first).toContain("    password  pw-0123456789");
    expect(first).toContain("/admin (the first admin above, or one made with npm run create-admin)");
    expect(first).toContain("ready in 6.4s");

    const warm = bannerText(info);
    expect(warm).not.toContain("First admin");
    expect(warm).not.toContain("above");
    expect(warm).toContain(
      "/admin (the admin printed by the first start, or one made with npm run create-admin)",
    );
  });

  it("is one block of text that ends with how to stop", () => {
    const text = bannerText(info);
    expect(text.trimEnd().split("\n").at(-1)).toBe("  Ctrl-C stops everything.");
    expect(bannerText({ ...info, api: false })).toContain(
      "Worker only: no HTTP in this process. Ctrl-C stops it.",
    );
  });
});
