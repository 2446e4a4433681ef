import type { Child } from "hono/jsx";

/** HTML shell: mobile-first, no external assets. JSX escapes text, so user data is never raw HTML. */
export function Layout(props: {
  title: string;
  sandbox: boolean;
  wide?: boolean;
  /** A page family's own rules, after the shared ones. */
  css?: string;
  /** Extra elements for the head (a page family's own styles). */
  head?: Child;
  children: Child;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* No favicon request: the pages ask nothing of the server they do not need. */}
        <link rel="icon" href="data:," />
        <title>{props.title}</title>
        <style>{`*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:30rem;padding:1rem;line-height:1.5;color:#1b1b1b;background:#f6f7f9}
.sandbox{background:#fff3cd;border:1px solid #e0b000;padding:.4rem .6rem;border-radius:.4rem;font-weight:600;text-align:center;margin:1rem 0}
a{color:#0a58ca}
.card{background:#fff;border-radius:.8rem;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.muted{color:#5c6370;font-size:.95rem}
.mono{font-family:ui-monospace,Menlo,monospace;word-break:break-all}
.amount{font-size:2.2rem;margin:.2rem 0}
.rows{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem;margin:1rem 0}
.rows dt{color:#5c6370}.rows dd{margin:0;text-align:right}
button,.button{display:block;width:100%;padding:.9rem 1rem;margin:.6rem 0;border-radius:.6rem;border:0;font-size:1.05rem;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}
.primary,.button{background:#0a7d3b;color:#fff}
.secondary{background:#eef0f3;color:#1b1b1b}
label{display:block;font-weight:600;margin:.8rem 0}
input.pin{display:block;width:100%;margin-top:.3rem;padding:.8rem;font-size:1.5rem;letter-spacing:.4em;border:1px solid #c8ccd2;border-radius:.6rem}
.badge{display:inline-block;padding:.25rem .7rem;border-radius:1rem;font-weight:600}
.badge.ok{background:#dcf5e5;color:#0a5d2c}.badge.wait{background:#fff3cd;color:#7a5b00}.badge.bad{background:#fde2e1;color:#8a1c14}
input.field,select.field{display:block;width:100%;margin-top:.3rem;padding:.75rem;font-size:1.1rem;border:1px solid #c8ccd2;border-radius:.6rem;background:#fff}
.error{background:#fde2e1;color:#8a1c14;padding:.6rem .8rem;border-radius:.6rem}
blockquote{margin:1rem 0;padding:.6rem .9rem;border-left:4px solid #0a7d3b;background:#f1f8f4;overflow-wrap:anywhere}
hr{border:0;border-top:1px solid #e3e6ea;margin:1.5rem 0}
body.wide{max-width:76rem}
body.wide button,body.wide .button{display:inline-block;width:auto;padding:.5rem .9rem;font-size:.95rem;margin:.3rem .3rem .3rem 0}
.adminnav{display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:0 0 1rem;padding:.6rem .8rem;background:#fff;border-radius:.6rem}
table.list{width:100%;border-collapse:collapse;font-size:.92rem;background:#fff}
table.list th,table.list td{padding:.35rem .5rem;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
table.list td.num,table.list th.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr));gap:1rem;align-items:start}
figure{margin:0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.6rem;margin:1rem 0}
.tile{background:#fff;border-radius:.6rem;padding:.7rem .9rem}.tile b{display:block;font-size:1.35rem}
form.inline{display:inline}
form.filters{display:flex;flex-wrap:wrap;gap:.2rem 1rem;align-items:flex-end}form.filters label{margin:.3rem 0;font-weight:500}
.alert{border-left:4px solid #e0b000;background:#fffbea;padding:.6rem .8rem;margin:.5rem 0;border-radius:.4rem}.alert.critical{border-color:#c0392b;background:#fdecea}
body.wide input.field,body.wide select.field{display:inline-block;width:auto;font-size:.95rem;padding:.4rem .5rem}
[hidden]{display:none!important}
.selectall{user-select:all;-webkit-user-select:all}
.hint{margin:.3rem 0 0}
.danger{background:#b42318;color:#fff}
fieldset{border:1px solid #e3e6ea;border-radius:.6rem;margin:.8rem 0;padding:.4rem .8rem}
fieldset label,label.check{font-weight:400;margin:.4rem 0}`}</style>
        {props.css ? <style>{props.css}</style> : null}
        {props.head ?? null}
      </head>
      <body class={props.wide ? "wide" : undefined}>
        {/* A landmark of its own, so a screen reader's landmark list reaches it (nothing outside one). */}
        {props.sandbox ? (
          <aside class="sandbox" aria-label="Sandbox">
            SANDBOX — no real money moves.
          </aside>
        ) : null}
        {props.children}
      </body>
    </html>
  );
}
