import { describe, expect, it } from "vitest";
import { canonicalAllowListEntry, ipAllowed } from "./ip-allow-list";

describe("API key IP allow-list entries", () => {
  it("writes addresses and CIDRs in canonical form (IPv4-mapped IPv6 as IPv4)", () => {
    const cases: [string, string][] = [
      ["203.0.113.7", "203.0.113.7"],
      [" 203.0.113.0/24 ", "203.0.113.0/24"],
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["2001:db8::/32", "2001:db8::/32"],
      ["1:0:0:1:0:0:0:1", "1:0:0:1::1"],
      ["::ffff:203.0.113.7", "203.0.113.7"],
      ["::ffff:203.0.113.0/120", "203.0.113.0/24"],
      ["0.0.0.0/0", "0.0.0.0/0"],
      ["::/0", "::/0"],
    ];
    for (const [entry, canonical] of cases) {
      expect(canonicalAllowListEntry(entry), entry).toEqual({ entry: canonical });
    }
  });

  it("says what is wrong with an entry", () => {
    const problem = (entry: string) => {
      const result = canonicalAllowListEntry(entry);
      return "problem" in result ? result.problem : "";
    };
    expect(problem("example.com")).toMatch(/not an IP address or CIDR/);
    expect(problem("203.0.113.7/24/8")).toMatch(/not an IP address or CIDR/);
    expect(problem("fe80::1%eth0")).toMatch(/not an IP address or CIDR/);
    expect(problem("203.0.113.7/33")).toMatch(/from 0 to 32/);
    expect(problem("2001:db8::/x")).toMatch(/from 0 to 128/);
    expect(problem("203.0.113.7/24")).toMatch(/did you mean 203\.0\.113\.0\/24/);
    expect(problem("2001:db8::1/32")).toMatch(/did you mean 2001:db8::\/32/);
  });

  it("matches client addresses against entries, IPv4 and IPv6, mapped or not", () => {
    const list = ["203.0.113.0/24", "198.51.100.7", "2001:db8::/32"];
    for (const ip of [
      "203.0.113.0",
      "203.0.113.255",
      "198.51.100.7",
      "::ffff:203.0.113.9",
      "2001:db8:1::1",
    ]) {
      expect(ipAllowed(ip, list), ip).toBe(true);
    }
    for (const ip of ["203.0.112.255", "198.51.100.8", "2001:db9::", "::1", "unknown", ""]) {
      expect(ipAllowed(ip, list), ip).toBe(false);
    }
    expect(ipAllowed("192.0.2.1", ["0.0.0.0/0"])).toBe(true);
    expect(ipAllowed("192.0.2.1", ["::/0"])).toBe(false);
  });
});
