import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
-- A gift paid by a VTU order (airtime, data), in one call: the slot (R1, the conditional UPDATE),
-- the held order on the room's escrow (vtu_insert_held_order, as a purchase's), the claim row with
-- its order (R2: the partial unique indexes refuse a second claim by the number, device or account;
-- that error aborts the whole call), and the creator's notification. The room row is locked for the
-- time of one statement instead of five round trips. No slot (full, closed, expired, wrong status):
-- refusal 'slot' and nothing written; the caller reads the room to say which.
CREATE FUNCTION gift_claim_order(
  p_room_id text, p_room_status text, p_now timestamptz, p_recipient text, p_device_hash text,
  p_claimer_user_id text, p_hold_account bigint, p_shards integer, p_description text, p_order jsonb,
  p_notify_user text, p_notify_kind text, p_notify_body text, p_notify_payload jsonb, p_notify_outcome text,
  p_channels text[]
) RETURNS TABLE (refusal text, claimed integer, claim_id bigint) LANGUAGE plpgsql AS $$
DECLARE
  new_count integer;
  order_id text;
  new_claim bigint;
BEGIN
  UPDATE gift_rooms SET claimed = gift_rooms.claimed + 1
   WHERE id = p_room_id AND status = p_room_status AND expires_at > p_now AND gift_rooms.claimed < capacity
  RETURNING gift_rooms.claimed INTO new_count;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'slot'::text, NULL::integer, NULL::bigint;
    RETURN;
  END IF;
  order_id := vtu_insert_held_order(p_hold_account, p_shards, NULL, p_description, p_order);
  INSERT INTO gift_claims (room_id, recipient_msisdn, device_hash, claimer_user_id, state, order_id)
  VALUES (p_room_id, p_recipient, p_device_hash, p_claimer_user_id, 'ordered', order_id)
  RETURNING id INTO new_claim;
  PERFORM chat_notify(p_notify_user, p_notify_kind, p_notify_body, p_notify_payload, p_notify_outcome, p_channels);
  RETURN QUERY SELECT NULL::text, new_count, new_claim;
END $$;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS gift_claim_order;`.execute(db);
}
