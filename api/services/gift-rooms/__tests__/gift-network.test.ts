import { describe, expect, it } from "vitest";
import { ServiceError } from "../../errors";
import { giftNetwork } from "../gift-network";

/** The network a gift goes on, and the words a recipient is refused with (issue 21 item 2). */
function refusal(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServiceError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected a refusal");
}

const MTN_DATA = { kind: "data", network: "mtn" } as const;
const AIRTIME = { kind: "airtime", network: null } as const;

describe("giftNetwork", () => {
  it("a data gift goes on its plan's network when the number looks like it, or is unknown", () => {
    expect(giftNetwork(MTN_DATA, "08031234567", undefined)).toBe("mtn");
    expect(giftNetwork(MTN_DATA, "08041234567", undefined)).toBe("mtn"); // Ntel: no guess to contradict
  });

  it("a number that looks like another network confirms it was moved by choosing the plan's network", () => {
    const asked = refusal(() => giftNetwork(MTN_DATA, "08051234567", undefined));
    expect(asked.code).toBe("NETWORK_CONFIRMATION_REQUIRED");
    expect(asked.message).toBe(
      "Your number looks like Glo. This gift is MTN data and only works on MTN lines. If you moved your number to MTN, confirm that and claim again; if not, use a number on MTN.",
    );
    expect(asked.details).toEqual({ field: "network", guessedNetwork: "glo", giftNetwork: "mtn" });
    expect(giftNetwork(MTN_DATA, "08051234567", "mtn")).toBe("mtn");
  });

  it("another network cannot take the plan, and says so without API words", () => {
    const wrong = refusal(() => giftNetwork(MTN_DATA, "08051234567", "glo"));
    expect(wrong.code).toBe("PLAN_NETWORK_MISMATCH");
    expect(wrong.message).toBe(
      "This gift is MTN data, so it only works on MTN lines, not on Glo. Claim with a number that is on MTN.",
    );
    expect(wrong.message).not.toMatch(/"network"|GET \/api/);
  });

  it("airtime takes the network chosen, and asks for one in plain words when none is", () => {
    expect(giftNetwork(AIRTIME, "08051234567", "mtn")).toBe("mtn");
    expect(refusal(() => giftNetwork(AIRTIME, "08031234567", undefined)).message).toBe(
      "Your number looks like MTN. Numbers can move between networks, so choose your network and claim again.",
    );
    expect(refusal(() => giftNetwork(AIRTIME, "08041234567", undefined)).message).toBe(
      "We cannot tell your number's network from its first digits. Choose your network and claim again.",
    );
  });

  it("cash needs no network", () => {
    expect(giftNetwork({ kind: "cash", network: null }, "08051234567", "glo")).toBeUndefined();
  });
});
