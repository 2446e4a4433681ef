import type { Child } from "hono/jsx";
import {
  type AdminOrderDetail,
  type AdminOrderRow,
  type AuditRow,
  describeOrderRow,
} from "../../api/services/admins";
import type { AdminRole } from "../../db/database";
import { AdminShell } from "./admin-shell";

/** The WhatsApp link: its state, and the QR to scan with the bot's phone while it waits for one. */
export function AdminWhatsAppPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  enabled: boolean;
  state: string;
  updatedAt: string;
  qrDataUrl?: string;
}) {
  return (
    <AdminShell title="WhatsApp" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>WhatsApp</h1>
        {!props.enabled ? (
          <p>WhatsApp is off. Set WHATSAPP_ENABLED=true and restart to link a number.</p>
        ) : (
          <>
            <p>
              State: <strong>{props.state}</strong> <span class="muted">(since {props.updatedAt})</span>
            </p>
            {props.qrDataUrl ? (
              <>
                <p>On the bot's phone: WhatsApp → Linked devices → Link a device, then scan:</p>
                <img src={props.qrDataUrl} alt="WhatsApp link QR code" width={320} height={320} />
                <p class="muted">The code changes every few seconds; reload this page if it expires.</p>
              </>
            ) : props.state === "ready" ? (
              <p>Linked and answering.</p>
            ) : (
              <p class="muted">
                No QR yet: it comes from web.whatsapp.com once the client reaches it. The log says why when it
                cannot.
              </p>
            )}
          </>
        )}
      </div>
    </AdminShell>
  );
}

/** The newest audit rows: every admin action, sign-in and money adjustment. */
export function AdminAuditPage(props: { sandbox: boolean; role?: AdminRole; rows: AuditRow[] }) {
  return (
    <AdminShell title="Audit log" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Audit log</h1>
        <ul>
          {props.rows.map((r) => (
            <li>
              <span class="muted">{r.at.slice(0, 19).replace("T", " ")}</span> {r.actor}:{" "}
              <strong>{r.action}</strong> {r.target}
              {r.reason ? ` — “${r.reason}”` : ""}
              {r.change ? <div class="mono muted">{r.change}</div> : null}
            </li>
          ))}
        </ul>
      </div>
    </AdminShell>
  );
}

/** Orders with filters; the same filters download as CSV. */
export function AdminOrdersPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  filters: Record<string, string>;
  rows: AdminOrderRow[];
  error?: string;
}) {
  const query = new URLSearchParams(Object.entries(props.filters).filter(([, v]) => v !== "")).toString();
  const field = (name: string, label: string, type = "text") => (
    <label>
      {label}
      <input class="field" type={type} name={name} value={props.filters[name] ?? ""} />
    </label>
  );
  return (
    <AdminShell title="Orders" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Orders</h1>
        {props.error ? <p class="error">{props.error}</p> : null}
        <form method="get" action="/admin/orders">
          {field("state", "State (delivered, failed, pending, unknown, manual_review, …)")}
          {field("service", "Service (airtime, data, cable, electricity)")}
          {field("provider", "Provider")}
          {field("userId", "User id")}
          {field("from", "From (Lagos day)", "date")}
          {field("to", "To (Lagos day)", "date")}
          <button class="primary" type="submit">
            Filter
          </button>
        </form>
        <p>
          <a href={`/admin/orders.csv${query ? `?${query}` : ""}`}>Download these as CSV</a>
        </p>
        {props.rows.length === 0 ? <p class="muted">No orders match.</p> : null}
        <ul>
          {props.rows.map((r) => (
            <li>
              <span class="muted">{r.createdAt.slice(0, 16).replace("T", " ")}</span> {describeOrderRow(r)}{" "}
              <a href={`/admin/orders/${r.id}`} class="mono">
                {r.id}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </AdminShell>
  );
}

/** One order: what was bought, for whom, and every provider attempt with its raw exchanges. */
export function AdminOrderPage(props: {
  sandbox: boolean;
  detail: AdminOrderDetail;
  role?: AdminRole;
  actions?: Child;
}) {
  const { order, attempts } = props.detail;
  return (
    <AdminShell title={`${order.id}`} sandbox={props.sandbox} role={props.role}>
      <p>
        <a href="/admin/orders">← Orders</a>
      </p>
      <div class="card">
        <h1>Order</h1>
        <p class="mono">{order.id}</p>
        <p>{describeOrderRow(order)}</p>
        <p class="muted">
          Customer <a href={`/admin/users/${order.userId}`}>{order.userId}</a> · {order.channel} ·{" "}
          {order.createdAt}
        </p>
        <h2>Provider attempts</h2>
        {attempts.length === 0 ? <p class="muted">Not sent to a provider yet.</p> : null}
        {attempts.map((a) => (
          <div>
            <h3>
              #{a.attemptNo} {a.provider}: {a.state}
            </h3>
            <p class="muted mono">
              request {a.requestId}
              {a.providerReference ? ` · reference ${a.providerReference}` : ""}
            </p>
            {a.message ? <p>{a.message}</p> : null}
            <ul>
              {a.exchanges.map((x) => (
                <li>
                  {x.at.slice(11, 19)} {x.kind} → {x.outcome}: {x.message}
                  <div class="mono muted">{x.raw}</div>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      {props.actions ?? null}
    </AdminShell>
  );
}
