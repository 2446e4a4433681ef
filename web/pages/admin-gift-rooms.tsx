import type { AdminGiftRoomDetail, AdminGiftRoomRow } from "../../api/services/admins";
import { formatNaira } from "../../api/services/money";
import type { AdminRole } from "../../db/database";
import {
  AdminShell,
  ConfirmBox,
  CopyId,
  FilterForm,
  lagosTime,
  lagosTimeOrNever,
  Notices,
  type Person,
  PersonCell,
  ReasonField,
  ScrollTable,
} from "./admin-shell";

/** Gift rooms, newest first, with their numbers and escrow. */
export function AdminGiftRoomsPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  filters: Record<string, string>;
  rows: AdminGiftRoomRow[];
  /** The rooms' creators, by id. */
  people: Record<string, Person>;
  error?: string;
}) {
  return (
    <AdminShell title="Gift rooms" sandbox={props.sandbox} role={props.role}>
      <div class="card">
        <h1>Gift rooms</h1>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <FilterForm
          action="/admin/gift-rooms"
          values={props.filters}
          fields={[
            { name: "status", label: "Status", type: "select", options: ["open", "drawing", "closed"] },
            { name: "creatorId", label: "Creator (customer id)" },
            { name: "from", label: "Created from (Lagos day)", type: "date" },
            { name: "to", label: "To", type: "date" },
          ]}
        />
        {props.rows.length === 0 ? <p class="muted">No gift rooms match.</p> : null}
        <ScrollTable label="Gift rooms">
          <thead>
            <tr>
              <th>Created</th>
              <th>Room</th>
              <th>Creator</th>
              <th>Kind</th>
              <th>Status</th>
              <th>Capacity</th>
              <th>Claimed</th>
              <th>Remaining</th>
              <th>Escrow</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => (
              <tr>
                <td>{lagosTime(r.createdAt)}</td>
                <td>
                  <a class="mono" href={`/admin/gift-rooms/${r.id}`}>
                    {r.id}
                  </a>
                </td>
                <td>
                  <PersonCell id={r.creatorId} person={props.people[r.creatorId]} />
                </td>
                <td>
                  {r.kind} · {r.mode.replace("_", " ")}
                </td>
                <td>{r.status}</td>
                <td class="num">{r.capacity}</td>
                <td class="num">{r.claimed}</td>
                <td class="num">{r.remaining}</td>
                <td class="num">{formatNaira(r.escrowBalanceKobo)}</td>
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      </div>
    </AdminShell>
  );
}

/** One room: numbers, claims (phones masked) with their orders, the draw, and early closing for admins. */
export function AdminGiftRoomPage(props: {
  sandbox: boolean;
  role?: AdminRole;
  detail: AdminGiftRoomDetail;
  /** The room's creator (name, phone). */
  creator?: Person;
  csrf?: string;
  canClose: boolean;
  notice?: string;
  error?: string;
}) {
  const { room, claims, draw, drawEntries } = props.detail;
  return (
    <AdminShell title={room.id} sandbox={props.sandbox} role={props.role}>
      <p>
        <a href="/admin/gift-rooms">← Gift rooms</a>
      </p>
      <div class="card">
        <h1>Gift room</h1>
        <p>
          <CopyId id={room.id} />
        </p>
        <Notices notice={props.notice} error={props.error} />
        <dl class="rows">
          <dt>Creator</dt>
          <dd>
            <PersonCell id={room.creatorId} person={props.creator} />
          </dd>
          <dt>Kind</dt>
          <dd>
            {room.kind} · {room.mode.replace("_", " ")} · {formatNaira(room.giftPriceKobo)} a gift
          </dd>
          <dt>Status</dt>
          <dd>{room.status}</dd>
          <dt>Capacity / claimed / remaining</dt>
          <dd>
            {room.capacity} / {room.claimed} / {room.remaining}
          </dd>
          <dt>Escrow balance</dt>
          <dd>{formatNaira(room.escrowBalanceKobo)}</dd>
          <dt>Held for gifts in flight</dt>
          <dd>{formatNaira(room.escrowHeldKobo)}</dd>
          <dt>Created</dt>
          <dd>{lagosTime(room.createdAt)}</dd>
          <dt>Expires</dt>
          <dd>{lagosTime(room.expiresAt)}</dd>
          <dt>Closed</dt>
          <dd>{room.closedAt ? lagosTime(room.closedAt) : "—"}</dd>
        </dl>
        <h2>Claims</h2>
        {claims.length === 0 ? <p class="muted">No claims yet.</p> : null}
        {claims.length > 0 ? (
          <ScrollTable label="Claims">
            <thead>
              <tr>
                <th>When</th>
                <th>Number</th>
                <th>Claim</th>
                <th>Order</th>
              </tr>
            </thead>
            <tbody>
              {claims.map((c) => (
                <tr>
                  <td>{lagosTime(c.at)}</td>
                  <td>{c.phone}</td>
                  <td>{c.state}</td>
                  <td>
                    {c.orderId ? (
                      <a class="mono" href={`/admin/orders/${c.orderId}`}>
                        {c.orderId}
                      </a>
                    ) : (
                      "—"
                    )}{" "}
                    {c.orderState ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </ScrollTable>
        ) : null}
        {draw || drawEntries > 0 ? (
          <>
            <h2>Draw</h2>
            <p>{drawEntries} entries.</p>
            {draw ? (
              <p>
                Drawn {lagosTimeOrNever(draw.drawnAt)}: {draw.winners} winners of {draw.participants}; seed{" "}
                <span class="mono">{draw.seedHex}</span>
              </p>
            ) : (
              <p class="muted">Not drawn yet.</p>
            )}
          </>
        ) : null}
      </div>
      {props.canClose && props.csrf && room.status !== "closed" ? (
        <div class="card">
          <h2>Close early</h2>
          <p>
            Closes the room now and returns what no gift needs (
            {formatNaira(room.escrowBalanceKobo - room.escrowHeldKobo)} now) to the creator's wallet. Gifts
            still being vended keep their money.
          </p>
          <form method="post" action={`/admin/gift-rooms/${room.id}/close`}>
            <input type="hidden" name="csrf" value={props.csrf} />
            <ReasonField label="Reason for closing the room early" min={5} />
            <ConfirmBox>
              Close the room now: nobody else can claim, and the remainder goes back to the creator. This
              cannot be undone.
            </ConfirmBox>
            <button class="danger" type="submit">
              Close and refund the remainder
            </button>
          </form>
        </div>
      ) : null}
    </AdminShell>
  );
}
