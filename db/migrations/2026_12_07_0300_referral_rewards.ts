import { type Kysely, sql } from "kysely";

// Frozen in time: migrations import nothing from the app (see DECISIONS.md, "Migrations").

/**
 * Referrals that pay (issue 18 §1): one row per referee once their first qualifying purchase is
 * delivered — UNIQUE per referee, so a reward is decided once however many purchases, jobs and
 * processes race — with the entries that paid the referrer (and welcomed the referee), or why it
 * was not paid (the referrer's monthly cap, a self-referral), and the clawback if that purchase is
 * reversed. `referred_at` records when the code was applied (registration or within days of joining).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE users ADD COLUMN referred_at timestamptz;
UPDATE users SET referred_at = created_at WHERE referred_by IS NOT NULL;
CREATE INDEX users_referred_by ON users (referred_by) WHERE referred_by IS NOT NULL;

CREATE TABLE referral_rewards (
  id                 text PRIMARY KEY,
  referee_id         text NOT NULL UNIQUE REFERENCES users(id),
  referrer_id        text NOT NULL REFERENCES users(id),
  order_id           text NOT NULL UNIQUE REFERENCES vtu_orders(id),
  status             text NOT NULL CHECK (status IN ('paid', 'capped', 'refused', 'clawed_back')),
  reason             text,
  reward_kobo        bigint NOT NULL DEFAULT 0 CHECK (reward_kobo >= 0),
  welcome_kobo       bigint NOT NULL DEFAULT 0 CHECK (welcome_kobo >= 0),
  entry_id           bigint REFERENCES journal_entries(id),
  clawback_entry_id  bigint REFERENCES journal_entries(id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  clawed_back_at     timestamptz,
  CHECK ((status IN ('paid', 'clawed_back')) = (entry_id IS NOT NULL)),
  CHECK ((status = 'clawed_back') = (clawback_entry_id IS NOT NULL))
);
CREATE INDEX referral_rewards_referrer ON referral_rewards (referrer_id, created_at);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
DROP TABLE IF EXISTS referral_rewards;
DROP INDEX IF EXISTS users_referred_by;
ALTER TABLE users DROP COLUMN IF EXISTS referred_at;
`.execute(db);
}
