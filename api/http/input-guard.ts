import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { withoutVersion } from "./api-version";
import { fail } from "./envelope";

/**
 * The one place at the HTTP edge that refuses characters no part of the service can store:
 *
 * - U+0000 (NUL): PostgreSQL `text` refuses it ("invalid byte sequence for encoding UTF8: 0x00") and
 *   `jsonb` refuses its `\u0000` escape, so a NUL that reaches any query became a 500 deep inside a
 *   service (issue 13 §5: `GET /fund/callback?tx_ref=%00`, a name at register, a gift message, ...).
 * - a lone UTF-16 surrogate (`\ud800` without its pair, which JSON can carry): it cannot be encoded
 *   as UTF-8; the pg driver silently stores U+FFFD in `text` and `jsonb` refuses it.
 * - text that is not UTF-8 (a JSON or form body, a percent-escape in the URL): decoding would turn it
 *   into U+FFFD without telling the client its value was mangled, so it is refused too.
 *
 * Checked: every path segment, every query name and value, every string in a JSON body (object keys
 * too, at any depth; nesting deeper than MAX_JSON_DEPTH is refused), every form field name and value.
 * The answer is a 400 naming the field: the API's error envelope under the API paths, a page
 * elsewhere. Routes whose body must reach them untouched are listed in `rawBodyPaths`: their path
 * and query are still checked.
 */
export function inputGuard(options: {
  /** Exact paths whose body is left to the route (e.g. a webhook that verifies an HMAC of the raw bytes). */
  rawBodyPaths: readonly string[];
  page: RefusalPage;
}): MiddlewareHandler {
  const rawBodyPaths = new Set(options.rawBodyPaths);
  return async (c, next) => {
    const problem =
      pathProblem(c) ??
      queryProblem(c) ??
      (hasBody(c.req.method) && !rawBodyPaths.has(withoutVersion(c.req.path))
        ? await bodyProblem(c)
        : undefined);
    if (problem) {
      return refuseAtEdge(c, options.page, problem.status ?? 400, problem.code, problem.message, [
        { field: problem.field, in: problem.in, message: problem.detail },
      ]);
    }
    await next();
  };
}

/** Deeper than any body we accept (ours are ≤ 4 levels): a bigger depth only costs stack. */
export const MAX_JSON_DEPTH = 32;

/** A page for a refusal outside the API: (status, heading, what to do). */
export type RefusalPage = (
  c: Context,
  status: ContentfulStatusCode,
  message: string,
) => Response | Promise<Response>;

/** The paths API clients call (they get the JSON envelope); everything else is a page for people. */
export function isApiPath(path: string): boolean {
  return /^\/(api|healthz|metrics)(\/|$)/.test(path);
}

/** JSON envelope for API clients, a page for people: API paths are `/api/…`, `/healthz`, `/metrics`. */
export function refuseAtEdge(
  c: Context,
  page: RefusalPage,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
): Response | Promise<Response> {
  if (isApiPath(c.req.path)) {
    return fail(c, status, code, message, details);
  }
  return page(c, status, message);
}

type Problem = {
  /** 400 unless said. */
  status?: 415;
  code: "INVALID_CHARACTERS" | "VALIDATION_ERROR" | "INVALID_FORM" | "UNSUPPORTED_MEDIA_TYPE";
  in: "path" | "query" | "body" | "form" | "header";
  field: string;
  /** For `details`: what is wrong with the field. */
  detail: string;
  message: string;
};

/** NUL or a lone surrogate in `value`, described for a person; undefined when the text is fine. */
export function forbiddenCharacter(value: string): string | undefined {
  const nul = value.indexOf("\u0000");
  if (nul >= 0) {
    return "NUL (U+0000)";
  }
  const lone = LONE_SURROGATE.exec(value);
  if (lone) {
    const code = lone[0].charCodeAt(0).toString(16).toUpperCase();
    return `an unpaired UTF-16 surrogate (U+${code})`;
  }
  return undefined;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function characterProblem(
  where: Problem["in"],
  field: string,
  label: string,
  value: string,
): Problem | undefined {
  const found = forbiddenCharacter(value);
  if (!found) {
    return undefined;
  }
  return {
    code: "INVALID_CHARACTERS",
    in: where,
    field,
    detail: `contains ${found}, which is not allowed`,
    message: `${label} contains a character that is not allowed: ${found}. Remove it and send the request again.`,
  };
}

function encodingProblem(where: Problem["in"], field: string, label: string): Problem {
  return {
    code: "INVALID_CHARACTERS",
    in: where,
    field,
    detail: "is not valid UTF-8 text",
    message: `${label} is not valid UTF-8 text (a byte or percent-escape that is not UTF-8). Send it as UTF-8.`,
  };
}

/** decodeURIComponent, or undefined for an escape that is not UTF-8 (`%FF`, a lone `%`). */
function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Each path segment, decoded as the router decodes parameters. The field is the matched route's
 * parameter name for that segment when there is one (`/api/vtu/orders/:id` → "id").
 */
function pathProblem(c: Context): Problem | undefined {
  const segments = new URL(c.req.url).pathname.split("/");
  let pattern: string[] | undefined;
  for (const [index, raw] of segments.entries()) {
    if (!raw.includes("%")) {
      continue; // a raw NUL or surrogate cannot appear in a parsed URL: only escapes can carry them
    }
    pattern ??= routePath(c, -1).split("/");
    const param = /^:(\w+)/.exec(pattern.length === segments.length ? (pattern[index] ?? "") : "")?.[1];
    const field = param ?? "path";
    const label = param ? `The path parameter "${param}"` : "The URL path";
    const decoded = decodeComponent(raw);
    const problem =
      decoded === undefined
        ? encodingProblem("path", field, label)
        : characterProblem("path", field, label, decoded);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

/** Every query name and value, decoded as `c.req.query()` decodes them (`+` is a space). */
function queryProblem(c: Context): Problem | undefined {
  const search = new URL(c.req.url).search.slice(1);
  if (!search) {
    return undefined;
  }
  for (const pair of search.split("&")) {
    const eq = pair.indexOf("=");
    const rawName = (eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, " ");
    const rawValue = (eq < 0 ? "" : pair.slice(eq + 1)).replace(/\+/g, " ");
    const name = decodeComponent(rawName);
    if (name === undefined) {
      return encodingProblem("query", "(query)", "A query parameter name");
    }
    const nameProblem = characterProblem("query", "(query)", "A query parameter name", name);
    if (nameProblem) {
      return nameProblem;
    }
    const label = `The query parameter "${name}"`;
    const value = decodeComponent(rawValue);
    const problem =
      value === undefined
        ? encodingProblem("query", name, label)
        : characterProblem("query", name, label, value);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

function hasBody(method: string): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The body, read once through hono's body cache (`c.req.arrayBuffer()`), so the route reads the same
 * bytes again from memory (`c.req.json()`, `parseBody()`); its text is cached too, so a JSON route
 * parses it without another copy. Reading it this way never builds a full web Request (no clone,
 * no stream tee). The app-wide body limit has already bounded its size.
 */
async function bodyProblem(c: Context): Promise<Problem | undefined> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) {
    return undefined;
  }
  const charset = charsetProblem(type);
  if (charset) {
    return charset;
  }
  if (type.startsWith("multipart/form-data")) {
    return multipartProblem(bytes, type);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return encodingProblem("body", "(body)", "The request body");
  }
  // hono keeps each body form as a promise under its name; `json()` parses the cached text.
  (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
  if (type.startsWith("application/x-www-form-urlencoded")) {
    return urlencodedProblem(text);
  }
  // Any other type is read as JSON when it is JSON (some routes parse JSON whatever the type says);
  // text that is not JSON is checked as it is, and its route answers for its format.
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return characterProblem("body", "(body)", "The request body", text);
  }
  return jsonProblem(json);
}

/**
 * A body declared in a charset other than UTF-8 (`application/json; charset=UTF-16`). Every body is
 * read as UTF-8, so one sent in another charset would be misread (UTF-16 text decodes as "valid"
 * UTF-8 full of NULs): refused for what it says it is, before its bytes are looked at. No charset
 * means UTF-8 (RFC 8259 §8.1); `utf8` is a label of the same encoding (WHATWG Encoding).
 */
function charsetProblem(type: string): Problem | undefined {
  const declared = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/.exec(type);
  if (!declared) {
    return undefined;
  }
  const charset = (declared[1] ?? declared[2] ?? "").trim();
  if (charset === "utf-8" || charset === "utf8") {
    return undefined;
  }
  return {
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
    in: "header",
    field: "Content-Type",
    detail: `declares charset "${charset}"; only utf-8 is accepted`,
    message: `The body is declared as charset "${charset}", and we accept UTF-8 only: send the body encoded as UTF-8 (for JSON, \`Content-Type: application/json\` with charset utf-8 or none).`,
  };
}

/** Walk the parsed JSON without recursion (a deep body cannot overflow the stack here). */
function jsonProblem(root: unknown): Problem | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: "", depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path, depth } = item;
    if (typeof value === "string") {
      const field = path || "(body)";
      const problem = characterProblem("body", field, path ? `"${path}"` : "The request body", value);
      if (problem) {
        return problem;
      }
      continue;
    }
    if (value === null || typeof value !== "object") {
      continue;
    }
    if (depth >= MAX_JSON_DEPTH) {
      return {
        code: "VALIDATION_ERROR",
        in: "body",
        field: path || "(body)",
        detail: `is nested more than ${MAX_JSON_DEPTH} levels deep`,
        message: `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep. Send the fields the route documents.`,
      };
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 });
      });
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      const inside = path ? ` inside "${path}"` : "";
      const keyProblem = characterProblem("body", path || "(body)", `A field name${inside}`, key);
      if (keyProblem) {
        return keyProblem;
      }
      stack.push({ value: v, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return undefined;
}

/** `a=1&b=2` decoded as browsers encode it (`+` is a space); a bad escape is not UTF-8. */
function urlencodedProblem(text: string): Problem | undefined {
  for (const pair of text.split("&")) {
    if (!pair) {
      continue;
    }
    const eq = pair.indexOf("=");
    const name = decodeComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, " "));
    if (name === undefined) {
      return encodingProblem("form", "(form)", "A form field name");
    }
    const nameProblem = characterProblem("form", "(form)", "A form field name", name);
    if (nameProblem) {
      return nameProblem;
    }
    const label = `The form field "${name}"`;
    const value = decodeComponent((eq < 0 ? "" : pair.slice(eq + 1)).replace(/\+/g, " "));
    const problem =
      value === undefined
        ? encodingProblem("form", name, label)
        : characterProblem("form", name, label, value);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

/** A multipart form the platform can parse, with clean names, values and file names. */
async function multipartProblem(bytes: Uint8Array, type: string): Promise<Problem | undefined> {
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch {
    return {
      code: "INVALID_FORM",
      in: "form",
      field: "(form)",
      detail: "could not be read as multipart/form-data",
      message:
        "The form could not be read (a multipart body without its boundary, or cut short). Send the form again.",
    };
  }
  for (const [name, value] of form) {
    const problem =
      characterProblem("form", "(form)", "A form field name", name) ??
      (typeof value === "string"
        ? characterProblem("form", name, `The form field "${name}"`, value)
        : characterProblem("form", name, `The file name in "${name}"`, value.name));
    if (problem) {
      return problem;
    }
  }
  return undefined;
}
