import type { Hono } from "hono";
import { adminsSection } from "./admins";
import { adminAlertRoutes } from "./alerts";
import { approvalsSection } from "./approvals";
import { auditSection } from "./audit";
import { callbacksSection } from "./callbacks";
import { catalogueSection } from "./catalogue";
import { customerApiKeysSection } from "./customer-api-keys";
import { customersSection } from "./customers";
import { dashboardSection } from "./dashboard";
import { giftRoomsSection } from "./gift-rooms";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";
import { orderActionsSection } from "./order-actions";
import { ordersSection } from "./orders";
import { paymentsSection } from "./payments";
import { pointsSection } from "./points";
import { referralAbuseSection } from "./referral-abuse";
import { referralsSection } from "./referrals";
import { remindersSection } from "./reminders";
import { schedulesSection } from "./schedules";
import { signInSection } from "./sign-in";
import { tiersSection } from "./tiers";
import { transfersSection } from "./transfers";
import { whatsAppSection } from "./whatsapp";

/** A panel section: a router mounted under /admin that uses the shared kit for its checks. */
export type AdminSection = (deps: AdminDeps, kit: AdminKit) => Hono<AdminEnv>;

/** Every section module, mounted by adminRoutes. Add a new module's export here. */
export const ADMIN_SECTIONS: AdminSection[] = [
  signInSection,
  dashboardSection,
  customersSection,
  approvalsSection,
  ordersSection,
  auditSection,
  whatsAppSection,
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
  customerApiKeysSection,
  catalogueSection,
  adminsSection,
];
