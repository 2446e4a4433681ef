import { isUnresolved } from "../../api/services/admins";
import { formatNaira } from "../../api/services/money";
import { ConfirmBox, Notices, ReasonField } from "./admin-shell";

/**
 * The forms under an order: resend a delivered order's receipt (support may), and for an order
 * still waiting for a person (pending, unknown, manual review) requery now, mark delivered with the
 * provider's reference, or refund — admin only, each with a reason for the audit log.
 */
export function OrderActions(props: {
  order: { id: string; state: string; priceKobo: number; channel: string; service: string };
  csrf: string;
  canChange: boolean;
  vtuAvailable: boolean;
  notice?: string;
  error?: string;
}) {
  const { order, csrf } = props;
  const unresolved = isUnresolved(order.state);
  const action = (name: string) => `/admin/orders/${order.id}/${name}`;
  return (
    <div class="card">
      <h2>Actions</h2>
      <Notices notice={props.notice} error={props.error} />
      {order.state === "delivered" ? (
        <form method="post" action={action("resend-receipt")}>
          <input type="hidden" name="csrf" value={csrf} />
          <button class="secondary" type="submit">
            Resend the receipt to the customer
          </button>
        </form>
      ) : null}
      {unresolved && !props.canChange ? (
        <p class="muted">
          This order waits for a person ({order.state.replace("_", " ")}); an admin can requery, mark it
          delivered or refund it.
        </p>
      ) : null}
      {unresolved && props.canChange ? (
        <>
          <p>
            The customer's {formatNaira(order.priceKobo)} is held until this order is resolved (
            {order.state.replace("_", " ")}).
            {order.channel === "gift" ? " It is a gift: a refund goes back to the gift room's escrow." : ""}
          </p>
          <h3>Ask the provider now</h3>
          {props.vtuAvailable ? (
            <form method="post" action={action("requery")}>
              <input type="hidden" name="csrf" value={csrf} />
              <label>
                Note for the requery (optional)
                <input class="field" name="reason" maxlength={500} />
              </label>
              <button class="secondary" type="submit">
                Requery now
              </button>
            </form>
          ) : (
            <p class="muted">
              This process has no VTU providers, so it cannot ask one; the sweep job keeps requerying.
            </p>
          )}
          <h3>The provider confirmed delivery</h3>
          <form method="post" action={action("mark-delivered")}>
            <input type="hidden" name="csrf" value={csrf} />
            <label>
              Provider's reference
              <input class="field" name="reference" required minlength={3} maxlength={120} />
            </label>
            {order.service === "electricity" ? (
              <label>
                Token (prepaid meters: as the provider gave it; stored encrypted)
                <input class="field" name="token" maxlength={40} autocomplete="off" />
              </label>
            ) : null}
            <ReasonField label="Reason for marking it delivered" min={5} />
            <button class="primary" type="submit">
              Mark delivered (settle)
            </button>
          </form>
          <h3>Nothing was delivered</h3>
          <form method="post" action={action("refund")}>
            <input type="hidden" name="csrf" value={csrf} />
            <ReasonField label="Reason for the refund" min={5} />
            <ConfirmBox>
              Nothing was delivered: give the customer back {formatNaira(order.priceKobo)}. The order ends as
              failed; this cannot be undone.
            </ConfirmBox>
            <button class="danger" type="submit">
              Refund {formatNaira(order.priceKobo)}
            </button>
          </form>
        </>
      ) : null}
      {!unresolved && order.state !== "delivered" ? (
        <p class="muted">Nothing to do: this order is {order.state.replace("_", " ")}.</p>
      ) : null}
    </div>
  );
}
