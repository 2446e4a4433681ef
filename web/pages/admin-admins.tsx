import { ADMIN_ROLES, type AdminAccountRow, MIN_ADMIN_PASSWORD } from "../../api/services/admins";
import type { AdminRole } from "../../db/database";
import { AdminShell, ConfirmBox, lagosTimeOrNever, Notices, ReasonField, ScrollTable } from "./admin-shell";

const roleName = (role: AdminRole) => role.replace("_", " ");

/** Admin accounts: add one, change a role, disable/enable, lift a lockout (super_admin only). */
export function AdminAdminsPage(props: {
  sandbox: boolean;
  role: AdminRole;
  selfId: string;
  csrf: string;
  admins: AdminAccountRow[];
  notice?: string;
  error?: string;
  /** What the add form held when it was refused (never the password). */
  draft?: { email: string; name: string; role: string };
}) {
  const csrf = <input type="hidden" name="csrf" value={props.csrf} />;
  const draft = props.draft ?? { email: "", name: "", role: "support" };
  return (
    <AdminShell title="Admins" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Admins</h1>
        <Notices notice={props.notice} error={props.error} />
        <ScrollTable label="Admins" class="wide">
          <thead>
            <tr>
              <th>Admin</th>
              <th>Role</th>
              <th>Status</th>
              <th>Last sign-in</th>
              <th>Locked until</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {props.admins.map((a) => (
              <tr>
                <td>
                  <strong>{a.name}</strong>
                  {a.id === props.selfId ? " (you)" : ""}
                  <div class="mono muted">{a.email}</div>
                </td>
                <td>{roleName(a.role)}</td>
                <td>
                  {a.status === "active" ? (
                    <span class="badge ok">active</span>
                  ) : (
                    <span class="badge bad">disabled</span>
                  )}
                </td>
                <td>{lagosTimeOrNever(a.lastLoginAt)}</td>
                <td>{a.locked ? <span class="badge wait">{lagosTimeOrNever(a.lockedUntil)}</span> : "—"}</td>
                <td>
                  <form method="post" action={`/admin/admins/${a.id}/role`}>
                    {csrf}
                    <label>
                      <span class="vh">Role for {a.name}</span>
                      <select class="field" name="role">
                        {ADMIN_ROLES.map((r) => (
                          <option value={r} selected={r === a.role}>
                            {roleName(r)}
                          </option>
                        ))}
                      </select>
                    </label>
                    <ReasonField label={`Reason for changing ${a.name}'s role`} hidden placeholder="reason" />
                    <button class="secondary" type="submit">
                      Set role
                    </button>
                  </form>
                  <form method="post" action={`/admin/admins/${a.id}/status`}>
                    {csrf}
                    <input
                      type="hidden"
                      name="status"
                      value={a.status === "active" ? "disabled" : "active"}
                    />
                    <ReasonField
                      label={`Reason for ${a.status === "active" ? "disabling" : "enabling"} ${a.name}`}
                      hidden
                      placeholder="reason"
                    />
                    {a.status === "active" ? (
                      <ConfirmBox>
                        Disable {a.name}: their sessions end now and they cannot sign in.
                      </ConfirmBox>
                    ) : null}
                    <button class={a.status === "active" ? "danger" : "secondary"} type="submit">
                      {a.status === "active" ? "Disable (signs them out)" : "Enable"}
                    </button>
                  </form>
                  {a.locked ? (
                    <form method="post" action={`/admin/admins/${a.id}/unlock`}>
                      {csrf}
                      <ReasonField label={`Reason for unlocking ${a.name}`} hidden placeholder="reason" />
                      <button class="secondary" type="submit">
                        Unlock
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
        <h2>Add an admin</h2>
        <form method="post" action="/admin/admins">
          {csrf}
          <label>
            Email
            <input class="field" type="email" name="email" required value={draft.email} />
          </label>
          <label>
            Name
            <input class="field" name="name" required maxlength={80} value={draft.name} />
          </label>
          <label>
            Role
            <select class="field" name="role">
              {ADMIN_ROLES.map((r) => (
                <option value={r} selected={r === draft.role}>
                  {roleName(r)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Initial password (at least {MIN_ADMIN_PASSWORD} characters; give it to them privately)
            <input
              class="field"
              type="password"
              name="password"
              required
              minlength={MIN_ADMIN_PASSWORD}
              autocomplete="new-password"
            />
          </label>
          <button class="primary" type="submit">
            Add admin
          </button>
        </form>
      </div>
    </AdminShell>
  );
}
