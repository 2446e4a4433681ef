/**
 * `/api/v1/…` is the same API as `/api/…` (DECISIONS §73). The app routes and checks paths as if
 * the `/v1` were not there, so both spellings reach the same handler and the same guards.
 */
export function withoutVersion(path: string): string {
  return path.replace(/^\/api\/v1(?=\/|$)/, "/api");
}
