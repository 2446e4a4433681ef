import { request as httpRequest } from "node:http";
import type { Page } from "playwright-core";

/*
 * Checks a browser test runs on admin panel pages (issue 21 §5–§9). Each is evaluated in the page
 * as a string: this project compiles without the DOM types.
 */

export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/**
 * An instant as the panel must show it, worked out without Intl: Lagos is UTC+1 all year (WAT).
 * "7 Dec 2026, 14:05 WAT".
 */
export function watText(at: Date): string {
  const t = new Date(at.getTime() + 3_600_000);
  return `${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()}, ${two(t.getUTCHours())}:${two(t.getUTCMinutes())} WAT`;
}

/** A raw UTC instant as text ("2026-12-07T13:05", "2026-12-07 13:05:00"): what the panel must not show. */
export const RAW_INSTANT = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

/** The visible text of the page's main content. */
export async function mainText(page: Page): Promise<string> {
  return String(await page.evaluate(`(document.querySelector("main") || document.body).innerText`));
}

/**
 * Every form control that a person can use and that has no accessible name (no label, no
 * aria-label or aria-labelledby, no text for a button): a short description of each.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const named = (el) => {
      if (el.getAttribute("aria-label")?.trim()) return true;
      const by = el.getAttribute("aria-labelledby");
      if (by && by.split(/\\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
      if (el.tagName === "BUTTON" && el.textContent.trim()) return true;
      return false;
    };
    return [...document.querySelectorAll('input:not([type="hidden"]), select, textarea, button')]
      .filter((el) => !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  })()`)) as string[];
}

/** The page's width: wider than the screen means the page itself scrolls sideways. */
export async function pageWidth(page: Page): Promise<number> {
  return Number(await page.evaluate("document.documentElement.scrollWidth"));
}

/** Tables outside a scrolling box of their own, or without a header row. */
export async function badTables(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() =>
    [...document.querySelectorAll("main table")]
      .filter((t) => !t.closest("details:not([open])"))
      .filter((t) => !t.parentElement.classList.contains("tablewrap") || t.querySelectorAll("thead th").length === 0)
      .map((t) => t.outerHTML.slice(0, 120))
  )()`)) as string[];
}

/** The rendered size, in CSS pixels, of the smallest axis text of the page's charts. */
export async function smallestAxisText(page: Page): Promise<number> {
  return Number(
    await page.evaluate(`(() => {
      const sizes = [...document.querySelectorAll("svg.chart .axes text")]
        .filter((t) => t.getBoundingClientRect().width > 0)
        .map((t) => { const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); });
      return sizes.length ? Math.min(...sizes) : 0;
    })()`),
  );
}

/** The y-axis tick values of one chart. */
export async function ticksOf(page: Page, chart: string): Promise<number[]> {
  return (await page
    .locator(`svg[data-chart="${chart}"] text[data-tick]`)
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-tick"))))) as number[];
}

/** Whether the browser would refuse to send `form` as it is (a required box not ticked). */
export async function confirmMissing(page: Page, formSelector: string): Promise<boolean> {
  return Boolean(
    await page.evaluate(
      `document.querySelector(${JSON.stringify(`${formSelector} input[name="confirm"]`)}).validity.valueMissing`,
    ),
  );
}

/** A GET with the given headers, answered with its raw (undecoded) bytes and headers. */
export function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
