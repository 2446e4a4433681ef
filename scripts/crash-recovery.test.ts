import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findRunningPostmaster } from "../db/embedded";
import { TEST_PEPPER } from "../test/helpers/context";
import { type Started, spawnApp } from "../test/helpers/spawn-app";
import { freePort } from "./lib/free-port";

/**
 * Crash recovery in seconds (issue 13, item 7): `npm start` on the embedded default is killed with
 * SIGKILL while its orders are inside the provider call, with every lease and heartbeat setting at
 * its default (a 120 s submit lease). The restart is the same instance (one per data directory), so
 * the leases of the dead run are dead at once: its orders settle within 15 s of /healthz, not after
 * their leases run out.
 */

const dataDir = path.join(os.tmpdir(), `tada-crash-${process.pid}-${Date.now()}`);
const children: ChildProcess[] = [];
const ORDERS = 3;
/** Long enough that the orders are still inside the sandbox's provider call when the app is killed. */
const SANDBOX_LATENCY_MS = 3_000;

async function startApp(env: Record<string, string>): Promise<Started> {
  const started = await spawnApp(
    {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/root",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      PIN_PEPPER: TEST_PEPPER,
      SANDBOX_LATENCY_MS: String(SANDBOX_LATENCY_MS),
      VTU_RESPONSE_WAIT_MS: "0",
      ...env,
    },
    { readyWithinMs: 60_000 },
  );
  children.push(started.child);
  return started;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      await exited(child);
    }
  }
  const orphan = findRunningPostmaster(path.join(dataDir, "pg"));
  if (orphan) {
    process.kill(orphan.pid, "SIGINT");
  }
  rmSync(dataDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of several routes; the assertions check them.
type Api = (method: string, route: string, body?: unknown, headers?: Record<string, string>) => Promise<any>;

function apiOn(base: string, token?: string): Api {
  return async (method, route, body, headers = {}) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: unknown; error?: string };
    if (res.status >= 400) {
      throw new Error(`${method} ${route} → ${res.status}: ${JSON.stringify(json)}`);
    }
    return json.data;
  };
}

describe("crash recovery (kill -9 of npm start)", () => {
  it("orders inside the provider call at the kill settle within 15 s of the restart's /healthz", async () => {
    const port = await freePort();
    const env = { PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()) };
    const base = `http://127.0.0.1:${port}`;
    const first = await startApp(env);

    const phone = "08031112233";
    await apiOn(base)("POST", "/api/auth/register", { phone, password: "correct-horse-9" });
    const { token } = await apiOn(base)("POST", "/api/auth/login", { phone, password: "correct-horse-9" });
    const api = apiOn(base, token);
    await api("POST", "/api/auth/pin", { pin: "2580" });
    await api("POST", "/api/sandbox/fund", { amountKobo: 1_000_000 });
    const ids: string[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const placed = await api(
        "POST",
        "/api/vtu/airtime",
        { network: "mtn", phone: `0803555${String(1000 + i)}`, amountKobo: 10_000, pin: "2580" },
        { "idempotency-key": `crash-${i}` },
      );
      ids.push(placed.order.id);
    }
    const states = async () =>
      Promise.all(ids.map(async (id) => (await api("GET", `/api/vtu/orders/${id}`)).order.state as string));
    const deadline = Date.now() + SANDBOX_LATENCY_MS;
    while (!(await states()).every((s) => s === "submitting")) {
      expect(Date.now(), `orders did not reach the provider call: ${await states()}`).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 50));
    }

    first.child.kill("SIGKILL");
    await exited(first.child);

    await startApp(env);
    const healthyAt = Date.now();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    let settled: string[] = [];
    while (Date.now() - healthyAt < 30_000) {
      settled = await states();
      if (settled.every((s) => s === "delivered")) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const recoveredMs = Date.now() - healthyAt;
    process.stdout.write(`[crash-recovery] in-flight orders delivered ${recoveredMs} ms after /healthz\n`);
    expect(settled).toEqual(ids.map(() => "delivered"));
    expect(recoveredMs).toBeLessThan(15_000);

    // Each was vended once and paid once: the balance is the funding minus three prices.
    const orders = await Promise.all(
      ids.map(async (id) => (await api("GET", `/api/vtu/orders/${id}`)).order),
    );
    const spent = orders.reduce((sum: number, o: { priceKobo: number }) => sum + o.priceKobo, 0);
    const balance = await api("GET", "/api/wallet/balance");
    expect(balance).toMatchObject({ balanceKobo: 1_000_000 - spent, heldKobo: 0 });
  }, 180_000);
});
