import type { StartLinks } from "../chat-links";
import { Layout } from "../layout";
import { StartButtons } from "./chat-links";

/**
 * The site's front door. People arrive from a shared gift link's "home", a 404, or by typing the
 * address: the chat is where customers buy, so the bot comes first; resellers want the API reference.
 */
export function HomePage(props: { sandbox: boolean; start: StartLinks }) {
  const hasBot = props.start.telegram !== null || props.start.whatsapp !== null;
  return (
    <Layout title="TADA VTU" sandbox={props.sandbox}>
      <main class="card">
        <h1>TADA VTU</h1>
        <p>Airtime, data, cable TV and electricity — from your chat, paid from one wallet.</p>
        {hasBot ? (
          <p>
            <StartButtons links={props.start} />
          </p>
        ) : (
          <p class="muted" data-testid="no-bot">
            The chat is not connected on this server yet.
            {props.sandbox ? (
              <>
                {" "}
                Try it in a terminal:{" "}
                {/* Not .mono: that class breaks anywhere (for ids); a command breaks only at its spaces. */}
                <code>npm run chat -- --as 08031234567</code>
              </>
            ) : null}
          </p>
        )}
        <h2>For resellers and developers</h2>
        <ul>
          <li>
            <a href="/docs">The API reference</a> (every route, with examples
            {props.sandbox ? " and Try it out" : ""}; the document itself is{" "}
            <a href="/openapi.json">/openapi.json</a>)
          </li>
          <li>
            Service health: <a href="/healthz">/healthz</a>
          </li>
        </ul>
      </main>
    </Layout>
  );
}
