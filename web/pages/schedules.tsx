import type { Child } from "hono/jsx";
import type { DataPlanDto } from "../../api/services/catalogue/listings";
import { NETWORK_NAMES } from "../../api/services/catalogue/normalize";
import { formatNaira } from "../../api/services/money";
import { formatLagosDate, type ScheduleDto, WEEKDAYS } from "../../api/services/schedules";
import { NETWORKS } from "../../api/services/vtu/provider";
import type { ChatLink } from "../chat-links";
import { Layout } from "../layout";
import { BackToChat } from "./chat-links";

/** The create form's fields as typed (everything but the PIN comes back after a refusal). */
export type CreateValues = {
  service: string;
  network: string;
  phone: string;
  amount: string;
  plan: string;
  how: string;
  weekday: string;
  monthDay: string;
  everyDays: string;
  startOn: string;
  endOn: string;
  maxRuns: string;
  perRunCap: string;
  monthlyCap: string;
};

/** A refusal shown on the form it came from (`create`, or a schedule's id), tied to one field. */
export type PageError = { form: string; field: string; message: string };

/** What a finished action says at the top of the page (fixed texts, chosen by a code in the URL). */
export const DONE_MESSAGES = {
  created: "Schedule created. Its first run is shown below.",
  paused: "Paused. No run will happen until you resume it.",
  resumed: "Resumed.",
  skipped: "The next run is skipped.",
  changed: "Saved: the new amount and caps apply from the next run.",
  deleted: "Schedule deleted.",
} as const;
export type DoneCode = keyof typeof DONE_MESSAGES;

const PIN_INPUT = {
  type: "password",
  inputmode: "numeric",
  autocomplete: "one-time-code",
  pattern: "[0-9]{4,6}",
  minlength: 4,
  maxlength: 6,
  required: true,
} as const;

/** A summary a thumb can hit (48 px tall). */
const SUMMARY = "padding:.8rem 0;min-height:3rem;cursor:pointer;font-weight:600";

/** "07:30 Lagos time" (with its date when not today): the page never shows a time without its zone. */
export function lagosTime(instant: Date, today: string): string {
  const lagos = new Date(instant.getTime() + 3_600_000).toISOString();
  const day = lagos.slice(0, 10) === today ? "" : `${formatLagosDate(lagos.slice(0, 10))}, `;
  return `${day}${lagos.slice(11, 16)} Lagos time`;
}

/**
 * "My schedules" (issue 19, the web): the customer's schedules with their next run and last
 * outcome, the actions on each, and a form to create one. Plain POST forms, no script: a refused
 * field is marked (aria-invalid, its message tied by aria-describedby) and focused (autofocus).
 */
export function SchedulesPage(props: {
  sandbox: boolean;
  base: string;
  csrf: string;
  schedules: ScheduleDto[];
  plans: DataPlanDto[];
  today: string;
  runHour: number;
  expiresAt: Date;
  /** A fresh key per rendered create form: a double tap on Create makes one schedule. */
  nonce: string;
  done?: DoneCode;
  error?: PageError;
  values?: Partial<CreateValues>;
}) {
  const { error } = props;
  const pageError = error?.form === "page" ? error : undefined;
  return (
    <Layout title="My schedules — TADA VTU" sandbox={props.sandbox}>
      <main>
        <p class="muted">TADA VTU</p>
        <h1>My schedules</h1>
        <p class="muted" data-testid="expires">
          This page works until {lagosTime(props.expiresAt, props.today)}. For a new link, write "my
          schedules" in the chat.
        </p>
        {props.done ? (
          <p class="badge ok" role="status" data-testid="done">
            {DONE_MESSAGES[props.done]}
          </p>
        ) : null}
        {pageError ? (
          <p class="error" role="alert" data-testid="page-error">
            {pageError.message}
          </p>
        ) : null}
        {props.schedules.length === 0 ? (
          <p class="card" data-testid="no-schedules">
            You have no schedules yet. Create one below.
          </p>
        ) : (
          props.schedules.map((s) => (
            <ScheduleCard
              schedule={s}
              base={props.base}
              csrf={props.csrf}
              today={props.today}
              runHour={props.runHour}
              error={error?.form === s.id ? error : undefined}
            />
          ))
        )}
        <CreateForm
          base={props.base}
          csrf={props.csrf}
          plans={props.plans}
          today={props.today}
          runHour={props.runHour}
          nonce={props.nonce}
          values={props.values}
          error={error?.form === "create" ? error : undefined}
        />
      </main>
    </Layout>
  );
}

function hour(runHour: number): string {
  return `${String(runHour).padStart(2, "0")}:00 Lagos time`;
}

function statusText(s: ScheduleDto): { text: string; tone: "ok" | "wait" | "bad" } {
  switch (s.status) {
    case "active":
      return { text: "Active", tone: "ok" };
    case "paused": {
      const why = {
        customer: "by you",
        price_above_cap: "the price went above your cap",
        monthly_cap: "this month's cap is reached",
        skipped_runs: "runs were skipped for low funds",
      }[s.pauseReason ?? "customer"];
      return { text: `Paused (${why})`, tone: "wait" };
    }
    default:
      return { text: "Ended", tone: "bad" };
  }
}

function lastOutcome(s: ScheduleDto): string {
  const run = s.lastRun;
  if (!run) {
    return "No run yet";
  }
  const what =
    run.state === "skipped" && run.outcome
      ? `Skipped (${run.outcome.replaceAll("_", " ")})`
      : run.state.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
  const price = run.priceKobo !== null ? `, ${formatNaira(run.priceKobo)}` : "";
  return `${what}${price} — ${formatLagosDate(run.dueOn)}`;
}

function nextRun(s: ScheduleDto, today: string, runHour: number): string {
  if (s.status !== "active" || !s.nextDueOn) {
    return s.status === "paused" ? "None while paused" : "None";
  }
  const day =
    s.nextDueOn === today ? `Today (${formatLagosDate(s.nextDueOn)})` : formatLagosDate(s.nextDueOn);
  return `${day}, from ${hour(runHour)}`;
}

function Hidden(props: { csrf: string }) {
  return <input type="hidden" name="csrf" value={props.csrf} />;
}

/** A labelled input; when the refusal is about it, it is marked, described and focused. */
function Field(props: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  error?: PageError;
  input: Record<string, unknown>;
  class?: string;
}) {
  const invalid = props.error?.field === props.name;
  const described = [props.hint ? `${props.id}-hint` : undefined, invalid ? `${props.id}-error` : undefined]
    .filter(Boolean)
    .join(" ");
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.name}
        class={props.class ?? "field"}
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={described || undefined}
        autofocus={invalid}
        {...props.input}
      />
      {props.hint ? (
        <p id={`${props.id}-hint`} class="muted hint">
          {props.hint}
        </p>
      ) : null}
      {invalid ? (
        <p id={`${props.id}-error`} class="error" role="alert" data-testid="field-error">
          {props.error?.message}
        </p>
      ) : null}
    </>
  );
}

function Select(props: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  error?: PageError;
  children: Child;
}) {
  const invalid = props.error?.field === props.name;
  const described = [props.hint ? `${props.id}-hint` : undefined, invalid ? `${props.id}-error` : undefined]
    .filter(Boolean)
    .join(" ");
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        name={props.name}
        class="field"
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={described || undefined}
        autofocus={invalid}
      >
        {props.children}
      </select>
      {props.hint ? (
        <p id={`${props.id}-hint`} class="muted hint">
          {props.hint}
        </p>
      ) : null}
      {invalid ? (
        <p id={`${props.id}-error`} class="error" role="alert" data-testid="field-error">
          {props.error?.message}
        </p>
      ) : null}
    </>
  );
}

function naira(kobo: number): string {
  return (kobo / 100).toFixed(2).replace(/\.00$/, "");
}

function ScheduleCard(props: {
  schedule: ScheduleDto;
  base: string;
  csrf: string;
  today: string;
  runHour: number;
  error?: PageError;
}) {
  const s = props.schedule;
  const status = statusText(s);
  const action = (verb: string) => `${props.base}/${s.id}/${verb}`;
  const live = s.status === "active" || s.status === "paused";
  const hasAmount = s.service === "airtime" || s.service === "electricity";
  const heading = `h-${s.id}`;
  const changeOpen = props.error !== undefined && props.error.field !== "confirm";
  const deleteOpen = props.error?.field === "confirm";
  return (
    <section
      class="card"
      aria-labelledby={heading}
      data-testid="schedule"
      data-id={s.id}
      style="margin:1rem 0"
    >
      <h2 id={heading} style="font-size:1.15rem;margin:0">
        {s.label ?? s.description}
      </h2>
      <p class={`badge ${status.tone}`} data-testid="status">
        {status.text}
      </p>
      <dl class="rows">
        {s.label ? (
          <>
            <dt>Buys</dt>
            <dd>{s.description}</dd>
          </>
        ) : null}
        <dt>Next run</dt>
        <dd data-testid="next-run">{nextRun(s, props.today, props.runHour)}</dd>
        <dt>Last run</dt>
        <dd data-testid="last-run">{lastOutcome(s)}</dd>
        <dt>Cap per run</dt>
        <dd data-testid="per-run-cap">{formatNaira(s.perRunCapKobo)}</dd>
        <dt>Cap per month</dt>
        <dd data-testid="monthly-cap">{formatNaira(s.monthlyCapKobo)}</dd>
        <dt>Started</dt>
        <dd>{formatLagosDate(s.startOn)}</dd>
        {s.endOn ? (
          <>
            <dt>Ends</dt>
            <dd>{formatLagosDate(s.endOn)}</dd>
          </>
        ) : null}
        {s.maxRuns !== null ? (
          <>
            <dt>Runs</dt>
            <dd>
              {s.runsMade} of {s.maxRuns}
            </dd>
          </>
        ) : null}
      </dl>
      {s.status === "active" ? (
        <form method="post" action={action("pause")}>
          <Hidden csrf={props.csrf} />
          <button type="submit" class="secondary">
            Pause
          </button>
        </form>
      ) : null}
      {s.status === "paused" ? (
        <form method="post" action={action("resume")}>
          <Hidden csrf={props.csrf} />
          <button type="submit" class="primary">
            Resume
          </button>
        </form>
      ) : null}
      {live ? (
        <form method="post" action={action("skip")}>
          <Hidden csrf={props.csrf} />
          <button type="submit" class="secondary">
            Skip next run
          </button>
        </form>
      ) : null}
      {live ? (
        <details open={changeOpen}>
          <summary style={SUMMARY}>Change {hasAmount ? "amount or caps" : "caps"}</summary>
          <form method="post" action={action("change")}>
            <Hidden csrf={props.csrf} />
            {hasAmount ? (
              <Field
                id={`amount-${s.id}`}
                name="amount"
                label="New amount each run (₦)"
                error={props.error}
                input={{ type: "text", inputmode: "decimal", value: naira(s.amountKobo ?? 0), maxlength: 12 }}
              />
            ) : null}
            <Field
              id={`cap-${s.id}`}
              name="perRunCap"
              label="Cap per run (₦, optional)"
              hint="Leave empty to keep it (it rises to the new price if needed)."
              error={props.error}
              input={{ type: "text", inputmode: "decimal", maxlength: 12 }}
            />
            <Field
              id={`mcap-${s.id}`}
              name="monthlyCap"
              label="Cap per month (₦, optional)"
              error={props.error}
              input={{ type: "text", inputmode: "decimal", maxlength: 12 }}
            />
            <Field
              id={`pin-${s.id}`}
              name="pin"
              label="Transaction PIN"
              error={props.error}
              class="pin"
              input={PIN_INPUT}
            />
            <button type="submit" class="primary">
              Save changes
            </button>
          </form>
        </details>
      ) : null}
      <details open={deleteOpen}>
        <summary style={SUMMARY}>Delete…</summary>
        <form method="post" action={action("delete")}>
          <Hidden csrf={props.csrf} />
          <label class="check" for={`confirm-${s.id}`}>
            <input
              type="checkbox"
              id={`confirm-${s.id}`}
              name="confirm"
              value="yes"
              required
              aria-invalid={deleteOpen ? "true" : undefined}
              aria-describedby={deleteOpen ? `confirm-${s.id}-error` : undefined}
              autofocus={deleteOpen}
            />{" "}
            Yes, delete this schedule. No more runs will happen.
          </label>
          {deleteOpen ? (
            <p id={`confirm-${s.id}-error`} class="error" role="alert" data-testid="field-error">
              {props.error?.message}
            </p>
          ) : null}
          <button type="submit" class="danger">
            Delete schedule
          </button>
        </form>
      </details>
    </section>
  );
}

function CreateForm(props: {
  base: string;
  csrf: string;
  plans: DataPlanDto[];
  today: string;
  runHour: number;
  nonce: string;
  values?: Partial<CreateValues>;
  error?: PageError;
}) {
  const v = props.values ?? {};
  const e = props.error;
  const option = (value: string, label: string, current: string | undefined) => (
    <option value={value} selected={current === value}>
      {label}
    </option>
  );
  return (
    <section class="card" aria-labelledby="new-heading" style="margin:1rem 0">
      <h2 id="new-heading" style="font-size:1.15rem;margin:0">
        New schedule
      </h2>
      <p class="muted">
        Airtime or data bought again and again from your wallet, at {hour(props.runHour)} on each date. Your
        PIN gives a standing authorisation up to the caps.
      </p>
      <form method="post" action={`${props.base}/new`} data-testid="create-form">
        <Hidden csrf={props.csrf} />
        <input type="hidden" name="nonce" value={props.nonce} />
        <Select id="new-service" name="service" label="What to buy" error={e}>
          {option("airtime", "Airtime", v.service)}
          {option("data", "Data", v.service)}
        </Select>
        <Select id="new-network" name="network" label="Network" error={e}>
          {NETWORKS.map((n) => option(n, NETWORK_NAMES[n], v.network))}
        </Select>
        <Field
          id="new-phone"
          name="phone"
          label="Phone number"
          error={e}
          input={{
            type: "tel",
            inputmode: "tel",
            autocomplete: "tel-national",
            required: true,
            maxlength: 20,
            value: v.phone ?? "",
          }}
        />
        <Field
          id="new-amount"
          name="amount"
          label="Airtime amount each run (₦)"
          hint="For airtime only."
          error={e}
          input={{ type: "text", inputmode: "decimal", maxlength: 12, value: v.amount ?? "" }}
        />
        <Select
          id="new-plan"
          name="plan"
          label="Data plan"
          hint="For data only; pick a plan of the network above."
          error={e}
        >
          <option value="">—</option>
          {NETWORKS.map((n) => (
            <optgroup label={NETWORK_NAMES[n]}>
              {props.plans
                .filter((p) => p.network === n)
                .map((p) =>
                  option(
                    p.id,
                    `${NETWORK_NAMES[n]} ${p.name}${p.validityDays ? `, ${p.validityDays} days` : ""} — ${formatNaira(p.priceKobo)}`,
                    v.plan,
                  ),
                )}
            </optgroup>
          ))}
        </Select>
        <fieldset>
          <legend>How often</legend>
          <Select id="new-how" name="how" label="Repeats" error={e}>
            {option("daily", "Every day", v.how)}
            {option("weekly", "Every week, on a day", v.how)}
            {option("monthly", "Every month, on a date", v.how)}
            {option("every_n_days", "Every few days", v.how)}
          </Select>
          <Select id="new-weekday" name="weekday" label="Day of the week" hint="For every week." error={e}>
            {WEEKDAYS.map((d) =>
              option(
                d,
                d.replace(/^./, (c) => c.toUpperCase()),
                v.weekday ?? "friday",
              ),
            )}
          </Select>
          <Field
            id="new-monthday"
            name="monthDay"
            label="Date of the month (1–31)"
            hint="For every month; the 31st means the last day in shorter months."
            error={e}
            input={{ type: "number", inputmode: "numeric", min: 1, max: 31, value: v.monthDay ?? "1" }}
          />
          <Field
            id="new-everydays"
            name="everyDays"
            label="Every how many days (2–365)"
            hint="For every few days."
            error={e}
            input={{ type: "number", inputmode: "numeric", min: 2, max: 365, value: v.everyDays ?? "3" }}
          />
        </fieldset>
        <fieldset>
          <legend>When (Lagos dates)</legend>
          <Field
            id="new-start"
            name="startOn"
            label="Start date"
            error={e}
            input={{ type: "date", min: props.today, required: true, value: v.startOn ?? props.today }}
          />
          <Field
            id="new-end"
            name="endOn"
            label="End date (optional)"
            error={e}
            input={{ type: "date", min: props.today, value: v.endOn ?? "" }}
          />
          <Field
            id="new-maxruns"
            name="maxRuns"
            label="Stop after this many runs (optional)"
            error={e}
            input={{ type: "number", inputmode: "numeric", min: 1, max: 10000, value: v.maxRuns ?? "" }}
          />
        </fieldset>
        <fieldset>
          <legend>Spending limits (optional)</legend>
          <Field
            id="new-cap"
            name="perRunCap"
            label="Cap per run (₦, optional)"
            hint="Empty: today's price. A run costing more pauses the schedule and tells you."
            error={e}
            input={{ type: "text", inputmode: "decimal", maxlength: 12, value: v.perRunCap ?? "" }}
          />
          <Field
            id="new-mcap"
            name="monthlyCap"
            label="Cap per month (₦, optional)"
            hint="Empty: the cap per run times the most runs a month can hold."
            error={e}
            input={{ type: "text", inputmode: "decimal", maxlength: 12, value: v.monthlyCap ?? "" }}
          />
        </fieldset>
        <Field id="new-pin" name="pin" label="Transaction PIN" error={e} class="pin" input={PIN_INPUT} />
        <button type="submit" class="primary">
          Create schedule
        </button>
      </form>
    </section>
  );
}

/** Unknown, revoked and expired links look the same: nothing to learn by probing tokens. */
export function ScheduleLinkGonePage(props: { sandbox: boolean; chatLinks: ChatLink[] }) {
  return (
    <Layout title="Link expired — TADA VTU" sandbox={props.sandbox}>
      <main class="card" data-testid="link-gone">
        <h1>This link has expired</h1>
        <p>
          Links to your schedules work for a short while, and only the newest one works. Write "my schedules"
          in the chat to get a new link. Nothing was changed with this one.
        </p>
        <BackToChat links={props.chatLinks} secondary />
      </main>
    </Layout>
  );
}

/** A form that did not come from this page as this browser opened it. */
export function ScheduleFormRefusedPage(props: { sandbox: boolean; base: string }) {
  return (
    <Layout title="Form refused — TADA VTU" sandbox={props.sandbox}>
      <main class="card" data-testid="csrf-refused">
        <h1>This form could not be accepted</h1>
        <p>
          It did not come from your schedules page as this browser opened it, so nothing was changed. Open the
          page again and retry.
        </p>
        <a class="button secondary" href={props.base}>
          Open my schedules
        </a>
      </main>
    </Layout>
  );
}
