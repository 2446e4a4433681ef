import { knownNetwork as knownNetworkOf } from "../../../api/services/beneficiaries";
import type { Network } from "../../../api/services/vtu";
import type { FlowContext } from "../types";

/** The network this person's number is known to be on (api/services/beneficiaries.ts knownNetwork). */
export function knownNetwork(fc: FlowContext, phone: string): Promise<Network | undefined> {
  return knownNetworkOf({ ctx: fc.ctx, userId: fc.userId, phone });
}
