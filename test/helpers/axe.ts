import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

/**
 * An axe-core accessibility scan of the page as it is now (issue 21: "0 serious violations"). The
 * script is evaluated through the DevTools protocol, which the pages' CSP does not govern, so the
 * scan sees the page exactly as served.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export type AxeViolation = { id: string; impact: string | null; help: string; targets: string[] };

export async function axeViolations(
  page: Page,
  options: { impacts?: readonly string[] } = {},
): Promise<AxeViolation[]> {
  const impacts = options.impacts ?? ["serious", "critical"];
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== "undefined");
  if (!loaded) {
    await page.evaluate(AXE_SOURCE);
  }
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global the evaluated script defined.
    const axe = (globalThis as any).axe;
    const result = await axe.run((globalThis as { document?: unknown }).document, {
      resultTypes: ["violations"],
    });
    return (
      result.violations as {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: string[] }[];
      }[]
    ).map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return violations.filter((v) => v.impact !== null && impacts.includes(v.impact));
}

/** A readable line per violation, for an assertion message. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.targets.slice(0, 5).join(", ")}`)
    .join("\n");
}
