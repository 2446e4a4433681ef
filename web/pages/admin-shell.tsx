import type { Child } from "hono/jsx";
import type { AdminRole } from "../../db/database";
import { Layout } from "../layout";

/** The panel's sections, in the order of the navigation bar; `role` hides links a role cannot open. */
const SECTIONS: { href: string; label: string; role?: AdminRole }[] = [
  { href: "/admin", label: "Dashboard" },
  { href: "/admin/users", label: "Customers" },
  { href: "/admin/orders", label: "Orders" },
  { href: "/admin/payments", label: "Payments" },
  { href: "/admin/gift-rooms", label: "Gift rooms" },
  { href: "/admin/approvals", label: "Approvals" },
  { href: "/admin/alerts", label: "Alerts" },
  { href: "/admin/catalogue", label: "Catalogue", role: "super_admin" },
  { href: "/admin/admins", label: "Admins", role: "super_admin" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/whatsapp", label: "WhatsApp" },
  { href: "/admin/account", label: "My account" },
];

const RANK: Record<AdminRole, number> = { support: 1, admin: 2, super_admin: 3 };

/**
 * Every signed-in page of the panel: the wide layout, the navigation bar (links the role may open)
 * and the page's own content. Pages rendered without a role (older callers) show every link.
 */
export function AdminShell(props: { title: string; sandbox: boolean; role?: AdminRole; children: Child }) {
  const role = props.role;
  return (
    <Layout title={`${props.title} — TADA VTU admin`} sandbox={props.sandbox} wide>
      <nav class="adminnav">
        {SECTIONS.filter((s) => !s.role || !role || RANK[role] >= RANK[s.role]).map((s) => (
          <a href={s.href}>{s.label}</a>
        ))}
      </nav>
      {props.children}
    </Layout>
  );
}
