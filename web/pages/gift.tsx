import type { Child } from "hono/jsx";
import { NETWORK_NAMES } from "../../api/services/catalogue/normalize";
import type { PublicGiftRoomDto } from "../../api/services/gift-rooms";
import { NETWORKS } from "../../api/services/vtu/provider";
import { Layout } from "../layout";

/** What the person typed, put back in the form after a refusal (never another person's data). */
export type GiftFormValues = { phone?: string; network?: string; answer?: string };

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

const STATE_TEXT: Record<Exclude<PublicGiftRoomDto["state"], "open">, { title: string; body: string }> = {
  full: { title: "All the gifts have been claimed", body: "You are a little late this time." },
  drawing: { title: "The draw is happening now", body: "Entries are closed. Check your result below." },
  closed: { title: "This gift room has closed", body: "It no longer gives out gifts." },
  expired: { title: "This gift room has expired", body: "It no longer gives out gifts." },
};

/**
 * The room as a recipient sees it: who sent it, what it is, the rules, and the one form. It never
 * shows who else claimed or how many gifts are left (S12; DECISIONS.md).
 */
export function GiftRoomPage(props: {
  room: PublicGiftRoomDto;
  gift: string;
  csrf: string;
  sandbox: boolean;
  values?: GiftFormValues;
  error?: string;
}) {
  const { room } = props;
  const draw = room.mode === "random_draw";
  return (
    <Layout title={`A gift from ${room.senderName} — TADA VTU`} sandbox={props.sandbox}>
      <main class="card">
        <p class="muted">TADA VTU gift</p>
        <h1 data-testid="gift-title">{room.senderName} sent you a gift</h1>
        <p class="amount" data-testid="gift-what">
          {props.gift}
        </p>
        {room.message ? <blockquote data-testid="gift-message">{room.message}</blockquote> : null}
        <Rules room={room} />
        {room.state === "open" ? (
          <ClaimForm {...props} />
        ) : (
          <section data-testid="gift-state">
            <h2>{STATE_TEXT[room.state].title}</h2>
            <p>{STATE_TEXT[room.state].body}</p>
          </section>
        )}
        {draw ? <DrawStatusForm token={room.token} csrf={props.csrf} /> : null}
      </main>
    </Layout>
  );
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

function ClaimForm(props: {
  room: PublicGiftRoomDto;
  csrf: string;
  values?: GiftFormValues;
  error?: string;
}) {
  const { room } = props;
  const values = props.values ?? {};
  return (
    <form method="post" action={`/gift/${room.token}`}>
      {props.error ? (
        <p class="error" role="alert" data-testid="gift-error">
          {props.error}
        </p>
      ) : null}
      <input type="hidden" name="csrf" value={props.csrf} />
      <input type="hidden" name="action" value="claim" />
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
        />
      </label>
      {room.kind === "airtime" ? <NetworkSelect chosen={values.network} /> : null}
      {room.mode === "quiz" ? (
        <label>
          {room.quizQuestion}
          <input class="field" name="answer" type="text" maxlength={200} required autocomplete="off" />
        </label>
      ) : null}
      <button type="submit" class="primary">
        {room.mode === "random_draw" ? "Join the draw" : "Claim my gift"}
      </button>
    </form>
  );
}

/** Without JavaScript the page cannot guess as you type: "guess" is the default, the server guesses. */
function NetworkSelect(props: { chosen?: string }) {
  return (
    <label>
      Network
      <select class="field" name="network">
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

function DrawStatusForm(props: { token: string; csrf: string }) {
  return (
    <form method="post" action={`/gift/${props.token}`}>
      <hr />
      <h2>Already joined?</h2>
      <input type="hidden" name="csrf" value={props.csrf} />
      <input type="hidden" name="action" value="draw-status" />
      <label>
        Number you joined with
        <input class="field" name="phone" type="tel" inputmode="tel" maxlength={30} required />
      </label>
      <button type="submit" class="secondary">
        Check my draw result
      </button>
    </form>
  );
}

/** Every outcome of a POST: a heading, a badge, what it means, and the way back to the room. */
export function GiftResultPage(props: {
  token?: string;
  tone: "ok" | "wait" | "bad";
  badge: string;
  heading: string;
  sandbox: boolean;
  children?: Child;
}) {
  return (
    <Layout title={`${props.heading} — TADA VTU`} sandbox={props.sandbox}>
      <main class="card" data-testid="gift-result">
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
      </main>
    </Layout>
  );
}

/** Unknown tokens: nothing to learn about which rooms exist. */
export function GiftNotFoundPage(props: { sandbox: boolean }) {
  return (
    <GiftResultPage
      tone="bad"
      badge="Not found"
      heading="This gift link is not valid"
      sandbox={props.sandbox}
    >
      <p>Check that you opened the whole link you were sent.</p>
    </GiftResultPage>
  );
}
