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
