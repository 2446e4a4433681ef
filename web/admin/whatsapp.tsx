import { Hono } from "hono";
import { whatsAppStatus } from "../../api/services/whatsapp-status";
import { AdminWhatsAppPage } from "../pages/admin-ops";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

/** GET /admin/whatsapp: the WhatsApp link's state, and the QR to scan while it waits for one. */
export function whatsAppSection(deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  app.get("/whatsapp", async (c) => {
    const session = await kit.signedIn(c);
    if (session instanceof Response) {
      return session;
    }
    const status = whatsAppStatus.get();
    return kit.page(
      c,
      <AdminWhatsAppPage
        sandbox={kit.sandbox}
        role={session.admin.role}
        enabled={deps.config.WHATSAPP_ENABLED}
        state={status.state}
        updatedAt={status.updatedAt.toISOString()}
        qrDataUrl={await whatsAppStatus.qrDataUrl()}
      />,
    );
  });
  return app;
}
