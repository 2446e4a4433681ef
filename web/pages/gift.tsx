import type { Child } from "hono/jsx";
import { NETWORK_NAMES } from "../../api/services/catalogue/normalize";
import type { PublicGiftRoomDto } from "../../api/services/gift-rooms";
import { NETWORKS, type Network } from "../../api/services/vtu/provider";
import type { StartLinks } from "../chat-links";
import { Layout } from "../layout";
import { StartButtons } from "./chat-links";

/** What the person typed, put back in the form after a refusal (never another person's data). */
export type GiftFormValues = { phone?: string; network?: string; answer?: string };

/** The form fields a refusal can point at (the services name them in `details.field`). */
export type GiftField = "phone" | "network" | "answer";

const LAGOS_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Africa/Lagos",
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "numeric",
  minute: "2-digit",
  hour12: true,
});

/** Recipients are in Nigeria: every time on the page is Lagos time, said so. */
export function lagosTime(iso: string): string {
  return `${LAGOS_TIME.format(new Date(iso))} (Lagos time)`;
}

const ERROR_ID = "gift-error";

// The room page on a small phone (360×640): the claim button sits in the first screen, so the gift
// and the form come first and the message and the rules follow (issue 21 item 4).
const GIFT_CSS = `.gift h1{font-size:1.45rem;margin:.2rem 0}.gift .amount{font-size:1.6rem;margin:.1rem 0 .4rem}
.gift label{margin:.5rem 0}.gift .muted{margin:.3rem 0}.gift button{margin:.5rem 0}
.gift input.field,.gift select.field{padding:.6rem}.field-error{margin:.4rem 0 0}
label.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:600}label.check input{width:1.3rem;height:1.3rem;margin:.15rem 0 0;flex:none}
[aria-invalid=true]{border-color:#b42318!important;outline:2px solid #b42318}
.start{border-top:1px solid #e3e6ea;margin-top:1.2rem;padding-top:.4rem}.start h2{font-size:1.1rem}`;

/** The page frame every gift page shares. */
function GiftLayout(props: { title: string; sandbox: boolean; children: Child }) {
  return (
    <Layout title={props.title} sandbox={props.sandbox} css={GIFT_CSS}>
      {props.children}
    </Layout>
  );
}

/**
 * The room as a recipient sees it: who sent it, what it is, the one form, then the message and the
 * rules. It never shows who else claimed or how many gifts are left (S12; DECISIONS.md). A room
 * that gives nothing any more says so, without a form or an invitation to enter a number, and
 * offers the bot instead.
 */
export function GiftRoomPage(props: {
  room: PublicGiftRoomDto;
  gift: string;
  csrf: string;
  sandbox: boolean;
  links: StartLinks;
  values?: GiftFormValues;
  error?: string;
  errorField?: GiftField;
}) {
  const { room } = props;
  const draw = room.mode === "random_draw";
  const open = room.state === "open";
  return (
    <GiftLayout title={`A gift from ${room.senderName} — TADA VTU`} sandbox={props.sandbox}>
      <main class="card gift">
        <p class="muted">TADA VTU gift</p>
        <h1 data-testid="gift-title">{room.senderName} sent you a gift</h1>
        <p class="amount" data-testid="gift-what">
          {props.gift}
        </p>
        {room.state === "open" ? (
          <ClaimForm {...props} />
        ) : (
          <section data-testid="gift-state">
            <h2>{STATE_TEXT[room.state].title}</h2>
            <p>{stateBody(room, room.state)}</p>
          </section>
        )}
        {room.message ? <blockquote data-testid="gift-message">{room.message}</blockquote> : null}
        {open ? <Rules room={room} /> : null}
        {draw ? <DrawStatusForm token={room.token} csrf={props.csrf} /> : null}
        {open ? null : <StartBot links={props.links} />}
      </main>
    </GiftLayout>
  );
}

const STATE_TEXT: Record<Exclude<PublicGiftRoomDto["state"], "open">, { title: string; body: string }> = {
  full: { title: "All the gifts have been claimed", body: "You are a little late this time." },
  drawing: { title: "The draw is happening now", body: "Entries are closed. Check your result below." },
  closed: { title: "This gift room has closed", body: "It no longer gives out gifts." },
  expired: { title: "This gift room has expired", body: "It no longer gives out gifts." },
};

/** Past tense for a room that is over: never "open until" a time gone by. */
function stateBody(room: PublicGiftRoomDto, state: Exclude<PublicGiftRoomDto["state"], "open">): string {
  if (state === "expired") {
    return `It closed at ${lagosTime(room.expiresAt)} and no longer gives out gifts.`;
  }
  if (room.mode === "random_draw" && state === "closed") {
    return "This draw is over. If you joined, check your result below.";
  }
  return STATE_TEXT[state].body;
}

function Rules(props: { room: PublicGiftRoomDto }) {
  const { room } = props;
  const closes = <p class="muted">Open until {lagosTime(room.expiresAt)}. One gift per person.</p>;
  if (room.mode === "random_draw") {
    return (
      <section data-testid="gift-rules">
        <p>
          <strong>Random draw.</strong> Join with your number before{" "}
          {room.drawAt ? lagosTime(room.drawAt) : "the draw"}. Winners are picked at random then, and their
          gifts are sent straight away.
        </p>
        {closes}
      </section>
    );
  }
  if (room.mode === "quiz") {
    return (
      <section data-testid="gift-rules">
        <p>
          <strong>Quiz.</strong> Answer the question correctly to claim. The first right answers get the
          gifts.
        </p>
        {closes}
      </section>
    );
  }
  return (
    <section data-testid="gift-rules">
      <p>
        <strong>First come, first served.</strong> Enter your number and the gift is sent to it.
      </p>
      {closes}
    </section>
  );
}

/** The attributes that tie a field to the refusal about it (focused, marked invalid, described). */
function invalidIf(on: boolean) {
  return on ? { "aria-invalid": "true", "aria-describedby": ERROR_ID, autofocus: true } : {};
}

/** The refusal, right above the field it is about, so it is on screen when that field is focused. */
function FieldError(props: { error?: string; show: boolean; focus?: boolean }) {
  return props.error && props.show ? (
    <p
      class="error field-error"
      id={ERROR_ID}
      role="alert"
      data-testid="gift-error"
      {...(props.focus ? { tabindex: -1, autofocus: true } : {})}
    >
      {props.error}
    </p>
  ) : null;
}

function ClaimForm(props: {
  room: PublicGiftRoomDto;
  csrf: string;
  values?: GiftFormValues;
  error?: string;
  errorField?: GiftField;
}) {
  const { room, error } = props;
  const values = props.values ?? {};
  const field = props.errorField;
  const planNetwork = room.kind === "data" ? NETWORKS.find((n) => n === room.network) : undefined;
  // A data room asks about the network only when it matters: the number looked like another one.
  const askPort = planNetwork !== undefined && (field === "network" || values.network === planNetwork);
  const shown = new Set<GiftField>(["phone"]);
  if (room.kind === "airtime" || askPort) {
    shown.add("network");
  }
  if (room.mode === "quiz") {
    shown.add("answer");
  }
  return (
    <form method="post" action={`/gift/${room.token}`}>
      {/* A refusal about no one field (or one this form does not show) leads the form, focused. */}
      <FieldError error={error} show={!field || !shown.has(field)} focus />
      <input type="hidden" name="csrf" value={props.csrf} />
      <input type="hidden" name="action" value="claim" />
      <FieldError error={error} show={field === "phone"} />
      <label>
        Your phone number
        <input
          class="field"
          name="phone"
          type="tel"
          inputmode="tel"
          autocomplete="tel"
          placeholder="08031234567"
          maxlength={30}
          required
          value={values.phone ?? ""}
          {...invalidIf(field === "phone")}
        />
      </label>
      {room.kind === "airtime" ? (
        <>
          <FieldError error={error} show={field === "network"} />
          <NetworkSelect chosen={values.network} invalid={field === "network"} />
        </>
      ) : null}
      {askPort && planNetwork ? (
        <>
          <FieldError error={error} show={field === "network"} />
          <PortedConfirm
            network={planNetwork}
            checked={values.network === planNetwork}
            invalid={field === "network"}
          />
        </>
      ) : null}
      {room.mode === "quiz" ? (
        <>
          <FieldError error={error} show={field === "answer"} />
          <label>
            {room.quizQuestion}
            <input
              class="field"
              name="answer"
              type="text"
              maxlength={200}
              required
              autocomplete="off"
              value={values.answer ?? ""}
              {...invalidIf(field === "answer")}
            />
          </label>
        </>
      ) : null}
      <button type="submit" class="primary">
        {room.mode === "random_draw" ? "Join the draw" : "Claim my gift"}
      </button>
    </form>
  );
}

/** Without JavaScript the page cannot guess as you type: "guess" is the default, the server guesses. */
function NetworkSelect(props: { chosen?: string; invalid: boolean }) {
  return (
    <label>
      Network
      <select class="field" name="network" {...invalidIf(props.invalid)}>
        <option value="" selected={!props.chosen}>
          Guess from my number
        </option>
        {NETWORKS.map((n) => (
          <option value={n} selected={props.chosen === n}>
            {NETWORK_NAMES[n]}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * A data plan works only on its own network. A number whose prefix says another network may have
 * been moved to this one: ticking this confirms it (the one network choice a data gift has).
 */
function PortedConfirm(props: { network: Network; checked: boolean; invalid: boolean }) {
  return (
    <label class="check">
      <input
        type="checkbox"
        name="network"
        value={props.network}
        checked={props.checked}
        {...invalidIf(props.invalid)}
      />
      <span>Yes, my number is on {NETWORK_NAMES[props.network]}</span>
    </label>
  );
}

function DrawStatusForm(props: { token: string; csrf: string }) {
  return (
    <form method="post" action={`/gift/${props.token}`}>
      <hr />
      <h2>Already joined?</h2>
      <input type="hidden" name="csrf" value={props.csrf} />
      <input type="hidden" name="action" value="draw-status" />
      <label>
        Number you joined with
        <input
          class="field"
          name="phone"
          type="tel"
          inputmode="tel"
          autocomplete="tel"
          maxlength={30}
          required
        />
      </label>
      <button type="submit" class="secondary">
        Check my draw result
      </button>
    </form>
  );
}

/** The sign-up moment gift links exist for: the bot, on every channel this deployment runs. */
export function StartBot(props: { links: StartLinks }) {
  if (!props.links.telegram && !props.links.whatsapp) {
    return null;
  }
  return (
    <section class="start" data-testid="start-bot">
      <h2>Get TADA VTU</h2>
      <p class="muted">Buy airtime and data from your chat, and send gifts like this one.</p>
      <StartButtons links={props.links} />
    </section>
  );
}

/** Every outcome of a POST: a heading, a badge, what it means, and the way back to the room. */
export function GiftResultPage(props: {
  token?: string;
  tone: "ok" | "wait" | "bad";
  badge: string;
  heading: string;
  sandbox: boolean;
  links: StartLinks;
  children?: Child;
}) {
  return (
    <GiftLayout title={`${props.heading} — TADA VTU`} sandbox={props.sandbox}>
      <main class="card gift" data-testid="gift-result">
        <p>
          <span class={`badge ${props.tone}`} data-testid="gift-badge">
            {props.badge}
          </span>
        </p>
        <h1>{props.heading}</h1>
        {props.children}
        {props.token ? (
          <a class="button secondary" href={`/gift/${props.token}`}>
            Back to the gift
          </a>
        ) : null}
        <StartBot links={props.links} />
      </main>
    </GiftLayout>
  );
}

/** Unknown tokens: nothing to learn about which rooms exist, but still a way in. */
export function GiftNotFoundPage(props: { sandbox: boolean; links: StartLinks }) {
  return (
    <GiftResultPage
      tone="bad"
      badge="Not found"
      heading="This gift link is not valid"
      sandbox={props.sandbox}
      links={props.links}
    >
      <p>Check that you opened the whole link you were sent.</p>
    </GiftResultPage>
  );
}
