import { randomBytes } from "node:crypto";
import type { AdminUserDetail, AdminUserRow } from "../../api/services/admins";
import { maskedBvn } from "../../api/services/funding";
import { formatNaira } from "../../api/services/money";
import { VERIFICATION_LEVELS } from "../../api/services/users/levels";
import type { AdminRole } from "../../db/database";
import { CustomerApiKeysSection } from "./admin-customer-api-keys";
import { CustomerPointsSection } from "./admin-points";
import { CableCardsTable } from "./admin-reminders";
import { SchedulesTable } from "./admin-schedules";
import {
  AdminShell,
  ConfirmBox,
  CopyId,
  lagosTime,
  Notices,
  PersonCell,
  ReasonField,
  ScrollTable,
} from "./admin-shell";

/** Customer search: phone in any form, name, user id or chat id. */
export function AdminUsersPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  query: string;
  users: AdminUserRow[];
}) {
  return (
    <AdminShell title="Customers" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Customers</h1>
        <form method="get" action="/admin/users">
          <label>
            Phone, name, user id or chat id
            <input class="field" type="search" name="q" value={props.query} />
          </label>
          <button class="primary" type="submit">
            Search
          </button>
        </form>
        {props.users.length === 0 ? (
          <p class="muted">No customer matches.</p>
        ) : (
          <ScrollTable label="Customers" testid="customers">
            <thead>
              <tr>
                <th>Customer</th>
                <th>Chats</th>
                <th class="num">Balance</th>
                <th>Status</th>
                <th>Joined (Lagos)</th>
              </tr>
            </thead>
            <tbody>
              {props.users.map((u) => (
                <tr data-user={u.id}>
                  <td>
                    <PersonCell id={u.id} person={u} />
                  </td>
                  <td>{u.channels.join(", ") || "API only"}</td>
                  <td class="num">{formatNaira(u.balanceKobo)}</td>
                  <td>{u.status}</td>
                  <td>{lagosTime(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
      </div>
    </AdminShell>
  );
}

/** One customer: wallet, statement, orders, identities, gift rooms and PIN state. */
export function AdminUserPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  detail: AdminUserDetail;
  /** Set when the admin may change the account (admin and super_admin, S7). */
  actions?: { csrf: string; notice?: string; error?: string };
  /** The CSRF token for the "resend receipt" buttons (support may use them). */
  receiptCsrf?: string;
}) {
  const {
    user,
    wallet,
    statement,
    orders,
    identities,
    giftRooms,
    pin,
    transferAccount,
    referral,
    points,
    tier,
    schedules,
    cableCards,
    apiKeys,
  } = props.detail;
  const account = transferAccount.account;
  return (
    <AdminShell title={`${user.name ?? user.phone ?? user.id}`} sandbox={props.sandbox} role={props.role}>
      <p>
        <a href="/admin/users">← Customers</a>
      </p>
      <div class="card">
        <h1>{user.name ?? user.phone ?? "Customer"}</h1>
        <div class="grid">
          <dl class="rows">
            <dt>User id</dt>
            <dd>
              <CopyId id={user.id} />
            </dd>
            <dt>Phone</dt>
            <dd>{user.phone ?? "—"}</dd>
            <dt>Status</dt>
            <dd>{user.status}</dd>
            <dt>Verification level</dt>
            <dd data-level={user.level}>
              {user.levelName} (level {user.level})
            </dd>
            <dt>BVN</dt>
            <dd>{transferAccount.bvnLast3 ? maskedBvn(transferAccount.bvnLast3) : "not given"}</dd>
            <dt>Account number</dt>
            <dd data-status={account?.status ?? "none"}>
              {account
                ? account.accountNumber
                  ? `${account.bankName ?? ""} ${account.accountNumber} (${account.status})`
                  : `${account.status}${account.failureReason ? `: ${account.failureReason}` : ""}`
                : "none"}
            </dd>
            <dt>Referral code</dt>
            <dd class="mono" data-testid="referral-code">
              {referral.code}
            </dd>
            <dt>Referred by</dt>
            <dd data-testid="referred-by">
              {referral.referredBy ? (
                <a href={`/admin/users/${referral.referredBy.id}`}>
                  {referral.referredBy.name || referral.referredBy.id}
                </a>
              ) : (
                "nobody"
              )}
            </dd>
            <dt>Tier</dt>
            <dd data-testid="tier" data-tier={tier.code}>
              {tier.name} ({tier.automatic ? "automatic" : `set by ${tier.setBy}`})
            </dd>
            <dt>Volume, last {tier.windowDays} days</dt>
            <dd data-testid="tier-volume">
              {formatNaira(tier.volumeKobo)}
              {tier.next
                ? ` (${tier.next.name} needs ${formatNaira(tier.next.minVolumeKobo)}: ${formatNaira(tier.next.neededKobo)} more)`
                : ""}
            </dd>
            <dt>Balance</dt>
            <dd>{formatNaira(wallet.balanceKobo)}</dd>
            <dt>Available</dt>
            <dd>{formatNaira(wallet.availableKobo)}</dd>
            <dt>PIN</dt>
            <dd>
              {!pin.set
                ? "not set"
                : pin.lockedUntil
                  ? `locked until ${lagosTime(pin.lockedUntil)}`
                  : `set (${pin.failedAttempts} wrong attempts, ${pin.lockouts} lockouts)`}
            </dd>
          </dl>
          {props.actions ? (
            <div>
              <UserActions userId={user.id} status={user.status} level={user.level} {...props.actions} />
              <TierForm userId={user.id} tier={tier} csrf={props.actions.csrf} />
            </div>
          ) : null}
        </div>
        <CustomerPointsSection userId={user.id} summary={points} bonusCsrf={props.actions?.csrf} />
        <CustomerApiKeysSection
          userId={user.id}
          keys={apiKeys.items}
          defaultRateLimit={apiKeys.defaultRateLimitPerMinute}
          revokeCsrf={props.actions?.csrf}
        />
        <h2>Schedules</h2>
        {schedules.length === 0 ? (
          <p class="muted" data-testid="no-customer-schedules">
            No schedules.
          </p>
        ) : (
          <SchedulesTable rows={schedules} />
        )}
        <h2>Cable cards</h2>
        {cableCards.length === 0 ? (
          <p class="muted" data-testid="no-cable-cards">
            No cable cards.
          </p>
        ) : (
          <CableCardsTable
            rows={cableCards}
            actions={props.actions ? { userId: user.id, csrf: props.actions.csrf } : undefined}
          />
        )}
        <h2>API callbacks</h2>
        <p>
          <a href={`/admin/callbacks?user=${encodeURIComponent(user.id)}`} data-testid="customer-callbacks">
            Callback deliveries of this customer's API keys
          </a>
        </p>
        <h2>Chats</h2>
        {identities.length === 0 ? <p class="muted">No chats: API only.</p> : null}
        <ul>
          {identities.map((i) => (
            <li>
              {i.channel}: <span class="mono">{i.externalId}</span>
            </li>
          ))}
        </ul>
        <h2>Recent orders</h2>
        {orders.length === 0 ? <p class="muted">No orders.</p> : null}
        <ul>
          {orders.map((o) => (
            <li>
              {lagosTime(o.createdAt)}: {o.productName} for {o.recipient}: {formatNaira(o.priceKobo)} —{" "}
              {o.state}{" "}
              <a class="muted mono" href={`/admin/orders/${o.id}`}>
                {o.id}
              </a>
              {props.receiptCsrf && o.state === "delivered" ? (
                <form class="inline" method="post" action={`/admin/orders/${o.id}/resend-receipt`}>
                  <input type="hidden" name="csrf" value={props.receiptCsrf} />{" "}
                  <button class="secondary" type="submit">
                    Resend receipt
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
        <h2>Wallet statement</h2>
        <ScrollTable label="Wallet statement">
          <thead>
            <tr>
              <th>When (Lagos)</th>
              <th>What</th>
              <th class="num">Amount</th>
              <th class="num">Balance after</th>
            </tr>
          </thead>
          <tbody>
            {statement.map((t) => (
              <tr>
                <td>{lagosTime(t.createdAt)}</td>
                <td>{t.description}</td>
                <td class="num">
                  {t.amountKobo > 0 ? "+" : "−"}
                  {formatNaira(Math.abs(t.amountKobo))}
                </td>
                <td class="num">{formatNaira(t.balanceAfterKobo)}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
        <h2>Gift rooms</h2>
        {giftRooms.length === 0 ? <p class="muted">No gift rooms.</p> : null}
        <ul>
          {giftRooms.map((r) => (
            <li>
              <a href={`/admin/gift-rooms/${r.id}`}>
                {r.kind} × {r.capacity}
              </a>
              : {r.state}, {r.claimed}/{r.capacity} claimed
            </li>
          ))}
        </ul>
      </div>
    </AdminShell>
  );
}

/** Set the customer's tier, or return it to automatic (their volume decides); with a reason (audited). */
function TierForm(props: { userId: string; tier: AdminUserDetail["tier"]; csrf: string }) {
  return (
    <form method="post" action={`/admin/users/${props.userId}/tier`} data-testid="tier-form">
      <input type="hidden" name="csrf" value={props.csrf} />
      <label>
        Tier
        <select class="field" name="tier">
          <option value="automatic" selected={props.tier.automatic}>
            automatic (from the volume)
          </option>
          {props.tier.tiers.map((t) => (
            <option value={t.code} selected={!props.tier.automatic && t.code === props.tier.code}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <ReasonField label="Reason for the tier change" />
      <button class="secondary" type="submit">
        Set the tier
      </button>
    </form>
  );
}

/**
 * Account actions, each in its own box with a reason that names it (the reason goes into the audit
 * log with the change). Suspending is destructive: styled so, and only sent with its box ticked.
 */
function UserActions(props: {
  userId: string;
  status: string;
  level: number;
  csrf: string;
  notice?: string;
  error?: string;
}) {
  const action = `/admin/users/${props.userId}/actions`;
  const hidden = (name: string) => (
    <>
      <input type="hidden" name="csrf" value={props.csrf} />
      <input type="hidden" name="action" value={name} />
    </>
  );
  return (
    <div>
      <h2>Actions</h2>
      <Notices notice={props.notice} error={props.error} />
      {props.status === "active" ? (
        <form method="post" action={action} data-action="suspend">
          <fieldset>
            <legend>Suspend the account</legend>
            {hidden("suspend")}
            <ReasonField label="Reason for suspending" />
            <ConfirmBox>
              I understand: the customer can no longer buy, fund or withdraw until the account is reactivated.
            </ConfirmBox>
            <button class="danger" type="submit">
              Suspend the account
            </button>
          </fieldset>
        </form>
      ) : (
        <form method="post" action={action} data-action="reactivate">
          <fieldset>
            <legend>Reactivate the account</legend>
            {hidden("reactivate")}
            <ReasonField label="Reason for reactivating" />
            <button class="secondary" type="submit">
              Reactivate the account
            </button>
          </fieldset>
        </form>
      )}
      <form method="post" action={`/admin/users/${props.userId}/adjust`}>
        <fieldset>
          <legend>Adjust the balance</legend>
          <input type="hidden" name="csrf" value={props.csrf} />
          {/* One form, one adjustment: a double click or a resubmission repeats this key. */}
          <input type="hidden" name="nonce" value={randomBytes(12).toString("hex")} />
          <label>
            Credit or debit
            <select class="field" name="direction">
              <option value="credit">Credit (add)</option>
              <option value="debit">Debit (take)</option>
            </select>
          </label>
          <label>
            Amount in naira
            <input class="field" name="amount" inputmode="decimal" required />
          </label>
          <ReasonField label="Reason for the adjustment" min={5} />
          <button class="secondary" type="submit">
            Adjust (large amounts wait for a second admin)
          </button>
        </fieldset>
      </form>
      <form method="post" action={action} data-action="clear_pin_lock">
        <fieldset>
          <legend>Clear the PIN lock</legend>
          {hidden("clear_pin_lock")}
          <ReasonField label="Reason for clearing the PIN lock" />
          <button class="secondary" type="submit">
            Clear the PIN lock
          </button>
        </fieldset>
      </form>
      <form method="post" action={action} data-action="set_level">
        <fieldset>
          <legend>Set the verification level</legend>
          {hidden("set_level")}
          <label>
            Level
            <select class="field" name="level">
              {VERIFICATION_LEVELS.map((name, level) => (
                <option value={String(level)} selected={level === props.level}>
                  {name} ({level})
                </option>
              ))}
            </select>
          </label>
          <p class="muted">
            A level too low for a permanent account number closes the customer's (transfers to it are then
            held for review).
          </p>
          <ReasonField label="Reason for the level change" />
          <button class="secondary" type="submit">
            Set the verification level
          </button>
        </fieldset>
      </form>
    </div>
  );
}
