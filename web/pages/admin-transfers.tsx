import type { SuspenseTransferDto } from "../../api/services/funding";
import { formatNaira } from "../../api/services/money";
import type { AdminRole } from "../../db/database";
import { AdminShell, lagosTime, Notices, type Person, PersonCell, ScrollTable } from "./admin-shell";

/** The list's filter: "suspense" (the default: what waits for a person), everything, or a decided state. */
export const TRANSFER_FILTERS = [
  ["suspense", "In suspense"],
  ["all", "All"],
  ["credited", "Credited"],
  ["returned", "Returned"],
] as const;
export type TransferFilter = (typeof TRANSFER_FILTERS)[number][0];

const BADGE: Record<string, { tone: string; text: string }> = {
  suspense: { tone: "wait", text: "in suspense" },
  credited: { tone: "ok", text: "credited" },
  returned: { tone: "bad", text: "returned" },
};

/**
 * Bank transfers into virtual accounts (issue 17), newest first. A transfer held in suspense shows
 * why in words, and — for admins — the two decisions: credit it to a customer or record that it was
 * returned to the payer. Both move money and cannot be undone, so each needs a reason and a ticked
 * confirmation, and its button is styled as destructive.
 */
export function AdminTransfersPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  filter: TransferFilter;
  rows: SuspenseTransferDto[];
  /** The customers of the rows, by id. */
  people: Record<string, Person>;
  /** Set when the admin may decide (admin and super_admin). */
  csrf?: string;
  notice?: string;
  error?: string;
}) {
  const waiting = props.rows.filter((r) => r.status === "suspense").length;
  return (
    <AdminShell title="Transfers" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Bank transfers</h1>
        <p class="muted">
          Money sent to customers' account numbers. A transfer we could not credit automatically is held in
          suspense until an admin credits it to a customer or returns it to the payer.
        </p>
        <Notices notice={props.notice} error={props.error} />
        <form method="get" action="/admin/transfers" class="filters">
          <label for="filter-status">
            Show
            <select class="field" id="filter-status" name="status">
              {TRANSFER_FILTERS.map(([value, label]) => (
                <option value={value} selected={props.filter === value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button class="primary" type="submit">
            Filter
          </button>
        </form>
        {props.rows.length === 0 ? (
          <p class="muted" data-testid="no-transfers">
            {props.filter === "suspense"
              ? "Nothing is waiting: no transfer is in suspense."
              : "No transfers."}
          </p>
        ) : (
          <p class="muted">
            {props.rows.length} transfer{props.rows.length === 1 ? "" : "s"}
            {props.filter === "suspense" ? "" : `, ${waiting} in suspense`}. Times are Lagos time.
          </p>
        )}
        {props.rows.length > 0 ? (
          <ScrollTable label="Bank transfers" class="wide">
            <thead>
              <tr>
                <th>Received</th>
                <th class="num">Amount</th>
                <th>Payer</th>
                <th>To account</th>
                <th>Customer</th>
                <th>Status</th>
                <th>Why / decision</th>
                {props.csrf ? <th>Decide</th> : null}
              </tr>
            </thead>
            <tbody>
              {props.rows.map((t) => (
                <TransferRow
                  transfer={t}
                  person={t.userId ? props.people[t.userId] : undefined}
                  csrf={props.csrf}
                />
              ))}
            </tbody>
          </ScrollTable>
        ) : null}
        {!props.csrf && waiting > 0 ? (
          <p class="muted">An admin decides the transfers in suspense; support can only look.</p>
        ) : null}
      </div>
    </AdminShell>
  );
}

function TransferRow(props: { transfer: SuspenseTransferDto; person?: Person; csrf?: string }) {
  const t = props.transfer;
  const badge = BADGE[t.status] ?? { tone: "wait", text: t.status };
  const amount = t.currency === "NGN" ? formatNaira(t.paidKobo) : `${t.currency} ${t.paidKobo / 100}`;
  return (
    <tr data-transfer={t.id}>
      <td>
        {lagosTime(t.receivedAt)}
        <div class="muted mono">{t.id}</div>
      </td>
      <td class="num">{amount}</td>
      <td>
        {t.payerName ?? "unknown payer"}
        {t.payerBank ? <div class="muted">{t.payerBank}</div> : null}
      </td>
      <td class="mono">{t.accountNumber ?? "unknown"}</td>
      <td>
        <PersonCell id={t.userId} person={props.person} />
      </td>
      <td>
        <span class={`badge ${badge.tone}`}>{badge.text}</span>
      </td>
      <td data-testid="transfer-reason">
        {t.reasonText ? <div>Held: {t.reasonText}</div> : null}
        {t.resolvedAt ? (
          <div class="muted">
            {lagosTime(t.resolvedAt)} by <span class="mono">{t.resolvedBy}</span>: {t.resolution}
          </div>
        ) : null}
      </td>
      {props.csrf ? (
        <td>{t.status === "suspense" ? <Decide transfer={t} amount={amount} csrf={props.csrf} /> : null}</td>
      ) : null}
    </tr>
  );
}

/** The two decisions on a held transfer, folded away until opened. */
function Decide(props: { transfer: SuspenseTransferDto; amount: string; csrf: string }) {
  const t = props.transfer;
  const action = (name: string) => `/admin/transfers/${t.id}/${name}`;
  return (
    <details>
      <summary>Decide</summary>
      <h3>Credit it to a customer</h3>
      <form method="post" action={action("credit")}>
        <input type="hidden" name="csrf" value={props.csrf} />
        <label>
          Customer id {t.userId ? "(empty: the account's owner)" : "(required: nobody owns this account)"}
          <input
            class="field"
            name="userId"
            maxlength={64}
            required={!t.userId}
            autocomplete="off"
            placeholder={t.userId ?? "usr_…"}
          />
        </label>
        <label>
          Reason for crediting it
          <input class="field" name="reason" required minlength={3} maxlength={500} />
        </label>
        <label class="check">
          <input type="checkbox" name="confirm" value="yes" required /> I checked it: credit {props.amount}{" "}
          (less the transfer fee) to this customer's wallet. This cannot be undone.
        </label>
        <button class="danger" type="submit">
          Credit to customer
        </button>
      </form>
      <h3>Or return it to the payer</h3>
      <form method="post" action={action("return")}>
        <input type="hidden" name="csrf" value={props.csrf} />
        <label>
          Reason for returning it
          <input class="field" name="reason" required minlength={3} maxlength={500} />
        </label>
        <label class="check">
          <input type="checkbox" name="confirm" value="yes" required /> The payer got {props.amount} back
          (refunded on the gateway's dashboard). This cannot be undone.
        </label>
        <button class="danger" type="submit">
          Return to payer
        </button>
      </form>
    </details>
  );
}
