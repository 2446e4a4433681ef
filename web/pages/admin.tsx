import type { PendingApproval } from "../../api/services/admins";
import type { AdminRole } from "../../db/database";
import { Layout } from "../layout";
import { AdminShell, Notices } from "./admin-shell";

/** The admin sign-in form. `csrf` is the double-submit token also set as a cookie. */
export function AdminLoginPage(props: { sandbox: boolean; csrf: string; error?: string; email?: string }) {
  return (
    <Layout title="Admin sign in — TADA VTU" sandbox={props.sandbox}>
      <div class="card">
        <h1>Admin sign in</h1>
        {props.error ? <p class="error">{props.error}</p> : null}
        <form method="post" action="/admin/login">
          <input type="hidden" name="csrf" value={props.csrf} />
          <label>
            Email
            <input
              class="field"
              type="email"
              name="email"
              autocomplete="username"
              required
              value={props.email ?? ""}
            />
          </label>
          <label>
            Password
            <input class="field" type="password" name="password" autocomplete="current-password" required />
          </label>
          <button class="primary" type="submit">
            Sign in
          </button>
        </form>
      </div>
    </Layout>
  );
}

export function AdminForbiddenPage(props: { sandbox: boolean; message: string }) {
  return (
    <Layout title="Not allowed — TADA VTU" sandbox={props.sandbox}>
      <div class="card">
        <h1>Not allowed</h1>
        <p>{props.message}</p>
        <p>
          <a href="/admin">Back to the panel</a>
        </p>
      </div>
    </Layout>
  );
}

/** Maker-checker: adjustments waiting for a second admin. */
export function AdminApprovalsPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  csrf: string;
  pending: PendingApproval[];
  notice?: string;
  error?: string;
}) {
  return (
    <AdminShell title="Approvals" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Waiting for approval</h1>
        <Notices notice={props.notice} error={props.error} />
        {props.pending.length === 0 ? <p class="muted">Nothing is waiting.</p> : null}
        {props.pending.map((p) => (
          <div>
            <p>
              {p.amount} for <a href={`/admin/users/${p.userId}`}>{p.userId}</a>, asked by {p.requestedBy}:{" "}
              {p.reason}
            </p>
            <form method="post" action={`/admin/approvals/${p.id}`}>
              <input type="hidden" name="csrf" value={props.csrf} />
              <button class="primary" type="submit" name="decision" value="approve">
                Approve
              </button>
              <button class="secondary" type="submit" name="decision" value="reject">
                Reject
              </button>
            </form>
          </div>
        ))}
      </div>
    </AdminShell>
  );
}
