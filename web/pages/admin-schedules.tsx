import { formatNaira } from "../../api/services/money";
import type { AdminScheduleRow } from "../../api/services/schedules";
import type { AdminRole } from "../../db/database";
import { AdminShell, ScrollTable } from "./admin-shell";

const PAUSE_REASONS: Record<string, string> = {
  customer: "by the customer",
  price_above_cap: "price above the per-run cap",
  monthly_cap: "monthly cap reached",
  skipped_runs: "runs skipped in a row",
};

function statusText(s: AdminScheduleRow): string {
  return s.status === "paused"
    ? `paused (${PAUSE_REASONS[s.pauseReason ?? "customer"] ?? s.pauseReason})`
    : s.status;
}

function lastRunText(s: AdminScheduleRow): string {
  const run = s.lastRun;
  if (!run) {
    return "none yet";
  }
  const outcome = run.outcome && run.outcome !== run.state ? ` (${run.outcome.replaceAll("_", " ")})` : "";
  return `${run.dueOn}: ${run.state.replaceAll("_", " ")}${outcome}`;
}

/** The schedules table, shared by the Schedules page and a customer's page. */
export function SchedulesTable(props: { rows: AdminScheduleRow[]; showCustomer?: boolean }) {
  return (
    <ScrollTable label="Schedules">
      <thead>
        <tr>
          {props.showCustomer ? <th>Customer</th> : null}
          <th>Schedule</th>
          <th>Status</th>
          <th>Next run</th>
          <th>Last run</th>
          <th class="num">Problems (30 days)</th>
          <th class="num">Caps (run / month)</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((s) => (
          <tr data-schedule={s.id} data-status={s.status}>
            {props.showCustomer ? (
              <td>
                <a href={`/admin/users/${s.userId}`}>{s.userName || s.userId}</a>
              </td>
            ) : null}
            <td>
              {s.description} <span class="muted mono">{s.id}</span>
            </td>
            <td data-testid="status">{statusText(s)}</td>
            <td>{s.nextDueOn ?? "—"}</td>
            <td data-testid="last-run">
              {lastRunText(s)}
              {s.lastRun?.orderId ? (
                <>
                  {" "}
                  <a class="muted mono" href={`/admin/orders/${s.lastRun.orderId}`}>
                    {s.lastRun.orderId}
                  </a>
                </>
              ) : null}
            </td>
            <td class="num" data-testid="problems">
              {s.recentProblems}
            </td>
            <td class="num">
              {formatNaira(s.perRunCapKobo)} / {formatNaira(s.monthlyCapKobo)}
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/**
 * Scheduled purchases (issue 19): every customer's schedules, those needing attention first (paused,
 * then a last run that failed or was skipped), with the next run, the last outcome and the caps.
 */
export function AdminSchedulesPage(props: { sandbox: boolean; role?: AdminRole; rows: AdminScheduleRow[] }) {
  const paused = props.rows.filter((r) => r.status === "paused").length;
  return (
    <AdminShell title="Schedules" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Schedules</h1>
        <p class="muted">
          Recurring purchases customers set up with their PIN. {props.rows.length} shown, {paused} paused.
          Paused and failing ones come first; runs are placed by the worker's sweep-schedules job.
        </p>
        {props.rows.length === 0 ? (
          <p class="muted" data-testid="no-schedules">
            No customer has a schedule yet.
          </p>
        ) : (
          <SchedulesTable rows={props.rows} showCustomer={true} />
        )}
      </div>
    </AdminShell>
  );
}
