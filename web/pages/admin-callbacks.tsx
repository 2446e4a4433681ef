import type { AdminCallbackDelivery } from "../../api/services/callbacks";
import type { AdminRole } from "../../db/database";
import {
  AdminShell,
  FilterForm,
  lagosTime,
  Notices,
  type Person,
  PersonCell,
  ScrollTable,
} from "./admin-shell";

const BADGE: Record<string, { tone: string; text: string }> = {
  pending: { tone: "wait", text: "pending" },
  delivered: { tone: "ok", text: "delivered" },
  given_up: { tone: "bad", text: "given up" },
};

function lastAnswer(d: AdminCallbackDelivery): string {
  if (d.attempts === 0) {
    return "not tried yet";
  }
  return d.lastError ?? (d.lastStatusCode === null ? "—" : `HTTP ${d.lastStatusCode}`);
}

function when(d: AdminCallbackDelivery): string {
  if (d.status === "delivered" && d.deliveredAt) {
    return `delivered ${lagosTime(d.deliveredAt)}`;
  }
  if (d.status === "given_up" && d.givenUpAt) {
    return `given up ${lagosTime(d.givenUpAt)}`;
  }
  return d.nextAttemptAt ? `next try ${lagosTime(d.nextAttemptAt)}` : "—";
}

/**
 * Resellers' order callbacks (DECISIONS §71): every delivery, newest first, filtered by status,
 * API key or customer, with the last answer the reseller's server gave and a Resend button (audited;
 * the delivery goes out again with the same id and a fresh 24-hour retry window).
 */
export function AdminCallbacksPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  filters: Record<"status" | "key" | "user", string>;
  rows: AdminCallbackDelivery[];
  /** The customers of the rows, by id. */
  people: Record<string, Person>;
  csrf: string;
  notice?: string;
  error?: string;
}) {
  return (
    <AdminShell title="Callbacks" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Callbacks</h1>
        <p class="muted">
          Signed POSTs of final order states to the URLs resellers registered on their API keys. A failed one
          is retried (30 s, 1 min, 2 min … at most hourly) for 24 hours from its first attempt, then given up.
          Times are Lagos time.
        </p>
        <Notices notice={props.notice} error={props.error} />
        <FilterForm
          action="/admin/callbacks"
          values={props.filters}
          fields={[
            {
              name: "status",
              label: "Status",
              type: "select",
              options: ["pending", "delivered", "given_up"],
            },
            { name: "key", label: "API key id" },
            { name: "user", label: "Customer id" },
          ]}
        />
        {props.rows.length === 0 ? (
          <p class="muted" data-testid="no-callbacks">
            No callback deliveries
            {props.filters.status || props.filters.key || props.filters.user ? " match" : " yet"}.
          </p>
        ) : (
          <ScrollTable label="Callback deliveries" class="wide">
            <thead>
              <tr>
                <th>Created</th>
                <th>Customer</th>
                <th>API key</th>
                <th>Order</th>
                <th>Event</th>
                <th>Status</th>
                <th class="num">Attempts</th>
                <th>Last answer</th>
                <th>When</th>
                <th>
                  <span class="vh">Resend</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((d) => {
                const badge = BADGE[d.status] ?? { tone: "wait", text: d.status };
                return (
                  <tr data-delivery={d.id} data-status={d.status}>
                    <td>{lagosTime(d.createdAt)}</td>
                    <td>
                      <PersonCell
                        id={d.userId}
                        person={props.people[d.userId] ?? { name: d.userName, phone: null }}
                      />
                    </td>
                    <td>
                      <a href={`/admin/callbacks?key=${encodeURIComponent(d.apiKeyId)}`}>{d.apiKeyName}</a>{" "}
                      <span class="muted mono">{d.apiKeyPrefix}…</span>
                    </td>
                    <td>
                      <a class="mono" href={`/admin/orders/${d.orderId}`}>
                        {d.orderId}
                      </a>
                    </td>
                    <td>{d.event}</td>
                    <td data-testid="status">
                      <span class={`badge ${badge.tone}`}>{badge.text}</span>
                    </td>
                    <td class="num" data-testid="attempts">
                      {d.attempts}
                    </td>
                    <td data-testid="last-answer">{lastAnswer(d)}</td>
                    <td>{when(d)}</td>
                    <td>
                      <form class="inline" method="post" action={`/admin/callbacks/${d.id}/resend`}>
                        <input type="hidden" name="csrf" value={props.csrf} />
                        <button class="secondary" type="submit">
                          Resend
                        </button>
                      </form>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </ScrollTable>
        )}
      </div>
    </AdminShell>
  );
}
