import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { withoutVersion } from "../../api/http/api-version";

/**
 * Checks real responses against the app's own /openapi.json: every test that calls the API through
 * `call()` (test/helpers/http.ts) also proves the document tells the truth. A 2xx answer of a
 * documented operation must be a documented status with a body matching its schema; any error must
 * be the error envelope.
 */

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
};
type Requester = { request: (path: string) => Response | Promise<Response> };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export class DocumentConformance {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction | null>();
  private readonly routes: { method: string; pattern: RegExp; template: string }[];

  constructor(readonly document: OpenApiDocument) {
    // strict: false because OpenAPI adds keywords (example, deprecated) JSON Schema does not know.
    this.ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    this.ajv.addSchema({ ...document, $id: "openapi" });
    this.routes = Object.entries(document.paths).flatMap(([template, operations]) =>
      Object.keys(operations).map((method) => ({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
      })),
    );
  }

  /** The documented operation a request reached, if any. */
  operation(method: string, path: string): { method: string; template: string } | undefined {
    const bare = withoutVersion(path.split("?")[0] ?? path);
    return this.routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(bare));
  }

  /** Problems with one response, or [] when it matches the document. */
  check(method: string, path: string, status: number, body: unknown): string[] {
    const operation = this.operation(method, path);
    if (!operation) {
      return [];
    }
    const where = `${method.toUpperCase()} ${operation.template} → ${status}`;
    const responses =
      this.document.paths[operation.template]?.[operation.method.toLowerCase()]?.responses ?? {};
    if (status >= 200 && status < 300 && !responses[String(status)]) {
      return [`${where}: the document has no ${status} answer for this route`];
    }
    const validate = this.validator(operation.template, operation.method.toLowerCase(), status, responses);
    if (!validate) {
      return [];
    }
    if (validate(body)) {
      return [];
    }
    return (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || "(body)"} ${e.message}`);
  }

  private validator(
    template: string,
    method: string,
    status: number,
    responses: NonNullable<Operation["responses"]>,
  ): ValidateFunction | null {
    const key = `${method} ${template} ${status}`;
    if (!this.validators.has(key)) {
      const documented = responses[String(status)]?.content?.["application/json"]?.schema !== undefined;
      const ref = documented
        ? `openapi#/paths/${pointer(template)}/${method}/responses/${status}/content/${pointer("application/json")}/schema`
        : "openapi#/components/schemas/Error";
      this.validators.set(key, status >= 400 || documented ? this.ajv.compile({ $ref: ref }) : null);
    }
    return this.validators.get(key) ?? null;
  }
}

function pointer(segment: string): string {
  return encodeURIComponent(segment.replaceAll("~", "~0").replaceAll("/", "~1"));
}

const byApp = new WeakMap<object, Promise<DocumentConformance>>();

/** The conformance checker of an app, built once from its own /openapi.json. */
export function conformanceOf(app: Requester): Promise<DocumentConformance> {
  let checker = byApp.get(app);
  if (!checker) {
    checker = Promise.resolve(app.request("/openapi.json"))
      .then((response) => response.json())
      .then((document) => new DocumentConformance(document as OpenApiDocument));
    byApp.set(app, checker);
  }
  return checker;
}
