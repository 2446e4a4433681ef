import { describe, expect, it } from "vitest";
import { pinOccurrences } from "./sentinel";

describe("pinOccurrences (the S11 sentinel check)", () => {
  it("finds a PIN wherever it stands as a value of its own", () => {
    expect(pinOccurrences('{"pin":"9137"}', "9137")).toHaveLength(1);
    expect(pinOccurrences("Your PIN 9137 was used", "9137")).toHaveLength(1);
    expect(pinOccurrences('{"text":"9137\\n"}', "9137")).toHaveLength(1);
    expect(pinOccurrences("<b>9137</b>", "9137")).toHaveLength(1);
  });

  it("ignores random ids, timestamps and durations that happen to hold the digits", () => {
    const line =
      '{"time":"2026-12-04T22:09:13.7Z","requestId":"req_43a86c98-3fa6-4751-9f5f-591372c5bb49",' +
      '"pinLinkId":"pln_9137abcd","ms":9137,"amount":191370}';
    expect(pinOccurrences(line, "9137")).toEqual([]);
  });
});
