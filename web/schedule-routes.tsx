import { randomBytes } from "node:crypto";
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { Config } from "../api/config";
import { type DataPlanDto, listDataPlans } from "../api/services/catalogue/listings";
import type { ServiceContext } from "../api/services/context";
import { ServiceError } from "../api/services/errors";
import {
  findScheduleLink,
  SCHEDULE_PAGE_PREFIX,
  type ScheduleLink,
  scheduleCsrfToken,
  scheduleCsrfValid,
} from "../api/services/schedule-links";
import {
  type CreateScheduleInput,
  changeSchedule,
  createSchedule,
  deleteSchedule,
  lagosDate,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  skipNextRun,
  WEEKDAYS,
} from "../api/services/schedules";
import type { VtuRuntime } from "../api/services/vtu";
import { NETWORKS } from "../api/services/vtu/provider";
import { boundedBody } from "../api/transport/body-limit";
import { chatReturnLinks } from "./chat-links";
import {
  type CreateValues,
  DONE_MESSAGES,
  type DoneCode,
  type PageError,
  ScheduleFormRefusedPage,
  ScheduleLinkGonePage,
  SchedulesPage,
} from "./pages/schedules";

type Env = { Variables: { ctx: ServiceContext } };

/** The page loads nothing from anywhere and runs no script (inline styles only, forms post to us). */
const SCHEDULES_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The browser's id for the CSRF token: random, HttpOnly, sent only with same-site forms. */
const BROWSER_COOKIE = "tada_sched";
const BROWSER_ID = /^[A-Za-z0-9_-]{32}$/;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

const CREATE_FIELDS = [
  "service",
  "network",
  "phone",
  "amount",
  "plan",
  "how",
  "weekday",
  "monthDay",
  "everyDays",
  "startOn",
  "endOn",
  "maxRuns",
  "perRunCap",
  "monthlyCap",
] as const satisfies readonly (keyof CreateValues)[];

/** Naira as typed ("500", "1,000", "₦489.85") to kobo; undefined when empty. */
const nairaText = z
  .string()
  .transform((s) => s.replace(/[₦,\s]/g, ""))
  .pipe(z.union([z.literal(""), z.string().regex(/^\d{1,9}(\.\d{1,2})?$/)]))
  .transform((s) => {
    if (s === "") {
      return undefined;
    }
    const [whole = "0", frac = ""] = s.split(".");
    return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  });
const wholeText = (min: number, max: number) =>
  z.union([
    z.literal("").transform(() => undefined),
    z
      .string()
      .regex(/^\d{1,6}$/)
      .transform(Number)
      .pipe(z.number().int().min(min).max(max)),
  ]);
const dateText = z.union([z.literal(""), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]);
const pinText = z.string().min(1).max(12);

/** Where a service's refusal belongs on the form (its `field`, in the API's names). */
const API_FIELDS: Record<string, string> = {
  recipient: "phone",
  network: "network",
  amountKobo: "amount",
  planId: "plan",
  startOn: "startOn",
  endOn: "endOn",
  maxRuns: "maxRuns",
  perRunCapKobo: "perRunCap",
  monthlyCapKobo: "monthlyCap",
  "recurrence.weekday": "weekday",
  "recurrence.day": "monthDay",
  "recurrence.days": "everyDays",
  pin: "pin",
};

class FormProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `/schedules/:token`, the customer's "My schedules" page (issue 19, DECISIONS §69): a management
 * session opened from the chat. GET lists the schedules with a create form; each action is a POST
 * form (CSRF token bound to this browser and this link) handed to the schedule services, which hold
 * every rule: create and change take the PIN (the same verifyPin and attempt limiter as everywhere),
 * pause, resume, skip next and delete do not. The token is never logged (the logger redacts the
 * path), the PIN never comes back in a page or a URL.
 */
export function schedulePageRoutes(deps: { config: Config; vtu: VtuRuntime }) {
  const app = new Hono<Env>();
  const { config } = deps;
  const sandbox = config.sandbox;
  // The schedules page is opened from the chat; the link's channel is unknown once it is gone.
  const chatLinks = chatReturnLinks(config);

  // The token in the URL is a secret: no cache may keep the page, no Referer may carry it away.
  app.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Content-Security-Policy", SCHEDULES_CSP);
  });

  const gone = (c: Context<Env>) =>
    c.html(<ScheduleLinkGonePage sandbox={sandbox} chatLinks={chatLinks} />, 410);
  const baseOf = (token: string) => `${SCHEDULE_PAGE_PREFIX}/${token}`;

  async function render(
    c: Context<Env>,
    link: ScheduleLink,
    token: string,
    browserId: string,
    extra: { done?: DoneCode; error?: PageError; values?: Partial<CreateValues> } = {},
    status: ContentfulStatusCode = 200,
  ) {
    const ctx = c.var.ctx;
    const { items } = await listSchedules({ ctx, userId: link.userId, limit: 100 });
    const plans = await dataPlans(ctx, link.userId);
    return c.html(
      <SchedulesPage
        sandbox={sandbox}
        base={baseOf(token)}
        csrf={scheduleCsrfToken(config, browserId, link.id)}
        schedules={items}
        plans={plans}
        today={lagosDate(ctx.now())}
        runHour={config.SCHEDULE_RUN_HOUR}
        expiresAt={link.expiresAt}
        nonce={randomBytes(18).toString("base64url")}
        {...extra}
      />,
      status,
    );
  }

  // GET changes nothing: link-preview fetchers and prefetching browsers open it too.
  app.get("/:token", async (c) => {
    const token = c.req.param("token");
    const link = await findScheduleLink({ ctx: c.var.ctx, token });
    if (!link) {
      return gone(c);
    }
    const done = c.req.query("done");
    const known = done && Object.hasOwn(DONE_MESSAGES, done) ? (done as DoneCode) : undefined;
    return render(c, link, token, ensureBrowserId(c, config), { done: known });
  });

  // A create form is well under a kilobyte. Nothing big is ever parsed.
  const bounded = boundedBody({
    maxSize: 16 * 1024,
    onError: (c) => c.html(<ScheduleLinkGonePage sandbox={sandbox} chatLinks={chatLinks} />, 413),
  });
  app.post("/:token/*", bounded);

  /** The link, the form and the browser's id, or the page that refuses the POST. */
  async function openForm(c: Context<Env>) {
    const token = c.req.param("token") ?? "";
    const link = await findScheduleLink({ ctx: c.var.ctx, token });
    if (!link) {
      return { refused: gone(c) };
    }
    const form = await c.req.parseBody();
    const browserId = readBrowserId(c);
    if (!browserId || !scheduleCsrfValid(config, browserId, link.id, form.csrf)) {
      return {
        refused: c.html(<ScheduleFormRefusedPage sandbox={sandbox} base={baseOf(token)} />, 403),
      };
    }
    const text = (name: string) => {
      const value = form[name];
      return typeof value === "string" ? value.trim() : "";
    };
    return { link, token, browserId, text };
  }

  app.post("/:token/new", async (c) => {
    const opened = await openForm(c);
    if ("refused" in opened) {
      return opened.refused;
    }
    const { link, token, browserId, text } = opened;
    const ctx = c.var.ctx;
    const values: Partial<CreateValues> = {};
    for (const name of CREATE_FIELDS) {
      values[name] = Array.from(text(name)).slice(0, 40).join("");
    }
    try {
      const input = createInput(text, await dataPlans(ctx, link.userId));
      const nonce = text("nonce");
      await createSchedule({
        ctx,
        vtu: deps.vtu,
        userId: link.userId,
        idempotencyKey: NONCE.test(nonce) ? `web:${nonce}` : undefined,
        input,
      });
      return c.redirect(`${baseOf(token)}?done=created`, 303);
    } catch (error) {
      const refusal = refusalOf(error, "create", "service");
      return render(c, link, token, browserId, { error: refusal.error, values }, refusal.status);
    }
  });

  app.post("/:token/:id/:verb", async (c) => {
    const opened = await openForm(c);
    if ("refused" in opened) {
      return opened.refused;
    }
    const { link, token, browserId, text } = opened;
    const ctx = c.var.ctx;
    const scheduleId = z
      .string()
      .regex(/^sch_[0-9a-z]{20}$/)
      .catch("sch_unknown")
      .parse(c.req.param("id"));
    const args = { ctx, userId: link.userId, scheduleId };
    const verb = c.req.param("verb");
    try {
      let done: DoneCode;
      switch (verb) {
        case "pause":
          await pauseSchedule(args);
          done = "paused";
          break;
        case "resume":
          await resumeSchedule(args);
          done = "resumed";
          break;
        case "skip":
          await skipNextRun(args);
          done = "skipped";
          break;
        case "delete":
          if (text("confirm") !== "yes") {
            throw new FormProblem("confirm", "Tick the box to confirm you want to delete this schedule.");
          }
          await deleteSchedule(args);
          done = "deleted";
          break;
        case "change":
          await changeSchedule({ ...args, vtu: deps.vtu, input: changeInput(text) });
          done = "changed";
          break;
        default:
          return c.notFound();
      }
      return c.redirect(`${baseOf(token)}?done=${done}`, 303);
    } catch (error) {
      const refusal = refusalOf(error, scheduleId, verb === "change" ? "pin" : "page");
      // A schedule that is not theirs (or is gone) is told at the top of the page.
      const onPage =
        refusal.status === 404 || verb === "pause" || verb === "resume" || verb === "skip"
          ? { ...refusal.error, form: "page" }
          : refusal.error;
      return render(c, link, token, browserId, { error: onPage }, refusal.status);
    }
  });

  return app;
}

/** The customer's data plans at their own prices, every network (cached by the catalogue). */
async function dataPlans(ctx: ServiceContext, userId: string): Promise<DataPlanDto[]> {
  const lists = await Promise.all(
    NETWORKS.map((network) => listDataPlans({ ctx, network, userId }).catch(() => [] as DataPlanDto[])),
  );
  return lists.flat();
}

/** The create form as the service's input; a field that cannot be read is refused by name. */
function createInput(text: (name: string) => string, plans: DataPlanDto[]): CreateScheduleInput {
  const read = <T,>(name: string, schema: z.ZodType<T>, message: string): T => {
    const parsed = schema.safeParse(text(name));
    if (!parsed.success) {
      throw new FormProblem(name, message);
    }
    return parsed.data;
  };
  const service = read("service", z.enum(["airtime", "data"]), "Choose airtime or data.");
  const network = read("network", z.enum(NETWORKS), "Choose the network.");
  const recipient = read("phone", z.string().min(6).max(20), "Type the phone number, e.g. 08031234567.");
  const how = read(
    "how",
    z.enum(["daily", "weekly", "monthly", "every_n_days"]),
    "Choose how often it repeats.",
  );
  const recurrence: CreateScheduleInput["recurrence"] =
    how === "weekly"
      ? { kind: "weekly", weekday: read("weekday", z.enum(WEEKDAYS), "Choose the day of the week.") }
      : how === "monthly"
        ? {
            kind: "monthly",
            day: read(
              "monthDay",
              z.coerce.number().int().min(1).max(31),
              "Type a date of the month, 1 to 31.",
            ),
          }
        : how === "every_n_days"
          ? {
              kind: "every_n_days",
              days: read(
                "everyDays",
                z.coerce.number().int().min(2).max(365),
                "Type a number of days, 2 to 365.",
              ),
            }
          : { kind: "daily" };
  const startOn = read("startOn", dateText, "Pick the start date.");
  const endOn = read("endOn", dateText, "Pick an end date, or leave it empty.");
  const maxRuns = read(
    "maxRuns",
    wholeText(1, 10_000),
    "Type a number of runs from 1 to 10,000, or leave it empty.",
  );
  const perRunCapKobo = read("perRunCap", nairaText, "Type the cap in naira, e.g. 600, or leave it empty.");
  const monthlyCapKobo = read(
    "monthlyCap",
    nairaText,
    "Type the cap in naira, e.g. 15000, or leave it empty.",
  );
  const pin = read("pin", pinText, "Type your transaction PIN.");
  const common = {
    recipient,
    recurrence,
    startOn: startOn || undefined,
    endOn: endOn || undefined,
    maxRuns,
    perRunCapKobo,
    monthlyCapKobo,
    pin,
  };
  if (service === "airtime") {
    const amountKobo = read("amount", nairaText, "Type the airtime amount in naira, e.g. 500.");
    if (amountKobo === undefined || amountKobo === 0) {
      throw new FormProblem("amount", "Type the airtime amount in naira, e.g. 500.");
    }
    return { service, network, amountKobo, ...common };
  }
  const planId = text("plan");
  const plan = plans.find((p) => p.id === planId);
  if (!plan) {
    throw new FormProblem("plan", "Pick a data plan.");
  }
  if (plan.network !== network) {
    throw new FormProblem(
      "plan",
      `That plan is for ${plan.network.toUpperCase()}, not ${network.toUpperCase()}: pick a plan of the network you chose.`,
    );
  }
  return { service, network, planId, ...common };
}

/** The change form as the service's input (an amount only where the form shows one). */
function changeInput(text: (name: string) => string) {
  const read = <T,>(name: string, schema: z.ZodType<T>, message: string): T => {
    const parsed = schema.safeParse(text(name));
    if (!parsed.success) {
      throw new FormProblem(name, message);
    }
    return parsed.data;
  };
  const amountKobo = read("amount", nairaText, "Type the amount in naira, e.g. 500.");
  if (amountKobo === 0) {
    throw new FormProblem("amount", "Type the amount in naira, e.g. 500.");
  }
  return {
    amountKobo,
    perRunCapKobo: read("perRunCap", nairaText, "Type the cap in naira, e.g. 600, or leave it empty."),
    monthlyCapKobo: read("monthlyCap", nairaText, "Type the cap in naira, e.g. 15000, or leave it empty."),
    pin: read("pin", pinText, "Type your transaction PIN."),
  };
}

/** A refusal as the page shows it: on the field it is about, with the HTTP status it deserves. */
function refusalOf(
  error: unknown,
  form: string,
  fallbackField: string,
): { error: PageError; status: ContentfulStatusCode } {
  if (error instanceof FormProblem) {
    return { error: { form, field: error.field, message: error.message }, status: 400 };
  }
  if (!(error instanceof ServiceError)) {
    throw error;
  }
  const status: ContentfulStatusCode = (
    {
      invalid: 400,
      unauthenticated: 401,
      forbidden: 403,
      not_found: 404,
      conflict: 409,
      unprocessable: 422,
      locked: 423,
      rate_limited: 429,
      unavailable: 503,
    } as const
  )[error.kind];
  if (error.kind === "not_found") {
    return {
      error: { form, field: "page", message: "That schedule is not one of yours, or it was deleted." },
      status,
    };
  }
  const pinCodes = new Set(["INCORRECT_PIN", "PIN_LOCKED", "PIN_NOT_SET", "PIN_CHANGING"]);
  const apiField = typeof error.details?.field === "string" ? error.details.field : undefined;
  const field = pinCodes.has(error.code)
    ? "pin"
    : (apiField && API_FIELDS[apiField]) || (error.code === "INVALID_PHONE" ? "phone" : fallbackField);
  const message =
    error.code === "PIN_NOT_SET"
      ? 'Set a transaction PIN first: write "set pin" in the chat.'
      : error.code === "PIN_LOCKED"
        ? "Your PIN is locked after too many wrong attempts. Try again later, or reset it from the chat."
        : error.message.replace(/^[A-Za-z.]+: /, "").replace(/^./, (c) => c.toUpperCase());
  return { error: { form, field, message }, status };
}

function readBrowserId(c: Context): string | undefined {
  const value = getCookie(c, BROWSER_COOKIE);
  return value && BROWSER_ID.test(value) ? value : undefined;
}

/**
 * The browser's id, set when absent: HttpOnly, SameSite=Lax (the link opened from a chat still
 * sends it; a form posted from another site does not), Secure behind TLS, scoped to these pages.
 */
function ensureBrowserId(c: Context, config: Config): string {
  const existing = readBrowserId(c);
  if (existing) {
    return existing;
  }
  const id = randomBytes(24).toString("base64url");
  setCookie(c, BROWSER_COOKIE, id, {
    path: SCHEDULE_PAGE_PREFIX,
    httpOnly: true,
    sameSite: "Lax",
    secure: config.NODE_ENV === "production" || config.publicBaseUrl.startsWith("https:"),
    maxAge: 24 * 3600,
  });
  return id;
}
