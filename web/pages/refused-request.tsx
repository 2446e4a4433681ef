import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Layout } from "../layout";

/**
 * What a person sees when the HTTP edge refuses a request before any page runs (a character that
 * cannot be stored, a form too large or unreadable): what was wrong and what to do, never a stack.
 */
export function RefusedRequestPage(props: {
  status: ContentfulStatusCode;
  message: string;
  sandbox: boolean;
}) {
  const heading = props.status === 413 ? "That form is too large" : "That request could not be used";
  return (
    <Layout title={`${heading} — TADA VTU`} sandbox={props.sandbox}>
      <main class="card">
        <h1>{heading}</h1>
        <p class="error" data-testid="refusal">
          {props.message}
        </p>
        <p class="muted">Nothing was done. Go back, correct what you typed, and try again.</p>
      </main>
    </Layout>
  );
}

/** The page answer of the input guard and the body limit outside the API. */
export function refusedRequestPage(sandbox: boolean) {
  return (c: Context, status: ContentfulStatusCode, message: string) =>
    c.html(<RefusedRequestPage status={status} message={message} sandbox={sandbox} />, status);
}

/**
 * An unknown address outside the API, as a browser asked for it: a page, not the API's JSON (a typo
 * in a link, an old bookmark). The chat is where everything starts, so it points there.
 */
export function NotFoundPage(props: { sandbox: boolean; path: string }) {
  return (
    <Layout title="Page not found — TADA VTU" sandbox={props.sandbox}>
      <main class="card">
        <h1>Page not found</h1>
        <p data-testid="not-found">
          There is no page at <span class="mono">{props.path.slice(0, 120)}</span>.
        </p>
        <p class="muted">
          Check the link you were sent. Gift, PIN and payment links come from the TADA chat: ask the chat for
          a new one if this one was cut short.
        </p>
        <p>
          <a href="/">TADA VTU home</a>
        </p>
      </main>
    </Layout>
  );
}

/** The 404 answer for a browser outside the API (api/http/app.ts decides when it applies). */
export function notFoundPage(sandbox: boolean) {
  return (c: Context) => c.html(<NotFoundPage sandbox={sandbox} path={c.req.path} />, 404);
}
