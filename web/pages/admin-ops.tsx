import type { Child } from "hono/jsx";
import { type AdminOrderDetail, type AdminOrderRow, describeOrderRow } from "../../api/services/admins";
import { formatNaira } from "../../api/services/money";
import type { AdminRole, OrderState } from "../../db/database";
import {
  AdminShell,
  CopyId,
  FilterForm,
  lagosTime,
  type Person,
  PersonCell,
  ScrollTable,
} from "./admin-shell";

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
              State: <strong>{props.state}</strong>{" "}
              <span class="muted">(since {lagosTime(props.updatedAt)})</span>
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

const ORDER_STATES = [
  "held",
  "submitting",
  "pending",
  "unknown",
  "manual_review",
  "delivered",
  "failed",
  "reversed",
] as const satisfies readonly OrderState[];

/** Green when done well, red when it went wrong, amber while it waits. */
const stateBadge = (state: string) =>
  state === "delivered" ? "ok" : state === "failed" || state === "reversed" ? "bad" : "wait";

/** Orders with filters; the same filters download as CSV. */
export function AdminOrdersPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  filters: Record<string, string>;
  rows: AdminOrderRow[];
  /** The customers of the rows, by id. */
  people: Record<string, Person>;
  error?: string;
}) {
  const query = new URLSearchParams(Object.entries(props.filters).filter(([, v]) => v !== "")).toString();
  return (
    <AdminShell title="Orders" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Orders</h1>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <FilterForm
          action="/admin/orders"
          values={props.filters}
          fields={[
            { name: "state", label: "State", type: "select", options: ORDER_STATES },
            {
              name: "service",
              label: "Service",
              type: "select",
              options: ["airtime", "data", "cable", "electricity"],
            },
            { name: "provider", label: "Provider" },
            { name: "userId", label: "Customer id" },
            { name: "from", label: "From (Lagos day)", type: "date" },
            { name: "to", label: "To", type: "date" },
          ]}
        />
        <p>
          <a href={`/admin/orders.csv${query ? `?${query}` : ""}`}>Download these as CSV</a>
        </p>
        {props.rows.length === 0 ? <p class="muted">No orders match.</p> : null}
        {props.rows.length > 0 ? (
          <ScrollTable label="Orders" class="wide">
            <thead>
              <tr>
                <th>Placed (Lagos)</th>
                <th>What</th>
                <th class="num">Price</th>
                <th>State</th>
                <th>Provider</th>
                <th>Customer</th>
                <th>Order</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => (
                <tr>
                  <td>{lagosTime(r.createdAt)}</td>
                  <td>
                    {r.product} for {r.recipient}
                  </td>
                  <td class="num">{formatNaira(r.priceKobo)}</td>
                  <td>
                    <span class={`badge ${stateBadge(r.state)}`}>{r.state.replace(/_/g, " ")}</span>
                  </td>
                  <td>{r.provider ?? "—"}</td>
                  <td>
                    <PersonCell id={r.userId} person={props.people[r.userId]} />
                  </td>
                  <td>
                    <a href={`/admin/orders/${r.id}`} class="mono">
                      {r.id}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        ) : null}
      </div>
    </AdminShell>
  );
}

/** One order: what was bought, for whom, and every provider attempt with its raw exchanges. */
export function AdminOrderPage(props: {
  sandbox: boolean;
  detail: AdminOrderDetail;
  /** The order's customer (name, phone). */
  person?: Person;
  role?: AdminRole;
  actions?: Child;
}) {
  const { order, attempts, afterDelivery } = props.detail;
  return (
    <AdminShell title={`${order.id}`} sandbox={props.sandbox} role={props.role}>
      <p>
        <a href="/admin/orders">← Orders</a>
      </p>
      <div class="card">
        <h1>Order</h1>
        <p>
          <CopyId id={order.id} />
        </p>
        <p>{describeOrderRow(order)}</p>
        <dl class="rows">
          <dt>Customer</dt>
          <dd>
            <PersonCell id={order.userId} person={props.person} />
          </dd>
          <dt>Channel</dt>
          <dd>{order.channel}</dd>
          <dt>Placed</dt>
          <dd>{lagosTime(order.createdAt)}</dd>
        </dl>
        {afterDelivery.deliveredAt ? (
          <p class="muted">
            Delivered {lagosTime(afterDelivery.deliveredAt)} · checked with the provider{" "}
            {afterDelivery.checksDone} time(s) since ·{" "}
            {afterDelivery.reversedAt
              ? `reversed by the provider ${lagosTime(afterDelivery.reversedAt)} (refunded)`
              : afterDelivery.nextCheckAt
                ? `next check ${lagosTime(afterDelivery.nextCheckAt)}`
                : "no more checks"}
          </p>
        ) : null}
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
                  {lagosTime(x.at, { seconds: true })} {x.kind} → {x.outcome}: {x.message}
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
