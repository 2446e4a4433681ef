import { createHash, randomBytes } from "node:crypto";
import { type Reply, RetryableFailure, type SoakHttp } from "./http";
import {
  type KeyedRequest,
  newUser,
  type OrderFact,
  type OrderState,
  type RoomFact,
  type SoakUser,
} from "./model";
import { type Rng, rngFor } from "./random";
import type { Violations } from "./violations";

/**
 * The mixed workload, through the public HTTP API only (README "The API", "Buying", "Gift rooms",
 * "Funding the wallet and withdrawing"): purchases of all four services with ~10 % sandbox fault
 * recipients, balance and order reads, withdrawals (failing and pending accounts included), sandbox
 * and checkout funding, gift rooms and their claims (mostly through the claim page as a phone
 * would), replays of a request with its Idempotency-Key and the same key with another body.
 *
 * Every answer is checked as it arrives and feeds the client-side model (model.ts). An operation
 * whose request died with an injected fault is run again with the same keys, so it must converge
 * to exactly what one uninterrupted request would have done.
 */

export const OP_WEIGHTS = {
  airtime: 16,
  data: 12,
  cable: 6,
  electricity: 6,
  balance: 9,
  "order-read": 6,
  replay: 7,
  "key-conflict": 3,
  withdraw: 6,
  "fund-sandbox": 5,
  "fund-checkout": 3,
  "room-create": 4,
  claim: 10,
  register: 1,
  transactions: 3,
  "orders-list": 3,
} as const;

export type OpKind = keyof typeof OP_WEIGHTS;
export type PlannedOp = { index: number; kind: OpKind };

/** The sequence of operations for a seed: op i's kind and parameters come from its own stream. */
export function planOps(seed: number, count: number): PlannedOp[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    kind: rngFor(seed, `kind:${index}`).weighted(OP_WEIGHTS),
  }));
}

/** A short digest of a plan, printed so two runs can be seen to replay the same sequence. */
export function planFingerprint(seed: number, ops: PlannedOp[]): string {
  const hash = createHash("sha256");
  for (const op of ops) {
    const rng = rngFor(seed, `op:${op.index}`);
    hash.update(`${op.kind}:${rng.next()}|`);
  }
  return hash.digest("hex").slice(0, 12);
}

/** The sandbox's outcomes by the recipient's last four digits (README "Sandbox outcomes"). */
export const FAULT_TAILS = ["0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008"] as const;
/** Gift claims avoid the slow and after-delivery scenarios: a gift's money lives in the room. */
const GIFT_FAULT_TAILS = ["0001", "0002", "0003"] as const;
const PREFIXES = { mtn: "0803", airtel: "0802", glo: "0805", "9mobile": "0809" } as const;
type Network = keyof typeof PREFIXES;
const NETWORKS = Object.keys(PREFIXES) as Network[];
const CABLES = ["dstv", "gotv", "startimes"] as const;
const USER_AGENT = "tada-soak/1 (Android 12; cheap phone)";

export type Catalogue = {
  plans: Record<Network, { id: string; priceKobo: number }[]>;
  bouquets: Record<(typeof CABLES)[number], { id: string; priceKobo: number }[]>;
  discos: string[];
  banks: string[];
};

type Outcome = { reply?: Reply; attempts: number };

export type WorkloadStats = {
  /** Per operation label, how often each answer (status and code) came back. */
  answers: Map<string, Map<string, number>>;
  retriedOps: number;
  opsDone: number;
};

export class Workload {
  readonly users: SoakUser[] = [];
  readonly rooms: RoomFact[] = [];
  readonly stats: WorkloadStats = { answers: new Map(), retriedOps: 0, opsDone: 0 };
  private catalogue: Catalogue | undefined;
  private readonly phones = new Set<string>();

  constructor(
    private readonly deps: {
      http: SoakHttp;
      violations: Violations;
      seed: number;
      /** Users the operations pick from (more join through `register` operations). */
      userCount: number;
    },
  ) {}

  /** Sign up the first customers (register, log in, set the PIN, sandbox money) and read the catalogue. */
  async setup(): Promise<void> {
    // A few at a time: sign-up and the PIN are bcrypt, CPU the app shares with everything else.
    const users = Array.from({ length: this.deps.userCount }, (_, i) =>
      this.newCustomer(rngFor(this.deps.seed, `user:${i}`)),
    );
    let next = 0;
    const lane = async () => {
      for (let user = users[next++]; user; user = users[next++]) {
        await this.signUp(user);
      }
    };
    await Promise.all(Array.from({ length: 4 }, lane));
    this.catalogue = await this.readCatalogue();
  }

  async run(op: PlannedOp): Promise<void> {
    const rng = rngFor(this.deps.seed, `op:${op.index}`);
    const base = this.users.filter((u) => u.ready && u.index < this.deps.userCount);
    const user = base.length > 0 ? rng.pick(base) : undefined;
    if (!user) {
      throw new Error("no customer is ready: setup failed");
    }
    switch (op.kind) {
      case "airtime":
        return this.buyAirtime(op, rng, user);
      case "data":
        return this.buyData(op, rng, user);
      case "cable":
        return this.payCable(op, rng, user);
      case "electricity":
        return this.payElectricity(op, rng, user);
      case "balance":
        return this.readBalance(user);
      case "order-read":
        return this.readOrder(rng, user);
      case "replay":
        return this.replay(rng, user);
      case "key-conflict":
        return this.keyConflict(op, rng, user);
      case "withdraw":
        return this.withdraw(op, rng, user);
      case "fund-sandbox":
        return this.fundSandbox(
          `soak-${this.deps.seed}-${op.index}-fund`,
          rng.int(200, 1_000) * 10_000,
          user,
        );
      case "fund-checkout":
        return this.fundCheckout(rng, user);
      case "room-create":
        return this.createRoom(op, rng, user);
      case "claim":
        return this.claim(rng);
      case "register":
        return this.signUp(
          this.newCustomer(rngFor(this.deps.seed, `user:${this.deps.userCount}+${op.index}`)),
        );
      case "transactions":
        return this.expectOk("transactions", () =>
          this.deps.http.call({
            method: "GET",
            path: "/api/wallet/transactions?limit=20",
            token: user.token,
            label: "transactions",
          }),
        );
      case "orders-list":
        return this.expectOk("orders-list", () =>
          this.deps.http.call({
            method: "GET",
            path: "/api/vtu/orders?limit=20",
            token: user.token,
            label: "orders-list",
          }),
        );
    }
  }

  // ─── customers ───────────────────────────────────────────────────────────────────────────────

  /** A customer with a fresh phone number; `index` is their place in `users`. */
  private newCustomer(rng: Rng): SoakUser {
    let phone = `0816${rng.digits(7)}`;
    while (this.phones.has(phone)) {
      phone = `0816${rng.digits(7)}`;
    }
    this.phones.add(phone);
    const user = newUser(this.users.length, phone);
    this.users.push(user);
    return user;
  }

  /** Register, log in, set the PIN and get sandbox money, as a new API client does. */
  private async signUp(user: SoakUser): Promise<void> {
    const phone = user.phone;
    const registered = await this.attempt("register", () =>
      this.deps.http.call({
        method: "POST",
        path: "/api/auth/register",
        json: { phone, password: user.password, name: `Soak ${user.index}` },
        label: "register",
      }),
    );
    // 409: an interrupted first attempt had already created the account.
    if (
      !registered.reply ||
      !this.allowed("register", registered, [201], registered.attempts > 1 ? [409] : [])
    ) {
      return;
    }
    const login = await this.attempt("login", () =>
      this.deps.http.call({
        method: "POST",
        path: "/api/auth/login",
        json: { phone, password: user.password },
        label: "login",
      }),
    );
    if (!login.reply || !this.allowed("login", login, [200])) {
      return;
    }
    user.token = login.reply.body?.data?.token;
    const pin = await this.attempt("pin", () =>
      this.deps.http.call({
        method: "POST",
        path: "/api/auth/pin",
        token: user.token,
        // After an interrupted first attempt the PIN may already be set: change it to itself.
        json: { pin: user.pin },
        label: "pin",
      }),
    );
    if (!pin.reply) {
      return;
    }
    if (pin.reply.status !== 200) {
      const again = await this.attempt("pin", () =>
        this.deps.http.call({
          method: "POST",
          path: "/api/auth/pin",
          token: user.token,
          json: { pin: user.pin, currentPin: user.pin },
          label: "pin",
        }),
      );
      if (!again.reply || !this.allowed("pin", again, [200])) {
        return;
      }
    }
    const me = await this.attempt("me", () =>
      this.deps.http.call({ method: "GET", path: "/api/auth/me", token: user.token, label: "me" }),
    );
    user.id = me.reply?.body?.data?.id;
    await this.fundSandbox(`soak-${this.deps.seed}-user-${user.index}-fund`, 10_000_000, user);
    user.ready = user.id !== undefined;
  }

  private async readCatalogue(): Promise<Catalogue> {
    const get = async (path: string) => {
      const { reply } = await this.attempt("catalogue", () =>
        this.deps.http.call({ method: "GET", path, token: this.users[0]?.token, label: "catalogue" }),
      );
      if (reply?.status !== 200) {
        throw new Error(`GET ${path} answered ${reply?.status}: ${reply?.text.slice(0, 300)}`);
      }
      return reply.body?.data;
    };
    const plans = {} as Catalogue["plans"];
    for (const network of NETWORKS) {
      const list: { id: string; priceKobo: number }[] = (await get(`/api/vtu/plans/${network}`)).plans;
      // The cheaper half: wallets last longer, every plan family still shows up.
      plans[network] = [...list]
        .sort((a, b) => a.priceKobo - b.priceKobo)
        .slice(0, Math.max(1, Math.ceil(list.length / 2)));
    }
    const bouquets = {} as Catalogue["bouquets"];
    for (const cable of CABLES) {
      const list: { id: string; priceKobo: number }[] = (
        await get(`/api/vtu/cable/bouquets?provider=${cable}`)
      ).bouquets;
      bouquets[cable] = [...list]
        .sort((a, b) => a.priceKobo - b.priceKobo)
        .slice(0, Math.max(1, Math.ceil(list.length / 2)));
    }
    const discos: string[] = (await get("/api/vtu/electricity/discos")).discos.map(
      (d: { disco: string }) => d.disco,
    );
    const banks: string[] = (await get("/api/wallet/banks")).banks.map((b: { code: string }) => b.code);
    if (discos.length === 0 || banks.length === 0) {
      throw new Error("the catalogue has no DisCos or no banks");
    }
    return { plans, bouquets, discos, banks };
  }

  private get cat(): Catalogue {
    if (!this.catalogue) {
      throw new Error("setup() has not read the catalogue");
    }
    return this.catalogue;
  }

  // ─── purchases ───────────────────────────────────────────────────────────────────────────────

  /** ~10 % of recipients end in a sandbox fault scenario; the rest succeed. */
  private tail(rng: Rng, faults: readonly string[] = FAULT_TAILS): string {
    if (faults.length > 0 && rng.chance(0.1)) {
      return rng.pick(faults);
    }
    let tail = rng.digits(4);
    while (Number(tail) <= 8) {
      tail = rng.digits(4);
    }
    return tail;
  }

  private phoneFor(rng: Rng, network: Network, faults?: readonly string[]): string {
    return `${PREFIXES[network]}${rng.digits(3)}${this.tail(rng, faults)}`;
  }

  private buyAirtime(op: PlannedOp, rng: Rng, user: SoakUser) {
    const network = rng.pick(NETWORKS);
    // Whole naira: Inlomax-like providers take nothing else (issue 13, item 8). A few requests carry
    // kobo on purpose: they must be refused with a clear error before any money moves.
    const kobo = rng.chance(0.03) ? 50 : 0;
    return this.purchase(op, user, "airtime", {
      network,
      phone: this.phoneFor(rng, network),
      amountKobo: rng.int(50, 2_000) * 100 + kobo,
      pin: user.pin,
    });
  }

  private buyData(op: PlannedOp, rng: Rng, user: SoakUser) {
    const network = rng.pick(NETWORKS);
    const plan = rng.pick(this.cat.plans[network]);
    return this.purchase(op, user, "data", {
      planId: plan.id,
      phone: this.phoneFor(rng, network),
      pin: user.pin,
    });
  }

  private payCable(op: PlannedOp, rng: Rng, user: SoakUser) {
    const provider = rng.pick(CABLES);
    const smartcard = `${rng.digits(6)}${this.tail(rng, [...FAULT_TAILS, "0000"])}`;
    const change = rng.chance(0.5);
    const body: Record<string, unknown> = {
      provider,
      smartcard,
      subscription: change ? "change" : "renew",
      pin: user.pin,
    };
    if (change) {
      body.bouquetId = rng.pick(this.cat.bouquets[provider]).id;
    }
    const verify = rng.chance(0.5) ? { kind: "smartcard", provider, number: smartcard } : undefined;
    return this.purchase(op, user, "cable", body, verify);
  }

  private payElectricity(op: PlannedOp, rng: Rng, user: SoakUser) {
    const disco = rng.pick(this.cat.discos);
    const meterType = rng.pick(["prepaid", "postpaid"] as const);
    const meterNumber = `${rng.digits(7)}${this.tail(rng, [...FAULT_TAILS, "0000"])}`;
    const verify = rng.chance(0.5) ? { kind: "meter", disco, meterType, number: meterNumber } : undefined;
    return this.purchase(
      op,
      user,
      "electricity",
      { disco, meterType, meterNumber, amountKobo: rng.int(10, 50) * 10_000, pin: user.pin },
      verify,
    );
  }

  private async purchase(
    op: PlannedOp,
    user: SoakUser,
    service: string,
    body: Record<string, unknown>,
    verify?: Record<string, unknown>,
  ): Promise<void> {
    const key = `soak-${this.deps.seed}-${op.index}-${service}`;
    const path = `/api/vtu/${service}`;
    const outcome = await this.attempt(service, async () => {
      if (verify) {
        const checked = await this.deps.http.call({
          method: "POST",
          path: "/api/vtu/verify",
          token: user.token,
          json: verify,
          label: "verify",
        });
        this.allowed("verify", { reply: checked, attempts: 1 }, [200, 422]);
      }
      return this.deps.http.call({
        method: "POST",
        path,
        token: user.token,
        json: body,
        headers: { "idempotency-key": key },
        label: service,
      });
    });
    // 200 only after an interrupted attempt had committed the order (then it is a replay).
    const withKobo = typeof body.amountKobo === "number" && body.amountKobo % 100 !== 0;
    if (
      !outcome.reply ||
      !this.allowed(
        service,
        outcome,
        [201, 409, 422, 429, ...(withKobo ? [400] : [])],
        outcome.attempts > 1 ? [200] : [],
      )
    ) {
      return;
    }
    if (withKobo && outcome.reply.status < 300) {
      this.deps.violations.add(
        "contract",
        `${service} for ${body.amountKobo} kobo (not whole naira) was accepted, not refused`,
        {
          status: outcome.reply.status,
          order: outcome.reply.body?.data?.order?.id,
        },
      );
    }
    if (outcome.reply.status === 201 || outcome.reply.status === 200) {
      const order = this.recordOrder(user, key, outcome.reply);
      if (order) {
        user.keyed.push({ key, kind: "order", path, label: service, body, resultId: order.id });
      }
    }
  }

  private recordOrder(user: SoakUser, key: string, reply: Reply): OrderFact | undefined {
    const dto = reply.body?.data?.order;
    if (!dto?.id) {
      this.deps.violations.add("contract", `a ${reply.status} purchase answer carries no order`, {
        body: reply.text.slice(0, 300),
      });
      return undefined;
    }
    const existing = user.orders.get(dto.id);
    const fact: OrderFact = {
      id: dto.id,
      service: dto.service,
      key: existing?.key ?? key,
      recipient: dto.recipient,
      priceKobo: dto.priceKobo,
      state: dto.state as OrderState,
    };
    user.orders.set(fact.id, fact);
    return fact;
  }

  // ─── reads ───────────────────────────────────────────────────────────────────────────────────

  private async readBalance(user: SoakUser): Promise<void> {
    const { reply } = await this.attempt("balance", () =>
      this.deps.http.call({
        method: "GET",
        path: "/api/wallet/balance",
        token: user.token,
        label: "balance",
      }),
    );
    if (!reply || !this.allowed("balance", { reply, attempts: 1 }, [200])) {
      return;
    }
    const { balanceKobo, heldKobo, availableKobo } = reply.body?.data ?? {};
    if (availableKobo !== balanceKobo - heldKobo || availableKobo < 0 || heldKobo < 0) {
      this.deps.violations.add("balance", "a balance read does not add up (available = balance − held ≥ 0)", {
        user: user.id,
        balanceKobo,
        heldKobo,
        availableKobo,
      });
    }
  }

  private async readOrder(rng: Rng, user: SoakUser): Promise<void> {
    const orders = [...user.orders.values()];
    if (orders.length === 0) {
      return this.readBalance(user);
    }
    const order = rng.pick(orders);
    const { reply } = await this.attempt("order-read", () =>
      this.deps.http.call({
        method: "GET",
        path: `/api/vtu/orders/${order.id}`,
        token: user.token,
        label: "order-read",
      }),
    );
    if (
      reply &&
      this.allowed("order-read", { reply, attempts: 1 }, [200]) &&
      reply.body?.data?.order?.id !== order.id
    ) {
      this.deps.violations.add("contract", "GET /api/vtu/orders/:id answered another order", {
        asked: order.id,
      });
    }
    // Someone else's order is a 404 (DESIGN §10), never their data.
    const other = this.users.find((u) => u !== user && u.ready && u.token);
    if (other && rng.chance(0.2)) {
      const { reply: foreign } = await this.attempt("order-read-foreign", () =>
        this.deps.http.call({
          method: "GET",
          path: `/api/vtu/orders/${order.id}`,
          token: other.token,
          label: "order-read-foreign",
        }),
      );
      if (foreign) {
        this.allowed("order-read-foreign", { reply: foreign, attempts: 1 }, [404]);
      }
    }
  }

  private async expectOk(label: string, call: () => Promise<Reply>): Promise<void> {
    const outcome = await this.attempt(label, call);
    if (outcome.reply) {
      this.allowed(label, outcome, [200]);
    }
  }

  // ─── idempotency ─────────────────────────────────────────────────────────────────────────────

  /** The same request again with its key (sometimes two copies at once): the same result, no new money. */
  private async replay(rng: Rng, user: SoakUser): Promise<void> {
    if (user.keyed.length === 0) {
      return this.readBalance(user);
    }
    const request = rng.pick(user.keyed);
    const copies = rng.chance(0.3) ? 2 : 1;
    const outcomes = await Promise.all(
      Array.from({ length: copies }, () =>
        this.attempt(`replay-${request.label}`, () =>
          this.deps.http.call({
            method: "POST",
            path: request.path,
            token: user.token,
            json: request.body,
            headers: { "idempotency-key": request.key },
            label: `replay-${request.label}`,
          }),
        ),
      ),
    );
    for (const { reply } of outcomes) {
      if (!reply) {
        continue;
      }
      this.count(`replay-${request.label}`, reply);
      const id = resultIdOf(request.kind, reply);
      if (reply.status !== 200 || id !== request.resultId) {
        this.deps.violations.add(
          "idempotency",
          `a replay of ${request.label} with its Idempotency-Key did not return the first result`,
          {
            key: request.key,
            first: request.resultId,
            status: reply.status,
            code: reply.body?.code,
            now: id,
          },
        );
        this.adoptUnexpectedResult(user, request, reply);
      } else if (reply.headers.get("idempotent-replayed") !== "true") {
        this.deps.violations.add("contract", `a replay of ${request.label} lacks Idempotent-Replayed: true`, {
          key: request.key,
        });
      }
    }
  }

  /** The same key with another body must be a 409 (README "Buying"; DESIGN §5) and move nothing. */
  private async keyConflict(op: PlannedOp, rng: Rng, user: SoakUser): Promise<void> {
    const candidates = user.keyed;
    if (candidates.length === 0) {
      return this.readBalance(user);
    }
    const request = rng.pick(candidates);
    const body = this.otherBody(request, rng);
    const { reply } = await this.attempt(`conflict-${request.label}`, () =>
      this.deps.http.call({
        method: "POST",
        path: request.path,
        token: user.token,
        json: body,
        headers: { "idempotency-key": request.key },
        label: `conflict-${request.label}`,
      }),
    );
    if (!reply) {
      return;
    }
    this.count(`conflict-${request.label}`, reply);
    if (reply.status !== 409) {
      this.deps.violations.add(
        "idempotency",
        `the same Idempotency-Key with another body answered ${reply.status} for ${request.label}, not 409`,
        {
          key: request.key,
          op: op.index,
          firstBody: redactBody(request.body),
          otherBody: redactBody(body),
          first: request.resultId,
          now: resultIdOf(request.kind, reply),
        },
      );
      this.adoptUnexpectedResult(user, request, reply);
    }
  }

  /**
   * The same request with one parameter changed, still valid on its own. Which parameter varies,
   * since a server that fingerprints only some fields answers 200 for the others.
   */
  private otherBody(request: KeyedRequest, rng: Rng): Record<string, unknown> {
    const body = { ...request.body };
    const newTail = () => String(rng.int(1_000, 9_999));
    const mutators: (() => void)[] = [];
    if (typeof body.amountKobo === "number") {
      const amount = body.amountKobo;
      mutators.push(() => {
        body.amountKobo = amount + 1_000;
      });
    }
    if (typeof body.capacity === "number") {
      const capacity = body.capacity;
      mutators.push(() => {
        body.capacity = capacity + 1;
      });
    }
    for (const field of ["phone", "smartcard", "meterNumber", "accountNumber"] as const) {
      const value = body[field];
      if (typeof value === "string") {
        mutators.push(() => {
          body[field] = `${value.slice(0, -4)}${newTail()}`;
        });
      }
    }
    const bankCode = body.bankCode;
    const otherBanks = this.cat.banks.filter((code) => code !== bankCode);
    if (typeof bankCode === "string" && otherBanks.length > 0) {
      mutators.push(() => {
        body.bankCode = rng.pick(otherBanks);
      });
    }
    if (typeof body.message === "string") {
      mutators.push(() => {
        body.message = `${body.message} (again)`;
      });
    }
    if (mutators.length > 0) {
      rng.pick(mutators)();
    }
    return body;
  }

  /** An idempotency answer that was wrong may still have moved money: keep the model truthful. */
  private adoptUnexpectedResult(user: SoakUser, request: KeyedRequest, reply: Reply): void {
    if (reply.status !== 200 && reply.status !== 201) {
      return;
    }
    if (request.kind === "order") {
      this.recordOrder(user, request.key, reply);
    } else if (request.kind === "withdrawal") {
      this.recordWithdrawal(user, request.key, reply);
    }
  }

  // ─── money in and out ────────────────────────────────────────────────────────────────────────

  private async fundSandbox(key: string, amountKobo: number, user: SoakUser): Promise<void> {
    const outcome = await this.attempt("fund-sandbox", () =>
      this.deps.http.call({
        method: "POST",
        path: "/api/sandbox/fund",
        token: user.token,
        json: { amountKobo },
        headers: { "idempotency-key": key },
        label: "fund-sandbox",
      }),
    );
    if (outcome.reply && this.allowed("fund-sandbox", outcome, [200, 429])) {
      if (outcome.reply.status === 200) {
        user.sandboxFunds.set(key, amountKobo);
      }
    }
  }

  /** Flutterwave-style checkout on the sandbox gateway: intent → checkout page → pay (or fail, or walk away). */
  private async fundCheckout(rng: Rng, user: SoakUser): Promise<void> {
    const amountKobo = rng.int(10, 500) * 10_000;
    const action = rng.weighted({ pay: 70, fail: 15, abandon: 15 });
    let txRef: string | undefined;
    let checkoutPath: string | undefined;
    const outcome = await this.attempt("fund-checkout", async () => {
      if (!txRef) {
        const created = await this.deps.http.call({
          method: "POST",
          path: "/api/wallet/fund",
          token: user.token,
          json: { amountKobo },
          label: "fund-intent",
        });
        if (
          !this.allowed("fund-intent", { reply: created, attempts: 1 }, [201, 429]) ||
          created.status !== 201
        ) {
          return created;
        }
        const intent = created.body?.data?.intent;
        txRef = intent.txRef as string;
        checkoutPath = new URL(intent.checkoutUrl).pathname;
        user.intents.set(txRef, { txRef, amountKobo: intent.amountKobo, action, state: intent.status });
      }
      if (action !== "abandon" && checkoutPath) {
        const page = await this.deps.http.call({ method: "GET", path: checkoutPath, label: "checkout-page" });
        this.allowed("checkout-page", { reply: page, attempts: 1 }, [200]);
        const paid = await this.deps.http.call({
          method: "POST",
          path: checkoutPath,
          form: { action },
          label: "checkout-submit",
        });
        if (this.allowed("checkout-submit", { reply: paid, attempts: 1 }, [303])) {
          const location = paid.headers.get("location");
          if (location) {
            const url = new URL(location, "http://localhost");
            const result = await this.deps.http.call({
              method: "GET",
              path: `${url.pathname}${url.search}`,
              label: "fund-callback",
            });
            this.allowed("fund-callback", { reply: result, attempts: 1 }, [200]);
          }
        }
      }
      return this.deps.http.call({
        method: "GET",
        path: `/api/wallet/fund/${txRef}`,
        token: user.token,
        label: "fund-status",
      });
    });
    const status = outcome.reply?.body?.data?.intent?.status;
    if (txRef && status) {
      const intent = user.intents.get(txRef);
      if (intent) {
        intent.state = status;
      }
    }
  }

  private async withdraw(op: PlannedOp, rng: Rng, user: SoakUser): Promise<void> {
    const bankCode = rng.pick(this.cat.banks);
    // Sandbox accounts (README): 0000 does not resolve, 0001 fails, 0002 pending → sent, 0003 pending → fails.
    const tail = rng.weighted({ ok: 66, "0000": 4, "0001": 10, "0002": 10, "0003": 10 });
    const accountNumber = `${rng.digits(6)}${tail === "ok" ? this.tail(rngFor(this.deps.seed, `acct:${op.index}`), []) : tail}`;
    const amountKobo = rng.int(100, 1_000) * 100;
    const key = `soak-${this.deps.seed}-${op.index}-withdraw`;
    let body: Record<string, unknown> | undefined;
    let sent = false;
    const outcome = await this.attempt("withdraw", async () => {
      const resolved = await this.deps.http.call({
        method: "POST",
        path: "/api/wallet/withdraw/resolve",
        token: user.token,
        json: { bankCode, accountNumber },
        label: "withdraw-resolve",
      });
      if (
        !this.allowed("withdraw-resolve", { reply: resolved, attempts: 1 }, [200, 422]) ||
        resolved.status !== 200
      ) {
        return resolved;
      }
      body = {
        bankCode,
        accountNumber,
        amountKobo,
        accountName: resolved.body?.data?.account?.accountName,
        pin: user.pin,
      };
      sent = true;
      return this.deps.http.call({
        method: "POST",
        path: "/api/wallet/withdraw",
        token: user.token,
        json: body,
        headers: { "idempotency-key": key },
        label: "withdraw",
      });
    });
    if (!outcome.reply || !sent) {
      return; // the account did not resolve (0000): nothing was sent
    }
    if (!this.allowed("withdraw", outcome, [201, 422, 429], outcome.attempts > 1 ? [200] : [])) {
      return;
    }
    if ((outcome.reply.status === 201 || outcome.reply.status === 200) && body) {
      const id = this.recordWithdrawal(user, key, outcome.reply);
      if (id) {
        user.keyed.push({
          key,
          kind: "withdrawal",
          path: "/api/wallet/withdraw",
          label: "withdraw",
          body,
          resultId: id,
        });
      }
    }
  }

  private recordWithdrawal(user: SoakUser, key: string, reply: Reply): string | undefined {
    const dto = reply.body?.data?.withdrawal;
    if (!dto?.id) {
      return undefined;
    }
    user.withdrawals.set(dto.id, {
      id: dto.id,
      key: user.withdrawals.get(dto.id)?.key ?? key,
      amountKobo: dto.amountKobo,
      feeKobo: dto.feeKobo,
      state: dto.state,
      accountNumber: dto.accountNumber,
    });
    return dto.id;
  }

  // ─── gift rooms ──────────────────────────────────────────────────────────────────────────────

  private async createRoom(op: PlannedOp, rng: Rng, user: SoakUser): Promise<void> {
    const kind = rng.weighted({ airtime: 45, data: 25, cash: 30 });
    const mode = rng.chance(0.3) ? "quiz" : "first_come";
    const body: Record<string, unknown> = {
      kind,
      capacity: rng.int(2, 5),
      mode,
      message: `Soak gift ${op.index}`,
      pin: user.pin,
    };
    if (kind === "data") {
      body.planId = rng.pick(this.cat.plans[rng.pick(NETWORKS)]).id;
    } else {
      body.amountKobo = rng.int(1, kind === "cash" ? 10 : 5) * 10_000;
    }
    if (mode === "quiz") {
      body.quiz = { question: "Capital of Nigeria?", answers: ["Abuja", "abuja fct"] };
    }
    const key = `soak-${this.deps.seed}-${op.index}-room`;
    const outcome = await this.attempt("room-create", () =>
      this.deps.http.call({
        method: "POST",
        path: "/api/gift-rooms/create",
        token: user.token,
        json: body,
        headers: { "idempotency-key": key },
        label: "room-create",
      }),
    );
    if (
      !outcome.reply ||
      !this.allowed("room-create", outcome, [201, 422, 429], outcome.attempts > 1 ? [200] : [])
    ) {
      return;
    }
    const dto = outcome.reply.body?.data?.room;
    if (
      (outcome.reply.status === 201 || outcome.reply.status === 200) &&
      dto?.id &&
      !user.rooms.has(dto.id)
    ) {
      const room: RoomFact = {
        id: dto.id,
        token: dto.token,
        creator: user.index,
        kind,
        mode,
        quizAnswer: mode === "quiz" ? "Abuja" : undefined,
        amountKobo: dto.amountKobo,
        network: NETWORKS.find((n) => n === dto.network),
        totalKobo: dto.giftPriceKobo * dto.capacity,
        capacity: dto.capacity,
        giftOrders: new Set(),
        full: false,
      };
      user.rooms.set(room.id, room);
      this.rooms.push(room);
      user.keyed.push({
        key,
        kind: "room",
        path: "/api/gift-rooms/create",
        label: "room-create",
        body,
        resultId: room.id,
      });
    }
  }

  /** A recipient claims a gift: through the claim page as a phone would (GET, then the form), or the API. */
  private async claim(rng: Rng): Promise<void> {
    const open = this.rooms.filter((r) => !r.full && r.refundKobo === undefined);
    if (open.length === 0) {
      return;
    }
    const room = rng.pick(open);
    let claimant: SoakUser | undefined;
    let phone: string;
    let network: Network | "" = "";
    if (room.kind === "cash") {
      const others = this.users.filter((u) => u.ready && u.index !== room.creator);
      claimant = others.length > 0 ? rng.pick(others) : undefined;
      if (!claimant) {
        return;
      }
      phone = claimant.phone;
    } else {
      // A data gift is a plan of one network: its recipient is on that network.
      network = room.network ?? rng.pick(NETWORKS);
      phone = this.phoneFor(rng, network, GIFT_FAULT_TAILS);
    }
    const answer = room.mode === "quiz" ? (rng.chance(0.85) ? room.quizAnswer : "Lagos") : undefined;
    const viaPage = rng.chance(0.7);
    const label = viaPage ? "claim-page" : "claim-api";
    const deviceId = randomBytes(12).toString("hex");
    let noForm = false;
    const outcome = await this.attempt(label, async () => {
      if (!viaPage) {
        return this.deps.http.call({
          method: "POST",
          path: "/api/gift-rooms/claim",
          json: { token: room.token, phone, network: room.kind === "airtime" ? network : undefined, answer },
          headers: { "x-device-id": deviceId, "user-agent": USER_AGENT },
          label,
        });
      }
      // A phone opens the link (the page sets its device cookie and the form's CSRF token), then posts the form.
      const page = await this.deps.http.call({
        method: "GET",
        path: `/gift/${room.token}`,
        headers: { "user-agent": USER_AGENT },
        label: "gift-page",
      });
      const cookie = /tada_device=([^;]+)/.exec(page.headers.get("set-cookie") ?? "")?.[1];
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
      noForm = page.status === 200 && !csrf;
      if (page.status !== 200 || !csrf || !cookie) {
        return page;
      }
      const fields: Record<string, string> = {
        csrf,
        action: "claim",
        phone,
        network: room.kind === "airtime" && rng.chance(0.5) ? network : "",
      };
      if (answer !== undefined) {
        fields.answer = answer;
      }
      return this.deps.http.call({
        method: "POST",
        path: `/gift/${room.token}`,
        form: fields,
        headers: { cookie: `tada_device=${cookie}`, "user-agent": USER_AGENT },
        label,
      });
    });
    const reply = outcome.reply;
    if (!reply) {
      return;
    }
    if (noForm) {
      // A full or closed room shows that instead of the form.
      this.count("gift-page-no-form", reply);
      room.full = true;
      return;
    }
    const allowedStatuses = viaPage ? [200, 409, 410, 422, 429] : [201, 400, 409, 429];
    if (!this.allowed(label, outcome, allowedStatuses)) {
      return;
    }
    const refused = viaPage ? pageRefusal(reply) : reply.body?.code;
    const claimed = viaPage ? reply.status === 200 : reply.status === 201;
    if (claimed) {
      const orderId = viaPage
        ? /\/status\/(ord_[0-9a-z]+)/.exec(reply.text)?.[1]
        : reply.body?.data?.claim?.orderId;
      if (orderId) {
        room.giftOrders.add(orderId);
      }
      if (room.kind === "cash" && claimant) {
        claimant.cashGifts.set(room.id, { roomId: room.id, amountKobo: room.amountKobo, certain: true });
      }
    } else if (refused === "ROOM_FULL") {
      room.full = true;
    } else if (refused === "ALREADY_CLAIMED" && outcome.attempts > 1 && room.kind === "cash" && claimant) {
      // The interrupted attempt may have committed: the statement will tell (resolved at the end).
      if (!claimant.cashGifts.has(room.id)) {
        claimant.cashGifts.set(room.id, { roomId: room.id, amountKobo: room.amountKobo, certain: false });
      }
    }
  }

  // ─── end of the run ──────────────────────────────────────────────────────────────────────────

  /** Close every room the soak opened (after its gifts settled): what is left comes back to the creator. */
  async closeRooms(): Promise<void> {
    for (const room of this.rooms) {
      const creator = this.users[room.creator];
      if (!creator || room.refundKobo !== undefined) {
        continue;
      }
      const { reply } = await this.attempt("room-close", () =>
        this.deps.http.call({
          method: "POST",
          path: `/api/gift-rooms/${room.id}/close`,
          token: creator.token,
          label: "room-close",
        }),
      );
      if (reply && this.allowed("room-close", { reply, attempts: 1 }, [200])) {
        room.refundKobo = reply.body?.data?.refundedKobo ?? 0;
      }
    }
  }

  /** Read every order, withdrawal and funding intent again: the model uses their final states. */
  async refreshFacts(): Promise<void> {
    for (const user of this.users) {
      if (!user.token) {
        continue;
      }
      for (const order of user.orders.values()) {
        const { reply } = await this.attempt("final-order", () =>
          this.deps.http.call({
            method: "GET",
            path: `/api/vtu/orders/${order.id}`,
            token: user.token,
            label: "final-order",
          }),
        );
        const dto = reply?.body?.data?.order;
        if (dto) {
          order.state = dto.state;
          order.priceKobo = dto.priceKobo;
        }
      }
      for (const w of user.withdrawals.values()) {
        const { reply } = await this.attempt("final-withdrawal", () =>
          this.deps.http.call({
            method: "GET",
            path: `/api/wallet/withdrawals/${w.id}`,
            token: user.token,
            label: "final-withdrawal",
          }),
        );
        const dto = reply?.body?.data?.withdrawal;
        if (dto) {
          w.state = dto.state;
        }
      }
      for (const intent of user.intents.values()) {
        const { reply } = await this.attempt("final-intent", () =>
          this.deps.http.call({
            method: "GET",
            path: `/api/wallet/fund/${intent.txRef}`,
            token: user.token,
            label: "final-intent",
          }),
        );
        const status = reply?.body?.data?.intent?.status;
        if (status) {
          intent.state = status;
        }
      }
      await this.resolveUncertainCashGifts(user);
    }
  }

  /** An interrupted cash claim answered ALREADY_CLAIMED on retry: the wallet statement says whether it paid. */
  private async resolveUncertainCashGifts(user: SoakUser): Promise<void> {
    const uncertain = [...user.cashGifts.values()].filter((g) => !g.certain);
    if (uncertain.length === 0) {
      return;
    }
    const descriptions: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/wallet/transactions?limit=100${cursor ? `&cursor=${cursor}` : ""}`;
      const { reply } = await this.attempt("final-statement", () =>
        this.deps.http.call({ method: "GET", path, token: user.token, label: "final-statement" }),
      );
      const data = reply?.body?.data;
      for (const item of data?.items ?? []) {
        descriptions.push(String(item.description));
      }
      cursor = data?.nextCursor ?? null;
    } while (cursor);
    for (const gift of uncertain) {
      if (descriptions.some((d) => d.includes(gift.roomId))) {
        gift.certain = true;
      } else {
        user.cashGifts.delete(gift.roomId);
      }
    }
  }

  // ─── plumbing ────────────────────────────────────────────────────────────────────────────────

  /**
   * Run one step, again with the same keys while it dies of an injected fault (waiting for the
   * server to be back); an unexplained failure is already a violation and is retried the same way,
   * so the model still learns what happened.
   */
  private async attempt(label: string, step: () => Promise<Reply>): Promise<Outcome> {
    for (let attempts = 1; ; attempts++) {
      try {
        const reply = await step();
        if (attempts > 1) {
          this.stats.retriedOps++;
        }
        return { reply, attempts };
      } catch (error) {
        if (!(error instanceof RetryableFailure)) {
          throw error;
        }
        if (attempts >= 8) {
          this.deps.violations.add(
            "http",
            `${label} still failed after ${attempts} attempts: ${error.message}`,
          );
          return { attempts };
        }
        await new Promise((resolve) => setTimeout(resolve, 250 * attempts));
      }
    }
  }

  private count(label: string, reply: Reply): void {
    // The API's code, or for a page the reason it shows (the claim form's error line).
    const pageError = /data-testid="gift-error"[^>]*>([^<]{0,80})/.exec(reply.text)?.[1]?.trim();
    const why = reply.body?.code ?? pageError;
    const answer = `${reply.status}${why ? ` ${why}` : ""}`;
    const byAnswer = this.stats.answers.get(label) ?? new Map<string, number>();
    byAnswer.set(answer, (byAnswer.get(answer) ?? 0) + 1);
    this.stats.answers.set(label, byAnswer);
  }

  /** Count the answer; one outside `statuses` (and `extra`) is a contract violation. */
  private allowed(label: string, outcome: Outcome, statuses: number[], extra: number[] = []): boolean {
    const reply = outcome.reply;
    if (!reply) {
      return false;
    }
    this.count(label, reply);
    if (statuses.includes(reply.status) || extra.includes(reply.status)) {
      return true;
    }
    this.deps.violations.add(
      "contract",
      `${label} answered ${reply.status}, expected one of ${[...statuses, ...extra].join("/")}`,
      {
        code: reply.body?.code,
        error: reply.body?.error ?? reply.text.slice(0, 200),
        requestId: reply.body?.requestId,
        attempts: outcome.attempts,
      },
    );
    return false;
  }
}

function resultIdOf(kind: KeyedRequest["kind"], reply: Reply): string | undefined {
  const data = reply.body?.data;
  return kind === "order" ? data?.order?.id : kind === "withdrawal" ? data?.withdrawal?.id : data?.room?.id;
}

function redactBody(body: Record<string, unknown>): Record<string, unknown> {
  const { pin: _pin, ...rest } = body;
  return rest;
}

/** What a refusal page of the claim flow says, as the API's code. */
function pageRefusal(reply: Reply): string | undefined {
  if (reply.status === 200) {
    return undefined;
  }
  const text = reply.text.toLowerCase();
  if (text.includes("already claimed")) {
    return "ALREADY_CLAIMED";
  }
  if (text.includes("all the gifts") || reply.status === 409) {
    return text.includes("already") ? "ALREADY_CLAIMED" : "ROOM_FULL";
  }
  return undefined;
}
