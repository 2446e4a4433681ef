import { NETWORK_NAMES } from "./catalogue/normalize";
import { ValidationError } from "./errors";
import type { Network } from "./vtu/provider";

/**
 * Normalise a Nigerian mobile number to the 11-digit local form (08031234567). Accepts +234…, 234…, 0… and
 * spaces, dashes, dots or brackets between digits. Anything else is refused with a clear message.
 */
export function normalizePhone(input: string): string {
  // "+234 (0)803…" is a common way to write it: the bracketed trunk zero is dropped.
  const compact = input
    .trim()
    .replace(/^(\+?234)\s*\(0\)/, "$1")
    .replace(/[\s\-.()]/g, "");
  let national: string | undefined;
  if (/^\+?234\d{10}$/.test(compact)) {
    national = `0${compact.slice(-10)}`;
  } else if (/^0\d{10}$/.test(compact)) {
    national = compact;
  } else if (/^[789]\d{9}$/.test(compact)) {
    national = `0${compact}`;
  }
  if (!national || !/^0[789][01]\d{8}$/.test(national)) {
    throw new ValidationError(
      "That is not a Nigerian mobile number. Use 11 digits like 08031234567 or +2348031234567.",
      { field: "phone" },
      "INVALID_PHONE",
    );
  }
  return national;
}

/** 08031234567 → 0803***4567, for anything a human or a log sees about someone else's number. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 4)}***${phone.slice(7)}` : "***";
}

export type NetworkGuess = {
  network: Network | undefined;
  /**
   * prefix: every source agrees on the prefix's original network. disputed: sources disagree or the
   * prefix came from a merged operator; `network` is the most likely one. unknown: not one of ours.
   */
  confidence: "prefix" | "disputed" | "unknown";
  /** For the user: what we guessed and why they must confirm it. */
  note: string;
};

/** Prefixes several sources agree on (providers.md §5). */
const AGREED_PREFIXES: Record<Network, readonly string[]> = {
  mtn: ["0703", "0706", "0803", "0806", "0810", "0813", "0814", "0816", "0903", "0906", "0913", "0916"],
  airtel: ["0701", "0708", "0802", "0808", "0812", "0901", "0902", "0904", "0907", "0912"],
  glo: ["0705", "0805", "0807", "0811", "0815", "0905", "0915"],
  "9mobile": ["0809", "0817", "0818", "0908", "0909"],
};

/**
 * Prefixes where sources disagree, longest first so 07025 wins over 0702. Each names the most
 * likely network and, for the user, why we are unsure.
 */
const DISPUTED_PREFIXES: { prefix: string; network: Network; why: string }[] = [
  { prefix: "07025", network: "mtn", why: "07025 was a Visafone prefix and is now MTN" },
  { prefix: "07026", network: "mtn", why: "07026 was a Visafone prefix and is now MTN" },
  { prefix: "0704", network: "mtn", why: "0704 was a Visafone prefix and is now MTN" },
  { prefix: "0707", network: "mtn", why: "0707 is usually MTN, but older lists give it to another operator" },
  { prefix: "0702", network: "mtn", why: "0702 is listed as MTN by some sources and as Smile by others" },
  { prefix: "0911", network: "airtel", why: "0911 is newer and usually Airtel" },
];

/** Operators we cannot sell to: named so the user knows why we cannot guess. */
const OTHER_OPERATORS: { prefix: string; name: string }[] = [
  { prefix: "0804", name: "Ntel" },
  { prefix: "0801", name: "MAFAB" },
];

const CONFIRM = "Numbers can be ported between networks, so please confirm the network before you pay.";
const CHOOSE = "Numbers can be ported between networks, so please choose the network yourself.";

/**
 * Guess the network of a normalised 11-digit number (08031234567) from its prefix. A prefix only shows the
 * network that first issued the number (portability since 2013), so the answer is a default for the
 * user to confirm, never a fact to vend on without asking.
 */
export function guessNetwork(phone: string): NetworkGuess {
  if (!/^0\d{10}$/.test(phone)) {
    return {
      network: undefined,
      confidence: "unknown",
      note: `That does not look like an 11-digit Nigerian number, so we cannot tell its network. ${CHOOSE}`,
    };
  }
  const agreed = (Object.keys(AGREED_PREFIXES) as Network[]).find((network) =>
    AGREED_PREFIXES[network].includes(phone.slice(0, 4)),
  );
  if (agreed) {
    return {
      network: agreed,
      confidence: "prefix",
      note: `${phone.slice(0, 4)} numbers are usually ${NETWORK_NAMES[agreed]}. ${CONFIRM}`,
    };
  }
  const disputed = DISPUTED_PREFIXES.find((entry) => phone.startsWith(entry.prefix));
  if (disputed) {
    return {
      network: disputed.network,
      confidence: "disputed",
      note: `We think this is ${NETWORK_NAMES[disputed.network]}: ${disputed.why}. ${CONFIRM}`,
    };
  }
  const other = OTHER_OPERATORS.find((entry) => phone.startsWith(entry.prefix));
  return {
    network: undefined,
    confidence: "unknown",
    note: other
      ? `${other.prefix} was issued by ${other.name}, and we only sell MTN, Airtel, Glo and 9mobile. ${CHOOSE}`
      : `We cannot tell the network from ${phone.slice(0, 4)}. ${CHOOSE}`,
  };
}
