import type { PricingRule } from "../../api/services/catalogue/pricing";
import { formatNaira, koboToNairaString } from "../../api/services/money";
import { describeTierMargins, TIER_SERVICES, type TierRule } from "../../api/services/rewards";
import type { AdminRole } from "../../db/database";
import { AdminShell, ScrollTable } from "./admin-shell";

export type TierCount = { code: string; name: string; customers: number; setByAdmin: number };

/**
 * Customer tiers (issue 18 §3): each tier's volume over the window, its margins, and how many
 * customers are in it (and how many an admin set). A super admin changes the rules with a reason.
 */
export function AdminTiersPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  tiers: TierRule[];
  counts: TierCount[];
  windowDays: number;
  /** Only for a super admin: the rules form is shown. */
  csrf?: string;
  notice?: string;
  error?: string;
}) {
  return (
    <AdminShell title="Tiers" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Tiers</h1>
        <p class="muted">
          A customer's tier follows their purchases delivered in the last {props.windowDays} days (own
          purchases, not gift claims), unless an admin set it on the customer's page. A tier's margin replaces
          the service's for its customers, but nobody pays more than the Regular price. An order keeps the
          price of the tier it was placed in.
        </p>
        {props.notice ? (
          <p class="badge ok" role="status">
            {props.notice}
          </p>
        ) : null}
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <ScrollTable label="Tiers">
          <thead>
            <tr>
              <th>Tier</th>
              <th class="num">Volume needed</th>
              <th>Margins</th>
              <th class="num">Customers</th>
              <th class="num">Set by an admin</th>
            </tr>
          </thead>
          <tbody>
            {props.tiers.map((t) => {
              const count = props.counts.find((c) => c.code === t.code);
              return (
                <tr data-tier={t.code}>
                  <td>{t.name}</td>
                  <td class="num" data-testid="min-volume">
                    {formatNaira(t.minVolumeKobo)}
                  </td>
                  <td data-testid="margins">
                    {describeTierMargins(t) || "Regular prices (the service rules)"}
                  </td>
                  <td class="num" data-testid="customers">
                    {count?.customers ?? 0}
                  </td>
                  <td class="num" data-testid="set-by-admin">
                    {count?.setByAdmin ?? 0}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </ScrollTable>
        {props.csrf ? <RulesForm tiers={props.tiers} csrf={props.csrf} /> : null}
      </div>
    </AdminShell>
  );
}

/** How a stored margin reads in its field: naira for flat, a percent for percent. */
function marginText(rule: PricingRule | null): string {
  if (!rule) {
    return "";
  }
  const whole = Math.floor(rule.marginValue / 100);
  const rest = rule.marginValue % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, "0")}`;
}

/** The rules in naira and percent, for a super admin; saved with a reason (audited). */
function RulesForm(props: { tiers: TierRule[]; csrf: string }) {
  return (
    <details open>
      <summary>Change the tiers</summary>
      <form method="post" action="/admin/tiers/rules">
        <input type="hidden" name="csrf" value={props.csrf} />
        {props.tiers.map((t, i) => (
          <fieldset data-tier-form={t.code}>
            <legend>{t.name}</legend>
            <label>
              Name
              <input class="field" name={`${t.code}.name`} required maxlength={40} value={t.name} />
            </label>
            {i === 0 ? (
              <p class="muted">
                The lowest tier needs no volume and pays the Regular price (Catalogue → pricing).
              </p>
            ) : (
              <>
                <label>
                  Delivered volume needed in the window (₦)
                  <input
                    class="field"
                    name={`${t.code}.minVolume`}
                    inputmode="decimal"
                    required
                    value={koboToNairaString(t.minVolumeKobo)}
                  />
                </label>
                {TIER_SERVICES.map((service) => {
                  const rule = t.margins[service];
                  return (
                    <div>
                      <label>
                        {service} margin
                        <select class="field" name={`${t.code}.${service}.type`}>
                          <option value="service" selected={!rule}>
                            Regular price
                          </option>
                          <option value="percent" selected={rule?.marginType === "percent"}>
                            percent of cost
                          </option>
                          <option value="flat" selected={rule?.marginType === "flat"}>
                            flat naira
                          </option>
                        </select>
                      </label>
                      <label>
                        <span class="vh">
                          {t.name} {service} margin (percent or naira)
                        </span>
                        <input
                          class="field"
                          name={`${t.code}.${service}.value`}
                          inputmode="decimal"
                          placeholder="e.g. 1.5 (%), 20 (₦)"
                          value={marginText(rule)}
                        />
                      </label>
                    </div>
                  );
                })}
              </>
            )}
          </fieldset>
        ))}
        <label>
          Reason (goes into the audit log)
          <input class="field" name="reason" required minlength={3} maxlength={500} />
        </label>
        <button class="primary" type="submit">
          Save the tiers
        </button>
      </form>
    </details>
  );
}
