import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallbackReceiver, startCallbackReceiver } from "../../../test/helpers/callback-receiver";
import { testConfig } from "../../../test/helpers/context";
import { ValidationError } from "../errors";
import { postCallback } from "./http-post";
import { newCallbackSecret, openCallbackSecret, sealCallbackSecret } from "./secret";
import { callbackRetryDelayMs } from "./sender";
import { callbackSignatureHeader } from "./signature";
import { checkCallbackUrl, isPublicAddress } from "./url-policy";
import { verifyCallbackSignature } from "./verify";

/**
 * The parts of order callbacks that need no database: the signature both ways, the SSRF address
 * rules, the retry schedule, the sealed secret, and the POST's address pinning (against a real
 * local server).
 */
const SECRET = "tcs_unit-test-secret";
const NOW = new Date("2026-12-07T14:00:00Z");
const BODY = JSON.stringify({ event: "order.delivered", order: { id: "ord_1", priceKobo: 48_985 } });

describe("signature", () => {
  const header = callbackSignatureHeader({ secret: SECRET, body: BODY, now: NOW });

  it("is t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>", () => {
    const t = NOW.getTime() / 1000;
    const hex = createHmac("sha256", SECRET).update(`${t}.${BODY}`).digest("hex");
    expect(header).toBe(`t=${t},v1=${hex}`);
  });

  it("verifies a good one, from a string or the raw bytes", () => {
    expect(verifyCallbackSignature({ secret: SECRET, header, rawBody: BODY, now: NOW })).toEqual({
      ok: true,
      timestamp: NOW.getTime() / 1000,
    });
    const bytes = new TextEncoder().encode(BODY);
    expect(verifyCallbackSignature({ secret: SECRET, header, rawBody: bytes, now: NOW }).ok).toBe(true);
  });

  it("refuses a tampered body, a wrong secret, a changed timestamp", () => {
    const tampered = BODY.replace("48985", "48986");
    expect(verifyCallbackSignature({ secret: SECRET, header, rawBody: tampered, now: NOW })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(verifyCallbackSignature({ secret: `${SECRET}x`, header, rawBody: BODY, now: NOW })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    const later = header.replace(/t=(\d+)/, (_, t) => `t=${Number(t) + 1}`);
    expect(verifyCallbackSignature({ secret: SECRET, header: later, rawBody: BODY, now: NOW }).ok).toBe(
      false,
    );
  });

  it("refuses a timestamp more than 5 minutes away (old or future), by default and as told", () => {
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    expect(verifyCallbackSignature({ secret: SECRET, header, rawBody: BODY, now: at(300) }).ok).toBe(true);
    expect(verifyCallbackSignature({ secret: SECRET, header, rawBody: BODY, now: at(301) })).toEqual({
      ok: false,
      reason: "too_old",
    });
    expect(verifyCallbackSignature({ secret: SECRET, header, rawBody: BODY, now: at(-301) }).ok).toBe(false);
    expect(
      verifyCallbackSignature({ secret: SECRET, header, rawBody: BODY, now: at(60), toleranceSeconds: 30 })
        .ok,
    ).toBe(false);
  });

  it("refuses a missing or malformed header; accepts any one of several v1 values", () => {
    for (const bad of [undefined, null, "", "v1=abc", `t=${NOW.getTime() / 1000}`, "t=x,v1=zz", "garbage"]) {
      expect(verifyCallbackSignature({ secret: SECRET, header: bad, rawBody: BODY, now: NOW })).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
    const [t, v1] = header.split(",");
    const several = `${t},v1=${"0".repeat(64)},${v1}`;
    expect(verifyCallbackSignature({ secret: SECRET, header: several, rawBody: BODY, now: NOW }).ok).toBe(
      true,
    );
  });
});

describe("SSRF address rules", () => {
  it.each([
    "0.0.0.0",
    "10.1.2.3",
    "100.64.0.1",
    "100.127.255.254",
    "127.0.0.1",
    "127.255.255.255",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "192.0.0.8",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%eth0",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:a9fe:a9fe",
    "::ffff:7f00:1",
    "64:ff9b::a00:1",
    "2002:7f00:1::",
    "2001:db8::1",
    "not an address",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    "8.8.8.8",
    "93.184.216.34",
    "100.63.255.255",
    "100.128.0.1",
    "172.15.255.255",
    "172.32.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])("allows %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  const strict = { sandbox: false };
  const refusal = async (url: string, lookup?: () => Promise<{ address: string; family: number }[]>) => {
    try {
      await checkCallbackUrl({ url, ...strict, lookup });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).code;
    }
    return "allowed";
  };

  it("outside sandbox: https only, no credentials, no private host by name, literal or DNS answer", async () => {
    const publicDns = async () => [{ address: "93.184.216.34", family: 4 }];
    expect(await refusal("http://hooks.example.com/cb", publicDns)).toBe("CALLBACK_URL_INVALID");
    expect(await refusal("ftp://hooks.example.com/cb", publicDns)).toBe("CALLBACK_URL_INVALID");
    expect(await refusal("not a url")).toBe("CALLBACK_URL_INVALID");
    expect(await refusal("https://user:pw@hooks.example.com/cb", publicDns)).toBe("CALLBACK_URL_INVALID");
    expect(await refusal("https://hooks.example.com/cb#x", publicDns)).toBe("CALLBACK_URL_INVALID");
    expect(await refusal("https://localhost/cb")).toBe("CALLBACK_URL_PRIVATE");
    expect(await refusal("https://api.localhost/cb")).toBe("CALLBACK_URL_PRIVATE");
    expect(await refusal("https://127.0.0.1/cb")).toBe("CALLBACK_URL_PRIVATE");
    expect(await refusal("https://2130706433/cb")).toBe("CALLBACK_URL_PRIVATE"); // 127.0.0.1 as one number
    expect(await refusal("https://[::1]/cb")).toBe("CALLBACK_URL_PRIVATE");
    expect(await refusal("https://[::ffff:169.254.169.254]/cb")).toBe("CALLBACK_URL_PRIVATE");
    // A name with one public and one private answer is refused: the connection could use either.
    const mixed = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ];
    expect(await refusal("https://hooks.example.com/cb", mixed)).toBe("CALLBACK_URL_PRIVATE");
    const nowhere = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect(await refusal("https://hooks.example.com/cb", nowhere)).toBe("CALLBACK_URL_UNRESOLVED");
    expect(await refusal("https://hooks.example.com/cb", publicDns)).toBe("allowed");
    const checked = await checkCallbackUrl({
      url: "https://hooks.example.com/cb",
      ...strict,
      lookup: publicDns,
    });
    expect(checked.addresses).toEqual([{ address: "93.184.216.34", family: 4 }]);
  });

  it("in sandbox mode http and local addresses are allowed (no DNS asked)", async () => {
    const noDns = async () => {
      throw new Error("DNS must not be asked in sandbox mode");
    };
    for (const url of ["http://localhost:4000/cb", "http://127.0.0.1:4000/cb", "https://10.0.0.1/cb"]) {
      const checked = await checkCallbackUrl({ url, sandbox: true, lookup: noDns });
      expect(checked.url.href).toBe(url);
    }
    await expect(checkCallbackUrl({ url: "ftp://localhost/cb", sandbox: true })).rejects.toMatchObject({
      code: "CALLBACK_URL_INVALID",
    });
    // 1,500 characters typed, 9,000 once percent-encoded: refused, not stored past the column's limit.
    await expect(
      checkCallbackUrl({ url: `http://localhost/${"é".repeat(1_500)}`, sandbox: true }),
    ).rejects.toMatchObject({ code: "CALLBACK_URL_INVALID", message: /once encoded/ });
  });
});

describe("retry schedule", () => {
  it("30 s, 1 min, 2 min … doubling, capped at 1 hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((n) => callbackRetryDelayMs(n) / 1000)).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
    ]);
  });
});

describe("sealed secret", () => {
  const config = testConfig();

  it("opens for its own key only, and never holds the secret in clear", () => {
    const secret = newCallbackSecret();
    expect(secret).toMatch(/^tcs_[A-Za-z0-9_-]{43}$/);
    const sealed = sealCallbackSecret(config, "key_a", secret);
    expect(sealed).not.toContain(secret.slice(4));
    expect(openCallbackSecret(config, "key_a", sealed)).toBe(secret);
    expect(() => openCallbackSecret(config, "key_b", sealed)).toThrow();
  });
});

describe("the POST", () => {
  let receiver: CallbackReceiver;
  beforeAll(async () => {
    receiver = await startCallbackReceiver();
  });
  afterAll(() => receiver.close());

  it("connects to the pinned address, not to what DNS would say, and never follows a redirect", async () => {
    // ".invalid" never resolves: reaching the receiver proves the connection used the pinned address.
    const url = new URL(`http://callbacks.invalid:${receiver.port}/pinned`);
    receiver.answer(() => 302);
    const result = await postCallback({
      url,
      body: "{}",
      headers: { "content-type": "application/json" },
      timeoutMs: 2_000,
      pinned: [{ address: "127.0.0.1", family: 4 }],
    });
    expect(result).toEqual({ statusCode: 302, body: "receiver said 302" });
    expect(receiver.received.at(-1)?.path).toBe("/pinned");
    expect(receiver.received.at(-1)?.headers.host).toBe(`callbacks.invalid:${receiver.port}`);
    expect(receiver.received).toHaveLength(1);
  });

  it("gives up on a receiver that does not answer within the timeout", async () => {
    receiver.answer(() => "hang");
    const started = Date.now();
    const result = await postCallback({
      url: new URL(receiver.url),
      body: "{}",
      headers: {},
      timeoutMs: 300,
    });
    expect(result).toEqual({ error: "no answer within 300 ms (timed out)" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
