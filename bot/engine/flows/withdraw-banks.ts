import type { Bank } from "../../../api/services/funding";
import type { Choice } from "../types";

/** Banks most of our customers use, offered as buttons; any other is found by typing its name. */
const POPULAR_BANK_CODES = ["999992", "999991", "50515", "50211", "058", "044", "057", "011", "033"];

/** Telegram shows this many buttons comfortably; more is a wall to scroll. */
export const MAX_BANK_CHOICES = 8;

export function popularBanks(banks: Bank[]): Bank[] {
  return POPULAR_BANK_CODES.map((code) => banks.find((b) => b.code === code))
    .filter((b): b is Bank => b !== undefined)
    .slice(0, MAX_BANK_CHOICES);
}

/** Banks whose name contains every typed word ("first bank" finds "First Bank of Nigeria"). */
export function matchBanks(banks: Bank[], text: string): Bank[] {
  const words = text
    .toLowerCase()
    .replace(/\bgtb\b|\bgtbank\b/, "guaranty")
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "" && w !== "bank");
  if (words.length === 0) {
    return [];
  }
  const matches = banks.filter((b) => words.every((w) => b.name.toLowerCase().includes(w)));
  const exact = matches.filter((b) => b.name.toLowerCase() === text.trim().toLowerCase());
  return exact.length === 1 ? exact : matches;
}

export function bankChoices(banks: Bank[]): Choice[] {
  return banks.map((b) => ({ id: `bank:${b.code}`, label: b.name }));
}
