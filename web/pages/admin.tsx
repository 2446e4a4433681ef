import { useContext } from "hono/jsx";
import type { PendingApproval } from "../../api/services/admins";
import type { AdminRole } from "../../db/database";
import {
  AdminPlainPage,
  AdminShell,
  lagosTime,
  Notices,
  PanelFrame,
  type Person,
  PersonCell,
  ScrollTable,
} from "./admin-shell";

/** The admin sign-in form. `csrf` is the double-submit token also set as a cookie. */
export function AdminLoginPage(props: { sandbox: boolean; csrf: string; error?: string; email?: string }) {
  return (
    <AdminPlainPage title="Sign in" sandbox={props.sandbox}>
      <h1>Admin sign in</h1>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
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
    </AdminPlainPage>
  );
}

/**
 * "Not allowed" or "Not found": in the shell for a signed-in admin (with the way on), on a plain
 * page for anyone else.
 */
export function AdminProblemPage(props: { sandbox: boolean; title: string; message: string }) {
  const signedIn = useContext(PanelFrame) !== null;
  const body = (
    <>
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      <p>
        <a href="/admin">{signedIn ? "Back to the dashboard" : "Sign in to the panel"}</a>
      </p>
    </>
  );
  return signedIn ? (
    <AdminShell title={props.title} sandbox={props.sandbox}>
      <div class="card">{body}</div>
    </AdminShell>
  ) : (
    <AdminPlainPage title={props.title} sandbox={props.sandbox}>
      {body}
    </AdminPlainPage>
  );
}

/**
 * Maker-checker: adjustments waiting for a second admin. The admin who asked for one sees it
 * waiting, without an Approve button (the service refuses them anyway).
 */
export function AdminApprovalsPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  /** The signed-in admin: their own requests show no decision buttons. */
  adminId: string;
  csrf: string;
  pending: PendingApproval[];
  people: Record<string, Person>;
  notice?: string;
  error?: string;
}) {
  return (
    <AdminShell title="Approvals" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Waiting for approval</h1>
        <p class="muted">
          Balance adjustments above the limit wait here for a second admin. The admin who asked cannot approve
          their own.
        </p>
        <Notices notice={props.notice} error={props.error} />
        {props.pending.length === 0 ? <p class="muted">Nothing is waiting.</p> : null}
        {props.pending.length > 0 ? (
          <ScrollTable label="Adjustments waiting for approval">
            <thead>
              <tr>
                <th>Asked (Lagos)</th>
                <th>Customer</th>
                <th class="num">Amount</th>
                <th>Reason</th>
                <th>Asked by</th>
                <th>Decision</th>
              </tr>
            </thead>
            <tbody>
              {props.pending.map((p) => (
                <tr data-approval={p.id}>
                  <td>{lagosTime(p.createdAt)}</td>
                  <td>
                    <PersonCell id={p.userId} person={props.people[p.userId]} />
                  </td>
                  <td class="num">{p.amount}</td>
                  <td>{p.reason}</td>
                  <td>{p.requestedBy}</td>
                  <td>
                    {p.requestedById === props.adminId ? (
                      <span class="muted" data-testid="own-request">
                        Your request: a second admin decides.
                      </span>
                    ) : (
                      <form method="post" action={`/admin/approvals/${p.id}`}>
                        <input type="hidden" name="csrf" value={props.csrf} />
                        <button class="primary" type="submit" name="decision" value="approve">
                          Approve
                        </button>
                        <button class="secondary" type="submit" name="decision" value="reject">
                          Reject
                        </button>
                      </form>
                    )}
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
