/**
 * Whether a message looks like Nigerian Pidgin, to offer replies in Pidgin (issue 16). Cheap and
 * conservative: one word that only Pidgin uses ("wetin", "abeg", "dey", "una") or a Pidgin phrase
 * ("I no", "e don", "make I") is enough; English words that merely resemble them ("den", "wan" in a
 * name) are not listed. A miss costs only the offer; a false hit asks an English speaker once.
 */

/** Words an English message does not use. */
const PIDGIN_WORDS = [
  "wetin",
  "abeg",
  "abi",
  "dey",
  "una",
  "wan",
  "sabi",
  "oya",
  "comot",
  "pikin",
  "wahala",
  "dem",
  "sef",
  "shey",
  "sha",
  "wey",
  "howfa",
  "howfar",
  "na wa",
  "no vex",
  "ehen",
  "jare",
  "biko",
  "kuku",
  "sharp sharp",
  "don do",
  "wetin dey",
  "una dey",
];

/** Phrases made of English words, in the order only Pidgin puts them. */
const PIDGIN_PHRASES = [
  /\bi no (?:fit|get|see|sabi|wan|dey|understand|know)\b/,
  /\be don\b/,
  /\bi don\b/,
  /\bmake i\b/,
  /\bmake una\b/,
  /\bmake you\b(?! (?:sure|a|an|the|it|me|this|that)\b)/,
  /\bwhich one be\b/,
  /\bhow (?:much|far) (?:e|na) be\b/,
  /\bna (?:so|im|am|me|you|this|that|how)\b/,
  /\bno be\b/,
  /\bfor (?:my|your) side\b/,
  /\bgo (?:load|buy|send|pay)\b.*\bam\b/,
  /\b(?:load|buy|send|give) am\b/,
];

const WORD_RE = new RegExp(
  `(?:^|[^a-z])(?:${PIDGIN_WORDS.map((w) => w.replace(/ /g, "\\s+")).join("|")})(?=$|[^a-z])`,
);

export function looksLikePidgin(text: string | undefined): boolean {
  if (!text) {
    return false;
  }
  const lower = text.toLowerCase().replace(/[’']/g, "");
  return WORD_RE.test(lower) || PIDGIN_PHRASES.some((re) => re.test(lower));
}
