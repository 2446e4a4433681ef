import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { Config } from "../../config";
import type { AppEnv } from "../context";
import { openApiDocument } from "./document";

/**
 * `/openapi.json` (the document, generated from the routes' own schemas) and `/docs` (Swagger UI,
 * served from the swagger-ui-dist package: nothing is fetched from a CDN, and the page's CSP
 * allows only this origin). In sandbox mode "Try it out" is on and runs against this server; in
 * live mode it is off, so the docs page cannot move real money by accident.
 */
export function docsRoutes(api: OpenAPIHono<AppEnv>, config: Config) {
  const app = new Hono<AppEnv>();
  const assets = swaggerAssets();
  let cached: string | undefined;

  app.get("/openapi.json", (c) => {
    // The document depends only on the routes and config, which do not change while running.
    cached ??= JSON.stringify(openApiDocument(api, config, new URL(c.req.url).origin));
    c.header("Cache-Control", "no-cache");
    c.header("Access-Control-Allow-Origin", "*");
    return c.body(cached, 200, { "Content-Type": "application/json; charset=utf-8" });
  });

  app.get("/docs", (c) => {
    c.header("Content-Security-Policy", DOCS_CSP);
    return c.html(docsPage(config.sandbox));
  });
  app.get("/docs/", (c) => c.redirect("/docs", 301));
  app.get("/docs/init.js", (c) => {
    c.header("Cache-Control", "no-cache");
    return c.body(initScript(config.sandbox), 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });
  app.get("/docs/assets/:file", (c) => {
    const asset = assets.get(c.req.param("file"));
    if (!asset) {
      return c.text("Not found", 404);
    }
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(asset.body, 200, { "Content-Type": asset.type });
  });
  return app;
}

// Swagger UI sets inline styles on elements; scripts and requests stay on this origin.
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const ASSET_FILES: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

/** The few swagger-ui-dist files the page uses, read once at start-up. */
function swaggerAssets(): Map<string, { body: Uint8Array<ArrayBuffer>; type: string }> {
  const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  return new Map(
    Object.entries(ASSET_FILES).map(([file, type]) => [
      file,
      { body: Uint8Array.from(readFileSync(join(dir, file))), type },
    ]),
  );
}

function docsPage(sandbox: boolean): string {
  const banner = sandbox
    ? "Sandbox: no real money moves here. Use “Authorize” with a session token or API key, then “Try it out”."
    : "Live API: “Try it out” is off here. Use a sandbox deployment to try requests.";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TADA VTU API docs</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<p id="mode-banner" style="margin:0;padding:10px 16px;font:14px/1.4 system-ui,sans-serif;background:${sandbox ? "#fff4d6" : "#e8f0fe"}">${banner} The raw document is at <a href="/openapi.json">/openapi.json</a>.</p>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;
}

function initScript(sandbox: boolean): string {
  const options = {
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    displayRequestDuration: true,
    tryItOutEnabled: sandbox,
    supportedSubmitMethods: sandbox ? ["get", "post", "put", "patch", "delete"] : [],
  };
  return `window.ui = SwaggerUIBundle(${JSON.stringify(options)});\n`;
}
