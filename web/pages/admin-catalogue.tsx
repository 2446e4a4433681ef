import {
  type AdminPlanRow,
  type AdminProviderRow,
  describeMargin,
  formatVerifyOffsets as formatOffsets,
  type PricingRuleDto,
  SAMPLE_FACE_KOBO,
  VTU_SERVICES,
} from "../../api/services/admins";
import type { PricingRule } from "../../api/services/catalogue/pricing";
import { formatNaira } from "../../api/services/money";
import type { AdminRole } from "../../db/database";
import { AdminShell, lagosTimeOrNever, Notices, ReasonField, ScrollTable } from "./admin-shell";

type Common = { sandbox: boolean; role: AdminRole; csrf: string; notice?: string; error?: string };

function Csrf(props: { csrf: string }) {
  return <input type="hidden" name="csrf" value={props.csrf} />;
}

const kobo = (value: number | null) => (value === null ? "—" : formatNaira(value));

/** How the stored margin reads in its form field: naira for flat, a percent for percent. */
function marginText(rule: PricingRule): string {
  const hundredths = rule.marginValue;
  const whole = Math.floor(hundredths / 100);
  const rest = hundredths % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, "0")}`;
}

/** The margin's kind and value; `of` names what it is the margin of, for the hidden labels. */
function MarginFields(props: { rule?: PricingRule; allowService?: boolean; of: string }) {
  const type = props.rule?.marginType;
  return (
    <>
      <label>
        <span class="vh">Kind of margin for {props.of}</span>
        <select class="field" name="marginType">
          {props.allowService ? (
            <option value="service" selected={!type}>
              follow the service rule
            </option>
          ) : null}
          <option value="percent" selected={type === "percent"}>
            percent of cost
          </option>
          <option value="flat" selected={type === "flat"}>
            flat naira
          </option>
        </select>
      </label>
      <label>
        <span class="vh">Margin for {props.of} (percent or naira)</span>
        <input
          class="field"
          name="margin"
          inputmode="decimal"
          placeholder="e.g. 5 or 2.75 (%), 50 (₦)"
          value={props.rule ? marginText(props.rule) : ""}
        />
      </label>
    </>
  );
}

/** Margins per service, and the plans with their providers' offers and the price a customer pays. */
export function AdminCataloguePage(
  props: Common & {
    rules: PricingRuleDto[];
    plans: AdminPlanRow[];
    filters: { service: string; network: string; enabled: string };
  },
) {
  const f = props.filters;
  return (
    <AdminShell title="Catalogue" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Catalogue and pricing</h1>
        <p>
          <a href="/admin/catalogue/providers">Providers, failover order, sync and float →</a>
        </p>
        <Notices notice={props.notice} error={props.error} />
        <h2>Margins per service</h2>
        <p class="muted">
          Selling price = provider cost + margin. A plan with its own margin keeps it. Airtime never sells
          above its face value.
        </p>
        <ScrollTable label="Margins per service">
          <thead>
            <tr>
              <th>Service</th>
              <th>Margin now</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {props.rules.map((r) => (
              <tr>
                <td>{r.service}</td>
                <td>
                  {describeMargin(r)}
                  <div class="muted">updated {lagosTimeOrNever(r.updatedAt)}</div>
                </td>
                <td>
                  <form method="post" action={`/admin/catalogue/pricing/${r.service}`}>
                    <Csrf csrf={props.csrf} />
                    <MarginFields rule={r} of={`${r.service}`} />
                    <ReasonField label={`Reason for the ${r.service} margin`} hidden placeholder="reason" />
                    <button class="secondary" type="submit">
                      Set {r.service} margin
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
        <h2>Plans</h2>
        <form method="get" action="/admin/catalogue" class="filters">
          <label>
            Service
            <select class="field" name="service">
              <option value="">every service</option>
              {VTU_SERVICES.map((s) => (
                <option value={s} selected={f.service === s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Network
            <select class="field" name="network">
              <option value="">every network</option>
              {["mtn", "airtel", "glo", "9mobile"].map((n) => (
                <option value={n} selected={f.network === n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <label>
            On sale
            <select class="field" name="enabled">
              <option value="">on and off sale</option>
              <option value="true" selected={f.enabled === "true"}>
                on sale
              </option>
              <option value="false" selected={f.enabled === "false"}>
                disabled
              </option>
            </select>
          </label>
          <button class="primary" type="submit">
            Filter
          </button>
        </form>
        <p class="muted">
          {props.plans.length} plans. Airtime and electricity show the price of{" "}
          {formatNaira(SAMPLE_FACE_KOBO)}.
        </p>
        <ScrollTable label="Plans" class="wide">
          <thead>
            <tr>
              <th>Plan</th>
              <th>Status</th>
              <th>Margin</th>
              <th>Offers (failover order)</th>
              <th class="num">Cost</th>
              <th class="num">Price</th>
            </tr>
          </thead>
          <tbody>
            {props.plans.map((p) => (
              <tr>
                <td>
                  <a href={`/admin/catalogue/plans/${encodeURIComponent(p.id)}`}>{p.name}</a>
                  <div class="mono muted">{p.id}</div>
                </td>
                <td>
                  {p.enabled ? (
                    <span class="badge ok">on sale</span>
                  ) : (
                    <span class="badge bad">disabled</span>
                  )}
                </td>
                <td>
                  {p.override ? <strong>{describeMargin(p.override)} (plan)</strong> : describeMargin(p.rule)}
                </td>
                <td>
                  {p.offers.map((o) => (
                    <div>
                      {o.provider}: {o.costKobo !== null ? kobo(o.costKobo) : `${o.discountBps / 100}% off`}
                      {o.available ? "" : " (withdrawn)"}
                      {o.providerEnabled ? "" : " (provider off)"}
                    </div>
                  ))}
                </td>
                <td class="num">{kobo(p.costKobo)}</td>
                <td class="num">{p.priceKobo === null ? "not for sale" : formatNaira(p.priceKobo)}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      </div>
    </AdminShell>
  );
}

/** One plan: every provider's offer, its own margin, on or off sale. */
export function AdminPlanPage(props: Common & { plan: AdminPlanRow & { serviceRule: PricingRule } }) {
  const p = props.plan;
  return (
    <AdminShell title={p.name} sandbox={props.sandbox} role={props.role}>
      <p>
        <a href="/admin/catalogue">← Catalogue</a>
      </p>
      <div class="card">
        <h1>{p.name}</h1>
        <Notices notice={props.notice} error={props.error} />
        <dl class="rows">
          <dt>Id</dt>
          <dd class="mono">{p.id}</dd>
          <dt>Service</dt>
          <dd>
            {p.service} {p.network ?? p.biller ?? ""}
          </dd>
          <dt>Status</dt>
          <dd>{p.enabled ? "on sale" : "disabled"}</dd>
          <dt>Margin</dt>
          <dd>
            {p.override
              ? `${describeMargin(p.override)} (this plan; the service rule is ${describeMargin(p.serviceRule)})`
              : `${describeMargin(p.serviceRule)} (the ${p.service} rule)`}
          </dd>
          <dt>Sold through</dt>
          <dd>{p.sellingProvider ?? "nobody right now"}</dd>
          <dt>Price</dt>
          <dd>
            {p.priceKobo === null ? "not for sale" : formatNaira(p.priceKobo)}
            {p.service === "airtime" || p.service === "electricity"
              ? ` for ${formatNaira(SAMPLE_FACE_KOBO)}`
              : ""}
          </dd>
        </dl>
        <h2>Offers</h2>
        <ScrollTable label="Offers" class="wide">
          <thead>
            <tr>
              <th>Provider</th>
              <th>Their id</th>
              <th class="num">Cost</th>
              <th class="num">Face</th>
              <th class="num">Discount</th>
              <th>Available</th>
              <th>Synced</th>
            </tr>
          </thead>
          <tbody>
            {p.offers.map((o) => (
              <tr>
                <td>
                  {o.providerName}{" "}
                  <span class="muted">
                    ({o.provider}, priority {o.priority})
                  </span>
                  {o.providerEnabled ? "" : <span class="badge bad">provider off</span>}
                </td>
                <td class="mono">{o.providerProductId}</td>
                <td class="num">{kobo(o.costKobo)}</td>
                <td class="num">{kobo(o.faceAmountKobo)}</td>
                <td class="num">{o.discountBps / 100}%</td>
                <td>{o.available ? "yes" : "withdrawn"}</td>
                <td>{lagosTimeOrNever(o.syncedAt)}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
        <h2>This plan's margin</h2>
        <form method="post" action={`/admin/catalogue/plans/${encodeURIComponent(p.id)}/margin`}>
          <Csrf csrf={props.csrf} />
          <MarginFields rule={p.override ?? undefined} allowService of="this plan" />
          <ReasonField label="Reason for the plan margin" />
          <button class="secondary" type="submit">
            Set the plan margin
          </button>
        </form>
        <h2>{p.enabled ? "Take off sale" : "Put back on sale"}</h2>
        <form method="post" action={`/admin/catalogue/plans/${encodeURIComponent(p.id)}/enabled`}>
          <Csrf csrf={props.csrf} />
          <input type="hidden" name="enabled" value={p.enabled ? "false" : "true"} />
          <ReasonField
            label={`Reason for ${p.enabled ? "taking the plan off sale" : "putting the plan on sale"}`}
          />
          <button class="secondary" type="submit">
            {p.enabled ? "Disable this plan" : "Enable this plan"}
          </button>
        </form>
      </div>
    </AdminShell>
  );
}

/** Providers in failover order: on/off, order, last sync, float and its low threshold. */

export function AdminProvidersPage(
  props: Common & {
    providers: AdminProviderRow[];
    vtuConfigured: boolean;
    /** VTU_VERIFY_AFTER_DELIVERY: what applies where a provider has no list of its own. */
    defaultVerifyOffsets: readonly number[];
  },
) {
  const list = props.providers;
  const action = (code: string, what: string) =>
    `/admin/catalogue/providers/${encodeURIComponent(code)}/${what}`;
  return (
    <AdminShell title="Providers" sandbox={props.sandbox} role={props.role}>
      <p>
        <a href="/admin/catalogue">← Catalogue</a>
      </p>
      <div class="card">
        <h1>Providers</h1>
        <Notices notice={props.notice} error={props.error} />
        {props.vtuConfigured ? null : (
          <p class="error">
            This process has no VTU providers configured: sync and float checks are not possible here.
          </p>
        )}
        <form class="inline" method="post" action="/admin/catalogue/sync">
          <Csrf csrf={props.csrf} />
          <button class="primary" type="submit">
            Run catalogue sync now
          </button>
        </form>{" "}
        <form class="inline" method="post" action="/admin/catalogue/float">
          <Csrf csrf={props.csrf} />
          <button class="primary" type="submit">
            Check float now
          </button>
        </form>
        <p class="muted">
          Orders go to the first enabled provider that sells the plan, then fail over down the list.
        </p>
        <p class="muted" id="checks-hint">
          Checks after delivery: times such as 2m, 30m, 6h, 1d, each from 1m to 30d and each once, in any
          order (they are kept sorted). Leave it empty for the default, or write "none" for no checks.
        </p>
        <ScrollTable label="Providers" class="wide">
          <thead>
            <tr>
              <th>#</th>
              <th>Provider</th>
              <th>Status</th>
              <th>Last sync</th>
              <th class="num">Float</th>
              <th>Low below</th>
              <th>Checks after delivery</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p, i) => (
              <tr>
                <td>{i + 1}</td>
                <td>
                  <strong>{p.name}</strong>
                  <div class="mono muted">
                    {p.code} · priority {p.priority} · {p.products} products
                  </div>
                  {p.configured ? null : <div class="muted">not configured in this process</div>}
                </td>
                <td>
                  {p.enabled ? (
                    <span class="badge ok">enabled</span>
                  ) : (
                    <span class="badge bad">disabled</span>
                  )}
                </td>
                <td>
                  {lagosTimeOrNever(p.lastSyncedAt)}
                  {p.lastSyncError ? <div class="error">{p.lastSyncError}</div> : null}
                </td>
                <td class="num">
                  {kobo(p.floatKobo)} {p.low ? <span class="badge bad">low</span> : null}
                  <div class="muted">checked {lagosTimeOrNever(p.floatCheckedAt)}</div>
                </td>
                <td>
                  <form method="post" action={action(p.code, "threshold")}>
                    <Csrf csrf={props.csrf} />
                    <label>
                      <span class="vh">Low-float threshold for {p.name} in naira (empty for none)</span>
                      <input
                        class="field"
                        name="threshold"
                        inputmode="decimal"
                        placeholder="₦ (empty = none)"
                        value={p.lowFloatKobo === null ? "" : String(p.lowFloatKobo / 100)}
                      />
                    </label>
                    <ReasonField label={`Reason for ${p.name}'s threshold`} hidden placeholder="reason" />
                    <button class="secondary" type="submit">
                      Set threshold
                    </button>
                  </form>
                </td>
                <td>
                  <form method="post" action={action(p.code, "verify")}>
                    <Csrf csrf={props.csrf} />
                    <label>
                      <span class="vh">
                        Checks after delivery for {p.name} (like 2m, 30m, 6h; empty for the default)
                      </span>
                      <input
                        class="field"
                        name="schedule"
                        aria-describedby="checks-hint"
                        placeholder={`default: ${formatOffsets(props.defaultVerifyOffsets)}`}
                        value={p.verifyOffsetsSeconds === null ? "" : formatOffsets(p.verifyOffsetsSeconds)}
                      />
                    </label>
                    <ReasonField label={`Reason for ${p.name}'s checks`} hidden placeholder="reason" />
                    <button class="secondary" type="submit">
                      Set checks
                    </button>
                  </form>
                  <div class="muted">
                    asked again {formatOffsets(p.verifyOffsetsSeconds ?? props.defaultVerifyOffsets)} after
                    delivery
                  </div>
                </td>
                <td>
                  <form method="post" action={action(p.code, "enabled")}>
                    <Csrf csrf={props.csrf} />
                    <input type="hidden" name="enabled" value={p.enabled ? "false" : "true"} />
                    <ReasonField
                      label={`Reason for ${p.enabled ? "disabling" : "enabling"} ${p.name}`}
                      hidden
                      placeholder="reason"
                    />
                    <button class="secondary" type="submit">
                      {p.enabled ? "Disable" : "Enable"}
                    </button>
                  </form>
                  <form method="post" action={action(p.code, "move")}>
                    <Csrf csrf={props.csrf} />
                    <label>
                      <span class="vh">Move {p.name} up or down</span>
                      <select class="field" name="direction">
                        <option value="up">move up</option>
                        <option value="down">move down</option>
                      </select>
                    </label>
                    <ReasonField label={`Reason for moving ${p.name}`} hidden placeholder="reason" />
                    <button class="secondary" type="submit">
                      Move
                    </button>
                  </form>
                  <form method="post" action={action(p.code, "priority")}>
                    <Csrf csrf={props.csrf} />
                    <label>
                      <span class="vh">Priority of {p.name}</span>
                      <input
                        class="field"
                        type="number"
                        name="priority"
                        min={0}
                        max={10000}
                        value={String(p.priority)}
                      />
                    </label>
                    <ReasonField label={`Reason for ${p.name}'s priority`} hidden placeholder="reason" />
                    <button class="secondary" type="submit">
                      Set priority
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      </div>
    </AdminShell>
  );
}
