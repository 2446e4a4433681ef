import QRCode from "qrcode";

export type WhatsAppState = "starting" | "qr" | "ready" | "disconnected" | "auth_failure";

export type WhatsAppStatusSnapshot = {
  state: WhatsAppState;
  /** The latest QR to scan while the state is "qr"; gone once linked. */
  qr?: string;
  updatedAt: Date;
};

/**
 * Where the WhatsApp client is, for the admin panel: the state and the QR to scan (also as an image
 * data URL). In-process on purpose: the client runs in one process and the QR changes every ~20 s.
 * The channel (bot/whatsapp) writes it and the panel (web/) reads it, so it sits where both reach.
 */
export class WhatsAppStatus {
  private current: WhatsAppStatusSnapshot;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.current = { state: "starting", updatedAt: now() };
  }

  get(): WhatsAppStatusSnapshot {
    return { ...this.current };
  }

  update(state: WhatsAppState, qr?: string): void {
    this.current = { state, qr: state === "qr" ? qr : undefined, updatedAt: this.now() };
  }

  /** The QR as a PNG data URL (for an <img>), or undefined when there is nothing to scan. */
  async qrDataUrl(): Promise<string | undefined> {
    return this.current.qr ? QRCode.toDataURL(this.current.qr, { margin: 1, width: 320 }) : undefined;
  }
}

/** The status of the client `npm start` runs. */
export const whatsAppStatus = new WhatsAppStatus();
