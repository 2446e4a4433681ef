import type { Hono } from "hono";
import { dashboardSection } from "./dashboard";
import type { AdminDeps, AdminEnv, AdminKit } from "./kit";

/** A panel section: a router mounted under /admin that uses the shared kit for its checks. */
export type AdminSection = (deps: AdminDeps, kit: AdminKit) => Hono<AdminEnv>;

/** Every section module, mounted by adminRoutes. Add a new module's export here. */
export const ADMIN_SECTIONS: AdminSection[] = [dashboardSection];
