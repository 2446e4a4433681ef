import type { ApiKeyDto } from "../../api/services/auth";
import { ConfirmBox, lagosTime, lagosTimeOrNever, ReasonField, ScrollTable } from "./admin-shell";

/**
 * A customer's reseller API keys on their page: what each may do, from where, how fast, whether it
 * is a sandbox key, when it was last used; with `revokeCsrf` (admin role) a revoke form per active
 * key, with a reason for the audit log.
 */
export function CustomerApiKeysSection(props: {
  userId: string;
  keys: ApiKeyDto[];
  defaultRateLimit: number;
  revokeCsrf?: string;
}) {
  return (
    <section data-testid="customer-api-keys">
      <h2>API keys</h2>
      {props.keys.length === 0 ? (
        <p class="muted">No API keys.</p>
      ) : (
        <ScrollTable label="API keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key starts</th>
              <th>Scopes</th>
              <th>Allowed from</th>
              <th class="num">Per minute</th>
              <th>Created (Lagos)</th>
              <th>Last used (Lagos)</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {props.keys.map((k) => (
              <tr
                data-key={k.id}
                data-sandbox={String(k.sandbox)}
                data-revoked={String(k.revokedAt !== null)}
              >
                <td>{k.name}</td>
                <td class="mono">
                  {k.prefix}… {k.sandbox ? <span class="badge">sandbox</span> : null}
                </td>
                <td>{k.scopes.join(", ")}</td>
                <td class="mono">{k.ipAllowList.length === 0 ? "anywhere" : k.ipAllowList.join(", ")}</td>
                <td class="num">{k.rateLimitPerMinute ?? `${props.defaultRateLimit} (default)`}</td>
                <td>{lagosTime(k.createdAt)}</td>
                <td>{lagosTimeOrNever(k.lastUsedAt)}</td>
                <td>
                  {k.revokedAt ? (
                    `revoked ${lagosTime(k.revokedAt)}`
                  ) : props.revokeCsrf ? (
                    <form method="post" action={`/admin/users/${props.userId}/api-keys/${k.id}/revoke`}>
                      <input type="hidden" name="csrf" value={props.revokeCsrf} />
                      <ReasonField label={`Reason for revoking the key “${k.name}”`} />
                      <ConfirmBox>Revoke it: the reseller's calls with this key stop at once.</ConfirmBox>
                      <button class="danger" type="submit">
                        Revoke
                      </button>
                    </form>
                  ) : (
                    "active"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
    </section>
  );
}
