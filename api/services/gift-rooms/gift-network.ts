import { NETWORK_NAMES } from "../catalogue/normalize";
import { ValidationError } from "../errors";
import { guessNetwork } from "../phone";
import { NETWORKS, type Network } from "../vtu/provider";
import type { GiftRoomRow } from "./get-room";

/**
 * The network a gift is sent on, decided before any money moves, with refusals in words a recipient
 * understands (they read them on the claim page; the codes are the VTU's own, so API callers branch
 * the same way as for a purchase).
 *
 * - Airtime goes to any network, so the recipient's choice decides; without one, the prefix is only
 *   a guess (numbers are portable) and must be confirmed.
 * - A data plan works only on its own network. A number whose prefix says another network may have
 *   been moved (ported) to the plan's network: the recipient confirms that by choosing the plan's
 *   network. Choosing another network cannot work, and says so.
 * - Cash needs no network.
 */
export function giftNetwork(
  room: Pick<GiftRoomRow, "kind" | "network">,
  phone: string,
  chosen: Network | undefined,
): Network | undefined {
  if (room.kind === "cash") {
    return undefined;
  }
  const guess = guessNetwork(phone).network;
  if (room.kind === "airtime") {
    if (chosen) {
      return chosen;
    }
    throw new ValidationError(
      guess
        ? `Your number looks like ${NETWORK_NAMES[guess]}. Numbers can move between networks, so choose your network and claim again.`
        : "We cannot tell your number's network from its first digits. Choose your network and claim again.",
      { field: "network", guessedNetwork: guess ?? null },
      "NETWORK_CONFIRMATION_REQUIRED",
    );
  }
  const plan = NETWORKS.find((n) => n === room.network);
  if (!plan) {
    return chosen; // a plan with no known network: the VTU's own checks decide
  }
  const planName = NETWORK_NAMES[plan];
  if (chosen && chosen !== plan) {
    throw new ValidationError(
      `This gift is ${planName} data, so it only works on ${planName} lines, not on ${NETWORK_NAMES[chosen]}. Claim with a number that is on ${planName}.`,
      { field: "network", giftNetwork: plan },
      "PLAN_NETWORK_MISMATCH",
    );
  }
  if (!chosen && guess && guess !== plan) {
    const guessName = NETWORK_NAMES[guess];
    throw new ValidationError(
      `Your number looks like ${guessName}. This gift is ${planName} data and only works on ${planName} lines. If you moved your number to ${planName}, confirm that and claim again; if not, use a number on ${planName}.`,
      { field: "network", guessedNetwork: guess, giftNetwork: plan },
      "NETWORK_CONFIRMATION_REQUIRED",
    );
  }
  return plan;
}
