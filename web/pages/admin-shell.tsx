import type { Child } from "hono/jsx";
import { createContext, useContext } from "hono/jsx";
import { maskPhone } from "../../api/services/phone";
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

/** The navigation links a role may open (every link when the role is unknown). */
export function sectionsFor(role: AdminRole | undefined) {
  return SECTIONS.filter((s) => !s.role || !role || RANK[role] >= RANK[s.role]);
}

/**
 * What every signed-in page's shell needs from the request: who is signed in (the sign-out form's
 * CSRF token, the role's links) and where they are (the current link). The kit provides it once per
 * page (kit.page), so no page passes it down.
 */
export type PanelFrameValue = { role: AdminRole; name: string; csrf: string; path: string };
export const PanelFrame = createContext<PanelFrameValue | null>(null);

/** The section a path belongs to: the longest link that is the path or a parent of it. */
function currentSection(path: string): string | undefined {
  const clean = path.replace(/\/+$/, "") || "/admin";
  return SECTIONS.map((s) => s.href)
    .filter((href) => clean === href || (href !== "/admin" && clean.startsWith(`${href}/`)))
    .sort((a, b) => b.length - a.length)[0];
}

/**
 * The panel's Content-Security-Policy, like the gift pages': nothing loads from anywhere, styles are
 * inline, images are data: URLs (the WhatsApp QR, the empty favicon), no script runs (the panel has
 * none), forms post only to us, and no other site may frame the panel.
 */
export const ADMIN_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** The panel's own styles (the shared ones are in Layout). */
const PANEL_CSS = `.skip{position:absolute;left:.5rem;top:-4rem;background:#fff;color:#0a58ca;padding:.5rem .8rem;border-radius:.4rem;z-index:10;font-weight:600}
.skip:focus{top:.5rem}
.vh{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.panelbar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.3rem 1rem;margin:0 0 .4rem}
.panelbar form{margin:0}.panelbar .who{display:flex;flex-wrap:wrap;align-items:center;gap:0 .6rem}
.adminnav a[aria-current]{font-weight:700;color:#1b1b1b;text-decoration-thickness:3px;text-underline-offset:.3em}
main:focus{outline:none}
.tablewrap{overflow-x:auto;max-width:100%;margin:.5rem 0}
.tablewrap:focus-visible{outline:2px solid #0a58ca}
.tablewrap table.list{margin:0;min-width:36rem}.tablewrap table.list.wide{min-width:56rem}
.mono{word-break:normal;overflow-wrap:anywhere}
form.filters label{display:flex;flex-direction:column;gap:.2rem}
.person{display:block}.person .muted{font-size:.85rem}
code.id{font-family:ui-monospace,Menlo,monospace;font-size:.85em;word-break:break-all;user-select:all;-webkit-user-select:all}
code.id{cursor:copy;background:#eef0f3;padding:0 .2rem;border-radius:.2rem}
.range{display:grid;grid-template-columns:repeat(2,minmax(0,10rem));gap:.2rem .8rem;align-items:end}
.range label{margin:.3rem 0}body.wide .range input.field{display:block;width:100%}
.confirm{display:flex;gap:.5rem;align-items:flex-start;font-weight:400;margin:.5rem 0}.confirm input{margin-top:.3rem}
.changes{margin:0;padding:0;list-style:none}.changes li{margin:0}
dl.rows dd{overflow-wrap:anywhere}
form.stack label{display:block}
.legend{display:flex;flex-wrap:wrap;gap:.2rem 1rem;margin:.3rem 0;padding:0;list-style:none;font-size:.9rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;border-radius:.15rem;vertical-align:-.05rem}
svg.chart{display:block;max-width:34rem}
svg.chart text{font-size:11px}
svg.chart .x-dense{display:inline}
@media (max-width:40rem){svg.chart text{font-size:14px}svg.chart .x-dense{display:none}}
.pager{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}`;

/** The panel's head: its styles. */
export function PanelHead() {
  return <style>{PANEL_CSS}</style>;
}

/**
 * Every signed-in page of the panel: a skip link, the sign-out form and who is signed in, the
 * navigation bar (links the role may open, the current one marked) and the page's own content in
 * `<main>`. The frame comes from kit.page; pages rendered without one show every link and no
 * sign-out (tests that render a page alone).
 */
export function AdminShell(props: { title: string; sandbox: boolean; role?: AdminRole; children: Child }) {
  const frame = useContext(PanelFrame);
  const role = frame?.role ?? props.role;
  const current = frame ? currentSection(frame.path) : undefined;
  return (
    <Layout title={`${props.title} — TADA VTU admin`} sandbox={props.sandbox} wide head={<PanelHead />}>
      <a class="skip" href="#main">
        Skip to main content
      </a>
      <header>
        <div class="panelbar">
          <strong>TADA VTU admin</strong>
          {frame ? (
            <div class="who">
              <span class="muted">
                Signed in as {frame.name} ({frame.role.replace("_", " ")})
              </span>
              <form method="post" action="/admin/logout">
                <input type="hidden" name="csrf" value={frame.csrf} />
                <button class="secondary" type="submit">
                  Sign out
                </button>
              </form>
            </div>
          ) : null}
        </div>
        <nav class="adminnav" aria-label="Panel sections">
          {sectionsFor(role).map((s) => (
            <a
              href={s.href}
              aria-current={
                s.href === current
                  ? frame?.path.replace(/\/+$/, "") === s.href
                    ? "page"
                    : "true"
                  : undefined
              }
            >
              {s.label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" tabindex={-1}>
        {props.children}
      </main>
    </Layout>
  );
}

/** A page of the panel outside the shell (sign-in, a page for someone not signed in). */
export function AdminPlainPage(props: { title: string; sandbox: boolean; children: Child }) {
  return (
    <Layout title={`${props.title} — TADA VTU admin`} sandbox={props.sandbox} head={<PanelHead />}>
      <main id="main" class="card">
        {props.children}
      </main>
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

const LAGOS_PARTS = {
  timeZone: "Africa/Lagos",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
} as const;
const lagosMinutes = new Intl.DateTimeFormat("en-GB", LAGOS_PARTS);
const lagosSeconds = new Intl.DateTimeFormat("en-GB", { ...LAGOS_PARTS, second: "2-digit" });

/**
 * An instant as people in Lagos read it, with its zone: "7 Dec 2026, 14:05 WAT" (with `seconds`,
 * "7 Dec 2026, 14:05:09 WAT", for provider exchanges seconds apart). The one format of every time in
 * the panel (Lagos keeps West Africa Time all year: no daylight saving).
 */
export function lagosTime(at: string | Date, options: { seconds?: boolean } = {}): string {
  const format = options.seconds ? lagosSeconds : lagosMinutes;
  return `${format.format(typeof at === "string" ? new Date(at) : at)} WAT`;
}

/** lagosTime, or "never" for a moment that has not happened. */
export function lagosTimeOrNever(at: string | Date | null): string {
  return at ? lagosTime(at) : "never";
}

/** The outcome of the last action on a page: a green notice or a red error (either may be absent). */
export function Notices(props: { notice?: string; error?: string }) {
  return (
    <>
      {props.notice ? (
        <p class="badge ok" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
    </>
  );
}

/**
 * A table that keeps its headers and fits a phone: it scrolls sideways inside its own box (a named,
 * focusable region, so a keyboard can scroll it too), never the page.
 */
export function ScrollTable(props: { label: string; class?: string; testid?: string; children: Child }) {
  // tabindex: a scrollable region must take focus to be scrolled by keyboard (axe: scrollable-region-focusable).
  return (
    <section class="tablewrap" aria-label={props.label} tabindex={0}>
      <table class={props.class ? `list ${props.class}` : "list"} data-testid={props.testid}>
        {props.children}
      </table>
    </section>
  );
}

/** An id to copy: one click selects all of it (no script needed), then copy as usual. */
export function CopyId(props: { id: string }) {
  return (
    <code class="id" data-copy title="Click to select the whole id, then copy">
      {props.id}
    </code>
  );
}

/** Who a customer is, as lists show them: name (a link to their page), masked phone, copyable id. */
export type Person = { name: string | null; phone: string | null };

export function PersonCell(props: { id: string | null; person?: Person }) {
  if (!props.id) {
    return <span class="muted">nobody</span>;
  }
  const p = props.person;
  return (
    <span class="person" data-person={props.id}>
      <a href={`/admin/users/${props.id}`}>{p?.name || "no name"}</a>{" "}
      <span class="muted">{p?.phone ? maskPhone(p.phone) : "no phone"}</span>
      <br />
      <CopyId id={props.id} />
    </span>
  );
}

/**
 * The confirmation a destructive action asks for: a box the browser will not submit the form
 * without (no script needed). The server does not demand it, so scripts and old forms still work.
 */
export function ConfirmBox(props: { children: Child }) {
  return (
    <label class="confirm">
      <input type="checkbox" name="confirm" value="yes" required />
      <span>{props.children}</span>
    </label>
  );
}

/**
 * A reason field with a label that says which action it belongs to; `hidden` keeps the label for
 * screen readers only, where a table cell has no room (the placeholder still shows the hint).
 */
export function ReasonField(props: { label: string; hidden?: boolean; min?: number; placeholder?: string }) {
  return (
    <label>
      <span class={props.hidden ? "vh" : undefined}>{props.label}</span>
      <input
        class="field"
        name="reason"
        required
        minlength={props.min ?? 3}
        maxlength={500}
        placeholder={props.placeholder}
      />
    </label>
  );
}
