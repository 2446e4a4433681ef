import type { TestApp } from "./http";

/**
 * A browser in miniature for the admin panel's server-side tests: keeps cookies between requests
 * and reads the page's CSRF field (pass a getter when a test swaps the app), so a test can sign in and post forms the way a person would.
 */
export function adminBrowser(appOrGetter: TestApp | (() => TestApp)) {
  const currentApp = () => (typeof appOrGetter === "function" ? appOrGetter() : appOrGetter);
  const jar = new Map<string, string>();
  const request = async (method: string, path: string, form?: Record<string, string>) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await currentApp().request(path, {
      method,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(";");
      const [name, ...value] = (pair ?? "").split("=");
      if (name) {
        if (/Max-Age=0/i.test(set) || value.join("=") === "") {
          jar.delete(name);
        } else {
          jar.set(name, value.join("="));
        }
      }
    }
    const html = await res.text();
    return { res, html, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "" };
  };
  return { request, jar };
}

export type AdminBrowser = ReturnType<typeof adminBrowser>;

/** Sign in through the real form (CSRF cookie + field). */
export async function adminSignIn(b: AdminBrowser, email: string, password: string) {
  const page = await b.request("GET", "/admin/login");
  return b.request("POST", "/admin/login", { csrf: page.csrf, email, password });
}
