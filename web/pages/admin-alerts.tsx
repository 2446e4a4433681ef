import type { AdminApiKeyDto } from "../../api/services/admins";
import type { AlertChats, AlertDto } from "../../api/services/alerts";
import type { AdminRole } from "../../db/database";
import { AdminShell, ConfirmBox, lagosTime, lagosTimeOrNever, Notices, ScrollTable } from "./admin-shell";

/** Open alerts as a banner: the dashboard's top and the alerts page. */
export function AlertList(props: { alerts: AlertDto[]; csrf?: string }) {
  if (props.alerts.length === 0) {
    return <p class="badge ok">No open alerts.</p>;
  }
  return (
    <div class="alerts">
      {props.alerts.map((a) => (
        <div class={`alert ${a.severity}`} data-alert-kind={a.kind}>
          <strong>{a.title}</strong>
          {a.count > 1 ? (
            <span class="muted">
              {" "}
              ({a.count}× since {lagosTime(a.firstAt)})
            </span>
          ) : null}
          <div>{a.body}</div>
          <div class="muted">Last seen {lagosTime(a.lastAt)}</div>
          {props.csrf ? (
            <form method="post" action={`/admin/alerts/${a.id}/resolve`}>
              <input type="hidden" name="csrf" value={props.csrf} />
              <label>
                What was done (the reason for resolving “{a.title}”)
                <input class="field" name="reason" required minlength={3} maxlength={500} />
              </label>
              <button class="secondary" type="submit">
                Mark resolved
              </button>
            </form>
          ) : null}
        </div>
      ))}
    </div>
  );
}

export function AdminAlertsPage(props: {
  sandbox: boolean;
  role: AdminRole;
  open: AlertDto[];
  resolved: AlertDto[];
  /** Present when the admin may resolve alerts. */
  csrf?: string;
  notice?: string;
  error?: string;
}) {
  return (
    <AdminShell title="Alerts" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Alerts</h1>
        <Notices notice={props.notice} error={props.error} />
        <p class="muted">
          Checked every minute: orders and payments in manual review, providers failing, payment webhooks
          failing verification, responses slower than 5 s, provider float below its threshold. New alerts are
          sent to the Telegram/WhatsApp chats each admin sets under <a href="/admin/account">My account</a>.
        </p>
        <AlertList alerts={props.open} csrf={props.csrf} />
        <h2>Recently resolved</h2>
        {props.resolved.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ScrollTable label="Recently resolved alerts">
            <thead>
              <tr>
                <th>Alert</th>
                <th>First seen</th>
                <th>Resolved</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {props.resolved.map((a) => (
                <tr>
                  <td>{a.title}</td>
                  <td>{lagosTime(a.firstAt)}</td>
                  <td>{lagosTimeOrNever(a.resolvedAt)}</td>
                  <td>{a.resolvedBy ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
      </div>
    </AdminShell>
  );
}

/** An admin's own settings: where alerts reach them, and their API keys for /api/admin. */
export function AdminAccountPage(props: {
  sandbox: boolean;
  role: AdminRole;
  email: string;
  csrf: string;
  chats: AlertChats;
  keys: AdminApiKeyDto[];
  /** A key just created: shown once. */
  newKey?: string;
  notice?: string;
  error?: string;
}) {
  return (
    <AdminShell title="My account" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>My account</h1>
        <p class="muted">
          {props.email}, {props.role.replace("_", " ")}
        </p>
        <Notices notice={props.notice} error={props.error} />
        <h2>Where alerts reach me</h2>
        <form method="post" action="/admin/account/alert-chats">
          <input type="hidden" name="csrf" value={props.csrf} />
          <label>
            Telegram chat id (send /start to the bot, then ask @userinfobot for your id)
            <input
              class="field"
              name="telegramChatId"
              value={props.chats.telegramChatId ?? ""}
              inputmode="numeric"
            />
          </label>
          <label>
            WhatsApp number
            <input
              class="field"
              name="whatsappPhone"
              value={props.chats.whatsappPhone ?? ""}
              inputmode="tel"
            />
          </label>
          <button class="primary" type="submit">
            Save
          </button>
        </form>
        <h2>Admin API keys</h2>
        <p class="muted">
          For scripts: <span class="mono">Authorization: Bearer tadm_…</span> on /api/admin/analytics,
          /api/admin/users, /api/admin/transactions. A key acts as you, with your role.
        </p>
        {props.newKey ? (
          <p>
            New key — copy it now, it is shown only once:{" "}
            <span class="mono" data-new-key>
              {props.newKey}
            </span>
          </p>
        ) : null}
        {props.keys.length === 0 ? (
          <p class="muted">No keys yet.</p>
        ) : (
          <ScrollTable label="My admin API keys">
            <thead>
              <tr>
                <th>Name</th>
                <th>Starts</th>
                <th>Created</th>
                <th>Last used</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {props.keys.map((k) => (
                <tr data-key={k.id}>
                  <td>{k.name}</td>
                  <td class="mono">{k.prefix}…</td>
                  <td>{lagosTime(k.createdAt)}</td>
                  <td>{lagosTimeOrNever(k.lastUsedAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      <span class="badge bad">revoked</span>
                    ) : (
                      <form method="post" action={`/admin/account/api-keys/${k.id}/revoke`}>
                        <input type="hidden" name="csrf" value={props.csrf} />
                        <ConfirmBox>Revoke “{k.name}”: scripts using it stop working at once.</ConfirmBox>
                        <button class="danger" type="submit">
                          Revoke
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        )}
        <form method="post" action="/admin/account/api-keys">
          <input type="hidden" name="csrf" value={props.csrf} />
          <label>
            New key's name (what uses it)
            <input class="field" name="name" placeholder="e.g. daily report" required />
          </label>
          <button class="primary" type="submit">
            Create a key
          </button>
        </form>
      </div>
    </AdminShell>
  );
}
