import type { Hono } from "hono";
import { adminsSection } from "./admins";
import { adminAlertRoutes } from "./alerts";
import { callbacksSection } from "./callbacks";
import { catalogueSection } from "./catalogue";
import { dashboardSection } from "./dashboard";
import { giftRoomsSection } from "./gift-rooms";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";
import { orderActionsSection } from "./order-actions";
import { paymentsSection } from "./payments";
import { pointsSection } from "./points";
import { referralAbuseSection } from "./referral-abuse";
import { referralsSection } from "./referrals";
import { remindersSection } from "./reminders";
import { schedulesSection } from "./schedules";
import { tiersSection } from "./tiers";
import { transfersSection } from "./transfers";

/** A panel section: a router mounted under /admin that uses the shared kit for its checks. */
export type AdminSection = (deps: AdminDeps, kit: AdminKit) => Hono<AdminEnv>;

/** Every section module, mounted by adminRoutes. Add a new module's export here. */
export const ADMIN_SECTIONS: AdminSection[] = [
  dashboardSection,
  adminAlertRoutes,
  orderActionsSection,
  paymentsSection,
  transfersSection,
  referralsSection,
  referralAbuseSection,
  pointsSection,
  tiersSection,
  schedulesSection,
  remindersSection,
  callbacksSection,
  giftRoomsSection,
  catalogueSection,
  adminsSection,
];
