/**
 * The client-side model: what each customer's wallet must hold, built only from the API's answers
 * (fundings credited, orders and their final states and prices, withdrawals and their fees, gift
 * rooms paid for and refunded, cash gifts received). At the end it is compared with
 * GET /api/wallet/balance; the server's own books are never used to build it.
 */

import type { OrderState } from "../../../db/database";

// The API documents the same order states the database holds (README "Order states").
export type { OrderState };

export const UNRESOLVED_ORDER_STATES: readonly OrderState[] = [
  "held",
  "submitting",
  "pending",
  "unknown",
  "manual_review",
];

export type OrderFact = {
  id: string;
  service: string;
  key: string;
  recipient: string;
  priceKobo: number;
  state: OrderState;
};

export type WithdrawalFact = {
  id: string;
  key: string;
  amountKobo: number;
  feeKobo: number;
  state: string;
  accountNumber: string;
};

export type IntentFact = {
  txRef: string;
  amountKobo: number;
  action: "pay" | "fail" | "abandon";
  state: string;
};

export type RoomFact = {
  id: string;
  token: string;
  creator: number;
  kind: "airtime" | "data" | "cash";
  mode: "first_come" | "quiz";
  quizAnswer?: string;
  amountKobo: number;
  /** Data rooms: the plan's network. */
  network?: "mtn" | "airtel" | "glo" | "9mobile";
  totalKobo: number;
  capacity: number;
  /** What closing the room gave back (undefined until closed by the soak). */
  refundKobo?: number;
  /** Gift orders its claims created (paid from the room's escrow, owned by the creator). */
  giftOrders: Set<string>;
  full: boolean;
};

/** A cash gift; `certain` is false when the claim was interrupted and answered ALREADY_CLAIMED. */
export type CashGift = { roomId: string; amountKobo: number; certain: boolean };

/** A request sent with an Idempotency-Key that was answered 2xx, kept to replay it later. */
export type KeyedRequest = {
  key: string;
  kind: "order" | "withdrawal" | "room";
  path: string;
  label: string;
  body: Record<string, unknown>;
  resultId: string;
};

export type SoakUser = {
  index: number;
  phone: string;
  password: string;
  pin: string;
  id?: string;
  token?: string;
  ready: boolean;
  /** Sandbox fundings answered 200, by their Idempotency-Key. */
  sandboxFunds: Map<string, number>;
  orders: Map<string, OrderFact>;
  withdrawals: Map<string, WithdrawalFact>;
  intents: Map<string, IntentFact>;
  rooms: Map<string, RoomFact>;
  cashGifts: Map<string, CashGift>;
  keyed: KeyedRequest[];
};

export function newUser(index: number, phone: string): SoakUser {
  return {
    index,
    phone,
    password: `soak-pass-${phone}`,
    pin: "2580",
    ready: false,
    sandboxFunds: new Map(),
    orders: new Map(),
    withdrawals: new Map(),
    intents: new Map(),
    rooms: new Map(),
    cashGifts: new Map(),
    keyed: [],
  };
}

export type Expected = { balanceKobo: number; heldKobo: number };

/**
 * The wallet the model predicts once every order, withdrawal and funding has its final state:
 * posted balance = money in − delivered prices − sent withdrawals (amount + fee) − rooms funded +
 * rooms refunded; held = what unresolved orders and withdrawals still hold.
 */
export function expectedWallet(user: SoakUser): Expected {
  let balance = 0;
  let held = 0;
  for (const amount of user.sandboxFunds.values()) {
    balance += amount;
  }
  for (const intent of user.intents.values()) {
    if (intent.state === "credited") {
      balance += intent.amountKobo;
    }
  }
  for (const gift of user.cashGifts.values()) {
    balance += gift.amountKobo;
  }
  for (const order of user.orders.values()) {
    if (order.state === "delivered") {
      balance -= order.priceKobo;
    } else if (UNRESOLVED_ORDER_STATES.includes(order.state)) {
      held += order.priceKobo;
    }
  }
  for (const w of user.withdrawals.values()) {
    if (w.state === "successful") {
      balance -= w.amountKobo + w.feeKobo;
    } else if (w.state !== "failed") {
      held += w.amountKobo + w.feeKobo;
    }
  }
  for (const room of user.rooms.values()) {
    balance -= room.totalKobo;
    balance += room.refundKobo ?? 0;
  }
  return { balanceKobo: balance, heldKobo: held };
}
