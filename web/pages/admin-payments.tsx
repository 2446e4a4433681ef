import type { AdminPaymentDetail, AdminPaymentRow } from "../../api/services/admins";
import { formatNaira } from "../../api/services/money";
import type { AdminRole } from "../../db/database";
import {
  AdminShell,
  CopyId,
  FilterForm,
  lagosTime,
  type Person,
  PersonCell,
  ScrollTable,
} from "./admin-shell";

const badge = (status: string) =>
  ["credited", "successful"].includes(status) ? "ok" : status === "failed" ? "bad" : "wait";

/** Funding intents and withdrawals, newest first, with filters. Read-only. */
export function AdminPaymentsPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  filters: Record<string, string>;
  rows: AdminPaymentRow[];
  /** The customers of the rows, by id. */
  people: Record<string, Person>;
  error?: string;
}) {
  return (
    <AdminShell title="Payments" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Payments</h1>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <FilterForm
          action="/admin/payments"
          values={props.filters}
          fields={[
            { name: "kind", label: "Kind", type: "select", options: ["funding", "withdrawal"] },
            {
              name: "status",
              label: "Status",
              type: "select",
              options: [
                "pending",
                "credited",
                "manual_review",
                "failed",
                "held",
                "submitting",
                "unknown",
                "successful",
              ],
            },
            { name: "userId", label: "Customer id" },
            { name: "from", label: "From (Lagos day)", type: "date" },
            { name: "to", label: "To", type: "date" },
          ]}
        />
        {props.rows.length === 0 ? <p class="muted">No payments match.</p> : null}
        <ScrollTable label="Payments">
          <thead>
            <tr>
              <th>Created</th>
              <th>Kind</th>
              <th>Customer</th>
              <th>Reference</th>
              <th>Amount</th>
              <th>Fee</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td>{lagosTime(r.createdAt)}</td>
                <td>{r.kind}</td>
                <td>
                  <PersonCell id={r.userId} person={props.people[r.userId]} />
                </td>
                <td>
                  <a class="mono" href={`/admin/payments/${r.id}`}>
                    {r.reference}
                  </a>
                </td>
                <td class="num">{formatNaira(r.amountKobo)}</td>
                <td class="num">{formatNaira(r.feeKobo)}</td>
                <td>
                  <span class={`badge ${badge(r.status)}`}>{r.status.replace("_", " ")}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      </div>
    </AdminShell>
  );
}

/** One funding intent or withdrawal: its fields, the webhook events about it (secrets redacted), transfers. */
export function AdminPaymentPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  detail: AdminPaymentDetail;
  /** The payment's customer (name, phone). */
  person?: Person;
}) {
  const d = props.detail;
  return (
    <AdminShell title={d.id} sandbox={props.sandbox} role={props.role}>
      <p>
        <a href="/admin/payments">← Payments</a>
      </p>
      <div class="card">
        <h1>{d.kind === "funding" ? "Wallet funding" : "Withdrawal"}</h1>
        <p>
          <CopyId id={d.id} />
        </p>
        <p>
          {formatNaira(d.amountKobo)} ·{" "}
          <span class={`badge ${badge(d.status)}`}>{d.status.replace("_", " ")}</span>
        </p>
        <p>
          Customer: <PersonCell id={d.userId} person={props.person} />
        </p>
        {d.kind === "funding" && d.status === "manual_review" ? (
          <p class="error">
            Manual review: the gateway's amount or currency did not match what was asked, so nothing was
            credited. Check it on the gateway's dashboard; if the customer is owed money, use a balance
            adjustment on their page (it needs a reason and, above the limit, a second admin).
          </p>
        ) : null}
        <dl class="rows">
          {d.fields.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd class="mono">{typeof v === "string" ? v : lagosTime(v)}</dd>
            </>
          ))}
        </dl>
        {d.kind === "withdrawal" ? (
          <>
            <h2>Transfer records (sandbox gateway)</h2>
            {d.transfers.length === 0 ? <p class="muted">None here (a real gateway keeps its own).</p> : null}
            <ul>
              {d.transfers.map((t) => (
                <li>
                  {lagosTime(t.at)} {formatNaira(t.amountKobo)} — {t.status}
                  {t.finalStatus ? ` → ${t.finalStatus}` : ""}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <h2>Webhook events</h2>
        {d.events.length === 0 ? <p class="muted">No webhook event names this payment.</p> : null}
        <ul>
          {d.events.map((e) => (
            <li>
              {lagosTime(e.receivedAt)} <strong>{e.event}</strong> ({e.scheme}, {e.deliveries} deliver
              {e.deliveries === 1 ? "y" : "ies"}) → {e.outcome ?? "not processed yet"}
              <div class="mono muted">{e.payload}</div>
            </li>
          ))}
        </ul>
      </div>
    </AdminShell>
  );
}
