import type { Child } from "hono/jsx";
import type { ServiceError } from "../../api/services/errors";
import type { GiftDelivery } from "../../api/services/gift-rooms";
import { maskPhone } from "../../api/services/phone";
import type { StartLinks } from "../chat-links";
import { GiftResultPage, lagosTime } from "./gift";

type Tone = "ok" | "wait" | "bad";

/** Where the money of a gift that did not go through is now, in the recipient's words. */
function refundLine(delivery: Pick<GiftDelivery, "refundedTo">): string {
  return delivery.refundedTo === "room"
    ? "The money went back to the gift room, so you can claim again while it is open."
    : "The money went back to the person who sent the gift.";
}

function statusPath(token: string, orderId: string): string {
  return `/gift/${token}/status/${orderId}`;
}

/** The claim went through: where the gift is now, and (while it travels) a link to look again. */
export function ClaimOutcome(props: {
  token: string;
  delivery: GiftDelivery;
  guessed?: string;
  sandbox: boolean;
  links: StartLinks;
}) {
  const { delivery } = props;
  // Masked even for the claimant: the page may be shown or screenshotted to others.
  const to = delivery.recipient.includes("*") ? delivery.recipient : maskPhone(delivery.recipient);
  const guessed = props.guessed ? (
    <p class="muted" data-testid="gift-guessed">
      We took the network from your number: {props.guessed}.
    </p>
  ) : null;
  if (delivery.state === "failed") {
    return (
      <GiftResultPage
        token={props.token}
        tone="bad"
        badge="Not delivered"
        heading="The gift did not go through"
        sandbox={props.sandbox}
        links={props.links}
      >
        <p data-testid="gift-outcome">
          The network could not deliver {delivery.gift} to {to}. {refundLine(delivery)}
        </p>
      </GiftResultPage>
    );
  }
  const [badge, tone, line] = deliveryWords(delivery, to);
  return (
    <GiftResultPage
      token={props.token}
      tone={tone}
      badge={badge}
      heading="Claimed!"
      sandbox={props.sandbox}
      links={props.links}
    >
      <p data-testid="gift-outcome">{line}</p>
      {guessed}
      {delivery.state === "ordered" && delivery.orderId ? (
        <a class="button" href={statusPath(props.token, delivery.orderId)}>
          Check status
        </a>
      ) : null}
    </GiftResultPage>
  );
}

function deliveryWords(delivery: GiftDelivery, to: string): readonly [string, Tone, string] {
  switch (delivery.state) {
    case "delivered":
      return ["Delivered", "ok", `${delivery.gift} was delivered to ${to}.`];
    case "credited":
      return ["In your wallet", "ok", `${delivery.gift} is in the TADA VTU wallet of ${to}.`];
    default:
      return ["On its way", "wait", `${delivery.gift} is on its way to ${to}.`];
  }
}

export function JoinedOutcome(props: {
  token: string;
  drawAt: string;
  guessed?: string;
  sandbox: boolean;
  links: StartLinks;
}) {
  return (
    <GiftResultPage
      token={props.token}
      tone="ok"
      badge="In the draw"
      heading="You are in the draw"
      sandbox={props.sandbox}
      links={props.links}
    >
      <p data-testid="gift-outcome">
        Winners are picked at {lagosTime(props.drawAt)}. If you win, the gift is sent to your number straight
        away; come back after the draw to check your result.
      </p>
      {props.guessed ? <p class="muted">We took the network from your number: {props.guessed}.</p> : null}
    </GiftResultPage>
  );
}

export type DrawStatusView = {
  joined: boolean;
  outcome: string | null;
  drawAt: string | null;
  delivery: GiftDelivery | null;
  /** This device joined with the number, so the claim's status link opens for it. */
  followable: boolean;
};

/**
 * A draw result looked up by number. A winner is told what became of the gift as it is now (on its
 * way, delivered, or failed and where the money went), never "sent" before it is, with the status
 * link a first-come claim has.
 */
export function DrawStatusOutcome(props: {
  token: string;
  status: DrawStatusView;
  sandbox: boolean;
  links: StartLinks;
}) {
  const { status } = props;
  const [tone, badge, heading, line] = drawWords(status);
  const delivery = status.delivery;
  const follow =
    status.outcome === "won" && status.followable && delivery?.orderId && delivery.state !== "delivered"
      ? statusPath(props.token, delivery.orderId)
      : undefined;
  return (
    <GiftResultPage
      token={props.token}
      tone={tone}
      badge={badge}
      heading={heading}
      sandbox={props.sandbox}
      links={props.links}
    >
      <p data-testid="gift-outcome">{line}</p>
      {follow ? (
        <a class="button" href={follow} data-testid="draw-status-link">
          Check status
        </a>
      ) : null}
    </GiftResultPage>
  );
}

function drawWords(status: DrawStatusView): readonly [Tone, string, string, string] {
  const when = status.drawAt ? lagosTime(status.drawAt) : "the draw time";
  if (!status.joined) {
    return [
      "bad",
      "Not joined",
      "That number is not in this draw",
      "Check the number, or join the draw if it is still open.",
    ];
  }
  switch (status.outcome) {
    case "won":
      return wonWords(status.delivery);
    case "lost":
      return ["bad", "Not this time", "You were not picked", "Thanks for joining. Better luck next time!"];
    case "undeliverable":
      return [
        "bad",
        "Not delivered",
        "Your gift could not be sent",
        "You were picked, but the gift could not be sent to this number, so it went to the next person drawn.",
      ];
    case "cancelled":
      return [
        "bad",
        "Closed",
        "This draw was closed before it took place",
        "Nobody was picked, and no gift was sent from it.",
      ];
    default:
      return ["wait", "Waiting", "The draw has not happened yet", `Winners are picked at ${when}.`];
  }
}

function wonWords(delivery: GiftDelivery | null): readonly [Tone, string, string, string] {
  if (!delivery) {
    return ["wait", "Won", "You won!", "Your gift is being prepared. Check again in a minute."];
  }
  if (delivery.state === "failed") {
    return [
      "bad",
      "Not delivered",
      "You won, but the gift did not go through",
      `The network could not deliver ${delivery.gift} to ${delivery.recipient}. ${refundLine(delivery)}`,
    ];
  }
  const [badge, tone, line] = deliveryWords(delivery, delivery.recipient);
  return [tone, badge, "You won!", line];
}

const REFUSALS: Record<string, { badge: string; heading: string; tone: Tone }> = {
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
  links: StartLinks;
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
      links={props.links}
    >
      <p data-testid="gift-outcome">{props.error?.message ?? props.children}</p>
    </GiftResultPage>
  );
}
