/**
 * The faults the soak injects, as time windows, so a failed request can be judged: a connection
 * reset while the server was being killed is expected (the client retries with the same key); the
 * same reset at any other time is a violation. The gate holds new requests while the server is
 * down, the way a client backs off until the service answers again.
 */
export type FaultKind = "kill" | "worker-kill" | "redis-stop";

export type FaultWindow = {
  kind: FaultKind;
  from: number;
  /** Undefined while the fault lasts. */
  to?: number;
  /** What a request overlapping the window may suffer without it being a violation. */
  excuses: { transport: boolean; statuses: readonly number[] };
};

export class FaultLog {
  readonly windows: FaultWindow[] = [];

  open(kind: FaultKind, excuses: FaultWindow["excuses"]): FaultWindow {
    const window: FaultWindow = { kind, from: Date.now(), excuses };
    this.windows.push(window);
    return window;
  }

  close(window: FaultWindow, graceMs = 0): void {
    window.to = Date.now() + graceMs;
  }

  /** The fault that explains a failure of a request that ran from `started` to `ended`, if any. */
  excuse(
    started: number,
    ended: number,
    failure: { transport: boolean; status?: number },
  ): FaultWindow | undefined {
    return this.windows.find(
      (w) =>
        started <= (w.to ?? Number.POSITIVE_INFINITY) &&
        ended >= w.from &&
        (failure.transport ? w.excuses.transport : w.excuses.statuses.includes(failure.status ?? 0)),
    );
  }
}

/** Holds requests while the server is down; opened again once /healthz answers 200. */
export class Gate {
  private waiting: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  get isClosed(): boolean {
    return this.release !== undefined;
  }

  close(): void {
    if (this.release) {
      return;
    }
    this.waiting = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  pass(): Promise<void> {
    return this.waiting;
  }
}
