import type { CatalogueCache } from "../catalogue/order-cache";
import type { PgListener } from "../pg-listener";
import type { OrderOutcomes } from "./order-outcomes";
import type { VtuService } from "./provider";
import type { ProviderRegistry } from "./registry";

/** A request to run order work soon. The queue only triggers: the state lives in `vtu_orders`. */
export type SubmitPlan = { service: VtuService; productId: string; faceAmountKobo: number };

export type VtuJob = {
  name: "submit-order" | "requery-order";
  orderId: string;
  /** Requery a delivered order too (a webhook may announce a reversal). */
  includeDelivered?: boolean;
  /**
   * A submit job's order as its creator wrote it (product and face amount): lets the first step run
   * as one statement (process-order.ts). Checked against the order row, so a stale one only costs
   * the general path.
   */
  plan?: SubmitPlan;
  /** Part of the job id: jobs with the same name, order and dedupe run once while queued. */
  dedupe?: string;
};

/** What the order verbs need beyond the ServiceContext: the providers and a way to trigger jobs. */
export type VtuRuntime = {
  providers: ProviderRegistry;
  /** Enqueue; a failure here is logged by the caller and repaired by the sweeper. */
  dispatch(job: VtuJob): Promise<void>;
  /**
   * This process's boot id (processes.ts): the owner recorded on the leases it takes. Absent in
   * tests and scripts, whose leases then last until their time runs out.
   */
  owner?: string;
  /** Order outcomes pushed by PostgreSQL (LISTEN): purchase requests wait on them instead of polling. */
  outcomes?: OrderOutcomes;
  /** The order path's copy of the priced catalogue (catalogue/order-cache.ts); absent: read each time. */
  catalogue?: CatalogueCache;
  /**
   * The process's LISTEN connection (pg-listener.ts), which the caches above use; the composition
   * root hands it to the HTTP app's credential cache too (auth/credential-cache.ts).
   */
  listener?: PgListener;
  /** Release what the runtime holds (the listening connection). */
  close?(): Promise<void>;
};
