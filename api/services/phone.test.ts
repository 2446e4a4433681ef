import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors";
import { guessNetwork, maskPhone, normalizePhone } from "./phone";

const REFUSAL = "That is not a Nigerian mobile number. Use 11 digits like 08031234567 or +2348031234567.";

describe("normalizePhone", () => {
  it.each([
    ["+234 803 123 4567", "08031234567"],
    ["+2348031234567", "08031234567"],
    ["2348031234567", "08031234567"],
    ["234-803-123-4567", "08031234567"],
    ["0803 123 4567", "08031234567"],
    ["(0803)1234567", "08031234567"],
    ["0803.123.4567", "08031234567"],
    ["  08031234567  ", "08031234567"],
    ["8031234567", "08031234567"],
    ["07011234567", "07011234567"],
    ["09151234567", "09151234567"],
  ])("%j → %s", (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    "12345",
    "",
    "06031234567",
    "0603 123 4567",
    "08O31234567",
    "phone: 0803",
    "abcdefghijk",
    "+1 212 555 1234",
    "+1 803 123 4567",
    "+44 7911 123456",
    "080312345678",
    "0803123456",
    "08231234567",
    "+234 603 123 4567",
  ])("refuses %j with a clear message", (input) => {
    expect(() => normalizePhone(input)).toThrow(ValidationError);
    expect(() => normalizePhone(input)).toThrow(REFUSAL);
  });

  it("flags the phone field with a stable code", () => {
    try {
      normalizePhone("12345");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe("INVALID_PHONE");
      expect((error as ValidationError).details).toEqual({ field: "phone" });
    }
  });
});

describe("maskPhone", () => {
  it("keeps the prefix and last four digits", () => {
    expect(maskPhone("08031234567")).toBe("0803***4567");
    expect(maskPhone("123")).toBe("***");
  });
});

describe("guessNetwork", () => {
  const agreed = {
    mtn: ["0703", "0706", "0803", "0806", "0810", "0813", "0814", "0816", "0903", "0906", "0913", "0916"],
    airtel: ["0701", "0708", "0802", "0808", "0812", "0901", "0902", "0904", "0907", "0912"],
    glo: ["0705", "0805", "0807", "0811", "0815", "0905", "0915"],
    "9mobile": ["0809", "0817", "0818", "0908", "0909"],
  } as const;

  for (const [network, prefixes] of Object.entries(agreed)) {
    it.each(prefixes)(`%s is ${network} by prefix`, (prefix) => {
      const guess = guessNetwork(`${prefix}1234567`);
      expect(guess.network).toBe(network);
      expect(guess.confidence).toBe("prefix");
    });
  }

  it.each([
    ["07041234567", "mtn"],
    ["07025123456", "mtn"],
    ["07026123456", "mtn"],
    ["07071234567", "mtn"],
    ["07021234567", "mtn"],
    ["09111234567", "airtel"],
  ])("%s is disputed, most likely %s", (phone, network) => {
    const guess = guessNetwork(phone);
    expect(guess.network).toBe(network);
    expect(guess.confidence).toBe("disputed");
  });

  it("explains a disputed prefix", () => {
    expect(guessNetwork("07041234567").note).toMatch(/Visafone/);
    expect(guessNetwork("07021234567").note).toMatch(/Smile/);
  });

  it.each([
    ["08041234567", /Ntel/],
    ["08011234567", /MAFAB/],
    ["07091234567", /0709/],
    ["09101234567", /0910/],
    ["08191234567", /0819/],
  ])("%s has no network we sell", (phone, mentions) => {
    const guess = guessNetwork(phone);
    expect(guess.network).toBeUndefined();
    expect(guess.confidence).toBe("unknown");
    expect(guess.note).toMatch(mentions);
  });

  it.each(["", "0803", "+2348031234567", "8031234567", "0803123456x"])(
    "does not guess for a non-normalised %j",
    (phone) => {
      expect(guessNetwork(phone)).toMatchObject({ network: undefined, confidence: "unknown" });
    },
  );

  it.each(["08031234567", "07041234567", "09111234567", "08041234567", "07091234567", "123"])(
    "always tells the user %s may be ported and to confirm or choose the network",
    (phone) => {
      const { note } = guessNetwork(phone);
      expect(note).toMatch(/ported/);
      expect(note).toMatch(/confirm the network|choose the network/);
    },
  );

  it("names the network in a readable way", () => {
    expect(guessNetwork("08031234567").note).toBe(
      "0803 numbers are usually MTN. Numbers can be ported between networks, so please confirm the network before you pay.",
    );
    expect(guessNetwork("09081234567").note).toMatch(/^0908 numbers are usually 9mobile\./);
  });
});
