import { describe, expect, it } from "vitest";
import { looksLikePidgin } from "./detect-pidgin";

describe("looksLikePidgin", () => {
  it.each([
    "wetin be my balance",
    "abeg load 200 for my number",
    "I dey find data",
    "una get MTN data?",
    "I wan buy airtime",
    "I no sabi how to fund",
    "oya send am",
    "my pikin need data",
    "e don reach?",
    "make I check my balance",
    "I no see the money",
    "how far, wetin dey happen",
    "Abeg, comot am",
    "Wahala dey o",
  ])("Pidgin: %s", (text) => {
    expect(looksLikePidgin(text)).toBe(true);
  });

  it.each([
    "what is my balance",
    "buy 500 airtime for 08031234567",
    "I want to buy data",
    "hello",
    "Make sure it is MTN",
    "please fund my wallet with 5000",
    "I do not know my PIN",
    "show my recent orders",
    "Dennis sent me",
    "send me the receipt",
    "make it 1000",
    "1234",
    "menu",
    "wanted: 2GB data",
  ])("English: %s", (text) => {
    expect(looksLikePidgin(text)).toBe(false);
  });

  it("nothing typed is not Pidgin", () => {
    expect(looksLikePidgin(undefined)).toBe(false);
    expect(looksLikePidgin("")).toBe(false);
  });
});
