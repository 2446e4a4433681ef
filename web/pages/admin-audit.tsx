import { type AuditRow, auditChanges } from "../../api/services/admins";
import { formatNaira } from "../../api/services/money";
import type { AdminRole } from "../../db/database";
import { AdminShell, FilterForm, lagosTime, ScrollTable } from "./admin-shell";

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** "lockedUntil" → "locked until", "margins.data.marginValue" → "margins › data › margin value". */
function fieldName(path: string): string {
  return path
    .split(".")
    .map((part) =>
      part
        .replace(/Kobo$/, "")
        .replace(/_/g, " ")
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .toLowerCase(),
    )
    .join(" › ");
}

/** A recorded value as a person reads it: naira for kobo, Lagos time for instants, "—" for nothing. */
function valueText(path: string, value: unknown): string {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  if (typeof value === "number" && /Kobo$/.test(path)) {
    return formatNaira(value);
  }
  if (typeof value === "boolean") {
    return value ? "yes" : "no";
  }
  if (typeof value === "string") {
    return ISO_INSTANT.test(value) ? lagosTime(value) : value;
  }
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) {
    return value.length === 0 ? "none" : value.join(", ");
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Where a target's page is, for the kinds the panel has pages for. */
function targetHref(type: string | null, id: string | null): string | undefined {
  if (!type || !id) {
    return undefined;
  }
  const pages: Record<string, string> = {
    user: `/admin/users/${encodeURIComponent(id)}`,
    order: `/admin/orders/${encodeURIComponent(id)}`,
    gift_room: `/admin/gift-rooms/${encodeURIComponent(id)}`,
    catalogue_product: `/admin/catalogue/plans/${encodeURIComponent(id)}`,
    callback_delivery: "/admin/callbacks",
    bank_transfer: "/admin/transfers?status=all",
  };
  return pages[type];
}

/** What an audited action changed, one field a line: "status: active → suspended". */
export function AuditChangeList(props: { before: unknown; after: unknown }) {
  const changes = auditChanges(props.before, props.after);
  if (changes.length === 0) {
    return <span class="muted">—</span>;
  }
  return (
    <ul class="changes">
      {changes.map((c) => (
        <li data-field={c.field}>
          <span class="muted">{fieldName(c.field)}:</span> {valueText(c.field, c.before)} →{" "}
          <strong>{valueText(c.field, c.after)}</strong>
        </li>
      ))}
    </ul>
  );
}

/**
 * The audit log: every admin action, sign-in and money adjustment, newest first, 50 a page, with
 * filters (a filtered page is a link to share) and each change as readable fields.
 */
export function AdminAuditPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  filters: Record<"actor" | "action" | "target" | "from" | "to" | "before", string>;
  rows: AuditRow[];
  nextCursor: string | null;
  error?: string;
}) {
  const { before, ...chosen } = props.filters;
  const link = (cursor?: string) => {
    const query = new URLSearchParams(
      Object.entries({ ...chosen, ...(cursor ? { before: cursor } : {}) }).filter(([, v]) => v !== ""),
    ).toString();
    return `/admin/audit${query ? `?${query}` : ""}`;
  };
  return (
    <AdminShell title="Audit log" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Audit log</h1>
        <p class="muted">
          Every admin action, sign-in and money adjustment, newest first. Times are Lagos time (WAT). Action:
          a name like <span class="mono">wallet.adjust</span>, or its start like{" "}
          <span class="mono">wallet.</span> for all of them. Target: an id, or type:id.
        </p>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <FilterForm
          action="/admin/audit"
          values={props.filters}
          fields={[
            { name: "actor", label: "Who (admin email or actor id)" },
            { name: "action", label: "Action" },
            { name: "target", label: "Target" },
            { name: "from", label: "From (Lagos day)", type: "date" },
            { name: "to", label: "To", type: "date" },
          ]}
        />
        {props.rows.length === 0 ? (
          <p class="muted" data-testid="no-audit">
            No audit rows match.
          </p>
        ) : (
          <ScrollTable label="Audit log" class="wide" testid="audit-rows">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Target</th>
                <th>Reason</th>
                <th>Changes</th>
              </tr>
            </thead>
            <tbody>
              {props.rows.map((r) => {
                const href = targetHref(r.targetType, r.targetId);
                return (
                  <tr data-audit={r.id} data-action={r.action}>
                    <td>{lagosTime(r.at)}</td>
                    <td>
                      {r.actorName ? (
                        <>
                          {r.actorName}
                          <div class="muted mono">{r.actor}</div>
                        </>
                      ) : (
                        <span class="mono">{r.actor}</span>
                      )}
                    </td>
                    <td class="mono">{r.action}</td>
                    <td>
                      {r.target ? (
                        href ? (
                          <a class="mono" href={href}>
                            {r.target}
                          </a>
                        ) : (
                          <span class="mono">{r.target}</span>
                        )
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>{r.reason ?? "—"}</td>
                    <td data-testid="changes">
                      <AuditChangeList before={r.before} after={r.after} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </ScrollTable>
        )}
        <nav class="pager" aria-label="Audit log pages">
          {before ? <a href={link()}>← Newest</a> : null}
          {props.nextCursor ? (
            <a href={link(props.nextCursor)} rel="next">
              Older →
            </a>
          ) : null}
        </nav>
      </div>
    </AdminShell>
  );
}
