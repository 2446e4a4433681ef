import { CABLE_NAMES } from "../../api/services/catalogue/normalize";
import { formatNaira } from "../../api/services/money";
import type { AdminCableCard, AdminDueCard, reminderCounts } from "../../api/services/renewals";
import type { AdminRole } from "../../db/database";
import { AdminShell, lagosTime, ReasonField, ScrollTable } from "./admin-shell";

type Counts = Awaited<ReturnType<typeof reminderCounts>>;

function providerName(provider: string): string {
  return CABLE_NAMES[provider as keyof typeof CABLE_NAMES] ?? provider;
}

function lastReminderText(card: AdminCableCard): string {
  return card.lastReminderAt
    ? `${lagosTime(card.lastReminderAt.toISOString())} (${card.lastReminderDays} day${card.lastReminderDays === 1 ? "" : "s"} before)`
    : "none";
}

/**
 * "Turn reminders off" / "Turn reminders on" for one of the customer's cards (DECISIONS §79), with a
 * reason for the audit log that names the action and the card.
 */
function CardRemindersForm(props: { userId: string; csrf: string; card: AdminCableCard }) {
  const { card } = props;
  const turn = card.remindersOff ? "on" : "off";
  return (
    <form
      method="post"
      action={`/admin/users/${encodeURIComponent(props.userId)}/cable-cards/${card.id}/reminders`}
      data-testid="card-reminders-form"
    >
      <input type="hidden" name="csrf" value={props.csrf} />
      <input type="hidden" name="on" value={card.remindersOff ? "true" : "false"} />
      <ReasonField label={`Reason for turning reminders ${turn} for card ${card.smartcard}`} />
      <button class="secondary" type="submit">
        Turn reminders {turn}
      </button>
    </form>
  );
}

/**
 * The cable cards table (DECISIONS §70), shared by a customer's page and the Reminders page: the
 * card, its bouquet, due date (and where it came from), renewal amount, reminders on or off, and
 * the last reminder sent. With `actions` (an admin on the customer's page) each row also has the
 * form that turns its reminders off or on; the Reminders page's table is read-only.
 */
export function CableCardsTable(props: {
  rows: (AdminCableCard & { userName?: string | null })[];
  showCustomer?: boolean;
  actions?: { userId: string; csrf: string };
}) {
  const actions = props.actions;
  return (
    <ScrollTable label="Cable cards">
      <thead>
        <tr>
          {props.showCustomer ? <th>Customer</th> : null}
          <th>Card</th>
          <th>Bouquet</th>
          <th>Due date</th>
          <th class="num">Renewal</th>
          <th>Reminders</th>
          <th>Last reminder sent</th>
          {actions ? <th>Change reminders</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((card) => (
          <tr data-card={card.id} data-reminders={card.remindersOff ? "off" : "on"}>
            {props.showCustomer ? (
              <td>
                <a href={`/admin/users/${card.userId}`}>{card.userName || card.userId}</a>
              </td>
            ) : null}
            <td>
              {providerName(card.provider)} <span class="mono">{card.smartcard}</span>
              {card.customerName ? <span class="muted"> {card.customerName}</span> : null}
            </td>
            <td>{card.bouquet ?? "—"}</td>
            <td data-testid="due">
              {card.dueDate ?? "unknown"}
              {card.dueSource ? (
                <span class="muted"> ({card.dueSource === "provider" ? "biller" : "our renewal"})</span>
              ) : null}
            </td>
            <td class="num">{card.renewalAmountKobo === null ? "—" : formatNaira(card.renewalAmountKobo)}</td>
            <td data-testid="reminders">{card.remindersOff ? "off" : "on"}</td>
            <td data-testid="last-reminder">{lastReminderText(card)}</td>
            {actions ? (
              <td>
                <CardRemindersForm userId={actions.userId} csrf={actions.csrf} card={card} />
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/**
 * Cable renewal reminders and purchase nudges (issue 19): how many reminders went out today, how many
 * cards are in the reminder window, the opt-outs, and the cards due soon.
 */
export function AdminRemindersPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  counts: Counts;
  dueSoon: AdminDueCard[];
}) {
  const { counts } = props;
  return (
    <AdminShell title="Reminders" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Reminders</h1>
        <p class="muted">
          Cable renewal reminders go out {counts.windowDays} day(s) and less before a card's due date, once
          each, from the worker's sweep-cable-reminders job. Customers turn them off and on in chat ("my
          cards").
        </p>
        <dl class="rows" data-testid="reminder-counts">
          <dt>Sent today</dt>
          <dd data-testid="sent-today">{counts.sentToday}</dd>
          <dt>Upcoming (cards due within {counts.windowDays} days, reminders on)</dt>
          <dd data-testid="upcoming">{counts.upcoming}</dd>
          <dt>Cards with reminders off</dt>
          <dd data-testid="cards-off">{counts.cardsOff}</dd>
          <dt>Customers who stopped electricity / data reminders</dt>
          <dd data-testid="nudge-opt-outs">
            {counts.nudgeOptOuts.electricity} / {counts.nudgeOptOuts.data}
          </dd>
        </dl>
        <h2>Cards due soon</h2>
        {props.dueSoon.length === 0 ? (
          <p class="muted" data-testid="no-cards-due">
            No card is due within {counts.windowDays} days.
          </p>
        ) : (
          <CableCardsTable rows={props.dueSoon} showCustomer={true} />
        )}
      </div>
    </AdminShell>
  );
}
