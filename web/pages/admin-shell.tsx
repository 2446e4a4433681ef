import type { Child } from "hono/jsx";
import type { AdminRole } from "../../db/database";
import { Layout } from "../layout";

/** The panel's sections, in the order of the navigation bar; `role` hides links a role cannot open. */
const SECTIONS: { href: string; label: string; role?: AdminRole }[] = [
  { href: "/admin", label: "Dashboard" },
  { href: "/admin/users", label: "Customers" },
  { href: "/admin/orders", label: "Orders" },
  { href: "/admin/payments", label: "Payments" },
  { href: "/admin/transfers", label: "Transfers" },
  { href: "/admin/gift-rooms", label: "Gift rooms" },
  { href: "/admin/referrals", label: "Referrals" },
  { href: "/admin/points", label: "Points" },
  { href: "/admin/tiers", label: "Tiers" },
  { href: "/admin/schedules", label: "Schedules" },
  { href: "/admin/reminders", label: "Reminders" },
  { href: "/admin/callbacks", label: "Callbacks" },
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

/** A list filter: free text, a Lagos day, or one of a few values ("" = any). */
export type FilterField = { name: string; label: string } & (
  | { type?: "text" | "date" }
  | { type: "select"; options: readonly string[] }
);

/**
 * The filter bar of a panel list (a GET form, so a filtered list is a link to share), laid out in
 * one wrapping row. Values are echoed back; JSX escapes them.
 */
export function FilterForm(props: { action: string; fields: FilterField[]; values: Record<string, string> }) {
  return (
    <form method="get" action={props.action} class="filters">
      {props.fields.map((f) => (
        <label for={`filter-${f.name}`}>
          {f.label}
          {f.type === "select" ? (
            <select class="field" id={`filter-${f.name}`} name={f.name}>
              <option value="">any</option>
              {f.options.map((o) => (
                <option value={o} selected={props.values[f.name] === o}>
                  {o.replace(/_/g, " ")}
                </option>
              ))}
            </select>
          ) : (
            <input
              class="field"
              id={`filter-${f.name}`}
              type={f.type ?? "text"}
              name={f.name}
              value={props.values[f.name] ?? ""}
            />
          )}
        </label>
      ))}
      <button class="primary" type="submit">
        Filter
      </button>
    </form>
  );
}

const lagosTimeFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Africa/Lagos",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

/** An instant as people in Lagos read it: 26/11/2026, 03:06. */
export function lagosTime(iso: string): string {
  return lagosTimeFormat.format(new Date(iso));
}

/** The outcome of the last action on a page: a green notice or a red error (either may be absent). */
export function Notices(props: { notice?: string; error?: string }) {
  return (
    <>
      {props.notice ? <p class="badge ok">{props.notice}</p> : null}
      {props.error ? <p class="error">{props.error}</p> : null}
    </>
  );
}

/** lagosTime, or "never" for a moment that has not happened. */
export function lagosTimeOrNever(iso: string | null): string {
  return iso ? lagosTime(iso) : "never";
}
