import type { AdminApiKeyDto } from "../../api/services/admins";
import type { AlertChats, AlertDto } from "../../api/services/alerts";
import type { AdminRole } from "../../db/database";
import { AdminShell, Notices } from "./admin-shell";

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
              ({a.count}× since {a.firstAt})
            </span>
          ) : null}
          <div>{a.body}</div>
          <div class="muted">Last seen {a.lastAt}</div>
          {props.csrf ? (
            <form class="inline" method="post" action={`/admin/alerts/${a.id}/resolve`}>
              <input type="hidden" name="csrf" value={props.csrf} />
              <input class="field" name="reason" placeholder="what was done" required minlength={3} />
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
        {props.resolved.length === 0 ? <p class="muted">None.</p> : null}
        <table class="list">
          <tbody>
            {props.resolved.map((a) => (
              <tr>
                <td>{a.title}</td>
                <td class="muted">
                  {a.firstAt} → {a.resolvedAt} by {a.resolvedBy}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
        <table class="list">
          <tbody>
            {props.keys.map((k) => (
              <tr>
                <td>{k.name}</td>
                <td class="mono">{k.prefix}…</td>
                <td class="muted">
                  created {k.createdAt}
                  {k.lastUsedAt ? `, last used ${k.lastUsedAt}` : ", never used"}
                </td>
                <td>
                  {k.revokedAt ? (
                    <span class="badge bad">revoked</span>
                  ) : (
                    <form class="inline" method="post" action={`/admin/account/api-keys/${k.id}/revoke`}>
                      <input type="hidden" name="csrf" value={props.csrf} />
                      <button class="secondary" type="submit">
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/admin/account/api-keys">
          <input type="hidden" name="csrf" value={props.csrf} />
          <input class="field" name="name" placeholder="what uses it, e.g. daily report" required />
          <button class="primary" type="submit">
            Create a key
          </button>
        </form>
      </div>
    </AdminShell>
  );
}
