import type { Child } from "hono/jsx";

/** HTML shell: mobile-first, no external assets. JSX escapes text, so user data is never raw HTML. */
export function Layout(props: { title: string; sandbox: boolean; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style>{`body{font-family:system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;line-height:1.5;color:#1b1b1b}
.sandbox{background:#fff3cd;border:1px solid #e0b000;padding:.4rem .6rem;border-radius:.3rem;font-weight:600}
a{color:#0a58ca}`}</style>
      </head>
      <body>
        {props.sandbox ? <p class="sandbox">SANDBOX — no real money moves.</p> : null}
        {props.children}
      </body>
    </html>
  );
}
