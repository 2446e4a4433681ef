import { Hono } from "hono";
import type { Config } from "../api/config";
import { Layout } from "./layout";

/** Server-rendered pages. The checkout, gift-claim and admin pages join this app in later issues. */
export function createWebApp(deps: { config: Config }) {
  const app = new Hono();
  app.get("/", (c) =>
    c.html(
      <Layout title="TADA VTU" sandbox={deps.config.sandbox}>
        <h1>TADA VTU</h1>
        <p>Airtime, data, cable TV and electricity — from your chat, paid from one wallet.</p>
        <ul>
          <li>
            API health: <a href="/healthz">/healthz</a>
          </li>
          <li>API: see the README for routes and curl examples.</li>
        </ul>
      </Layout>,
    ),
  );
  return app;
}
