import { type AlertChannel, alertMessage, claimAlertsForChannel } from "../../api/services/alerts";
import type { DeliveryDeps } from "./deliver";

const ALERT_CHANNELS: readonly AlertChannel[] = ["telegram", "whatsapp"];

/**
 * Send new admin alerts to the admins' chats on the channels this process runs. Each channel
 * claims an alert once; a chat that refuses it is logged (the alert stays on the dashboard).
 */
export async function deliverAdminAlerts(deps: DeliveryDeps): Promise<{ sent: number; failed: number }> {
  const counts = { sent: 0, failed: 0 };
  for (const sender of deps.senders.all()) {
    const channel = ALERT_CHANNELS.find((c) => c === sender.channel);
    if (!channel) {
      continue;
    }
    const alerts = await claimAlertsForChannel(deps.ctx(), channel);
    for (const alert of alerts) {
      for (const chat of alert.chats) {
        try {
          await sender.send(chat, [{ text: alertMessage(alert) }]);
          counts.sent++;
        } catch (error) {
          counts.failed++;
          deps.logger.error(
            { err: error, alertId: alert.id, channel },
            "ALERT: an admin alert could not be sent to an admin's chat",
          );
        }
      }
    }
  }
  return counts;
}
