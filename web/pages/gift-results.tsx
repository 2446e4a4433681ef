import type { Child } from "hono/jsx";
import type { ServiceError } from "../../api/services/errors";
import { maskPhone } from "../../api/services/phone";
import { GiftResultPage, lagosTime } from "./gift";

/** The claim went through: where the gift is now, and (while it travels) a link to look again. */
export function ClaimOutcome(props: {
  token: string;
  orderId: string | null;
  state: "ordered" | "delivered" | "credited" | "failed";
  gift: string;
  recipient: string;
  guessed?: string;
  sandbox: boolean;
}) {
  // Masked even for the claimant: the page may be shown or screenshotted to others.
  const to = props.recipient.includes("*") ? props.recipient : maskPhone(props.recipient);
  const guessed = props.guessed ? (
    <p class="muted" data-testid="gift-guessed">
      We took the network from your number: {props.guessed}.
    </p>
  ) : null;
  if (props.state === "failed") {
    return (
      <GiftResultPage
        token={props.token}
        tone="bad"
        badge="Not delivered"
        heading="The gift did not go through"
        sandbox={props.sandbox}
      >
        <p>
          The network could not deliver {props.gift} to {to}. The gift went back to the room, so you can try
          again.
        </p>
      </GiftResultPage>
    );
  }
  const [badge, tone, line] =
    props.state === "delivered"
      ? (["Delivered", "ok", `${props.gift} was delivered to ${to}.`] as const)
      : props.state === "credited"
        ? (["In your wallet", "ok", `${props.gift} is in the TADA VTU wallet of ${to}.`] as const)
        : (["On its way", "wait", `${props.gift} is on its way to ${to}.`] as const);
  return (
    <GiftResultPage token={props.token} tone={tone} badge={badge} heading="Claimed!" sandbox={props.sandbox}>
      <p data-testid="gift-outcome">{line}</p>
      {guessed}
      {props.state === "ordered" && props.orderId ? (
        <a class="button" href={`/gift/${props.token}/status/${props.orderId}`}>
          Check status
        </a>
      ) : null}
    </GiftResultPage>
  );
}

export function JoinedOutcome(props: { token: string; drawAt: string; guessed?: string; sandbox: boolean }) {
  return (
    <GiftResultPage
      token={props.token}
      tone="ok"
      badge="In the draw"
      heading="You are in the draw"
      sandbox={props.sandbox}
    >
      <p data-testid="gift-outcome">
        Winners are picked at {lagosTime(props.drawAt)}. If you win, the gift is sent to your number straight
        away; come back after the draw to check your result.
      </p>
      {props.guessed ? <p class="muted">We took the network from your number: {props.guessed}.</p> : null}
    </GiftResultPage>
  );
}

export function DrawStatusOutcome(props: {
  token: string;
  status: { joined: boolean; outcome: string | null; drawAt: string | null };
  sandbox: boolean;
}) {
  const { status } = props;
  const when = status.drawAt ? lagosTime(status.drawAt) : "the draw time";
  const [tone, badge, heading, line] = !status.joined
    ? ([
        "bad",
        "Not joined",
        "That number is not in this draw",
        "Check the number, or join the draw if it is still open.",
      ] as const)
    : status.outcome === "won"
      ? (["ok", "Won", "You won!", "Your gift has been sent to your number."] as const)
      : status.outcome === "lost"
        ? ([
            "bad",
            "Not this time",
            "You were not picked",
            "Thanks for joining. Better luck next time!",
          ] as const)
        : status.outcome === "undeliverable"
          ? ([
              "bad",
              "Not delivered",
              "Your gift could not be sent",
              "You were picked, but the network could not take the gift.",
            ] as const)
          : (["wait", "Waiting", "The draw has not happened yet", `Winners are picked at ${when}.`] as const);
  return (
    <GiftResultPage token={props.token} tone={tone} badge={badge} heading={heading} sandbox={props.sandbox}>
      <p data-testid="gift-outcome">{line}</p>
    </GiftResultPage>
  );
}

const REFUSALS: Record<string, { badge: string; heading: string; tone: "ok" | "wait" | "bad" }> = {
  ALREADY_CLAIMED: { badge: "Already claimed", heading: "You have already claimed this gift", tone: "wait" },
  ROOM_FULL: { badge: "Room full", heading: "All the gifts have been claimed", tone: "bad" },
  ROOM_CLOSED: { badge: "Closed", heading: "This gift room has closed", tone: "bad" },
  DRAW_CLOSED: { badge: "Closed", heading: "This draw is closed", tone: "bad" },
  ALREADY_JOINED: { badge: "In the draw", heading: "You are already in this draw", tone: "ok" },
  SIGNUP_REQUIRED: { badge: "Sign up first", heading: "This gift goes to a TADA VTU wallet", tone: "wait" },
  RATE_LIMITED: { badge: "Slow down", heading: "Too many tries", tone: "wait" },
};

/** A refusal from the services, in their words (they are written for the person reading them). */
export function RefusedOutcome(props: {
  token: string;
  error?: ServiceError;
  heading?: string;
  sandbox: boolean;
  children?: Child;
}) {
  const known = props.error ? REFUSALS[props.error.code] : undefined;
  return (
    <GiftResultPage
      token={props.token}
      tone={known?.tone ?? "bad"}
      badge={known?.badge ?? "Not claimed"}
      heading={known?.heading ?? props.heading ?? "We could not do that"}
      sandbox={props.sandbox}
    >
      <p data-testid="gift-outcome">{props.error?.message ?? props.children}</p>
    </GiftResultPage>
  );
}
