import { describe, expect, it } from "vitest";
import { beginShutdown, isConnectionClosedError, isShuttingDown, levelDuringShutdown } from "./shutdown";

describe("errors during an orderly stop", () => {
  it("are errors while the process runs, and debug once it stops, for a closed connection only", () => {
    const adminShutdown = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:54329"), {
      code: "ECONNREFUSED",
    });
    const poolEnded = new Error("Cannot use a pool after calling end on the pool");
    const bug = new TypeError("cannot read properties of undefined");
    for (const error of [adminShutdown, refused, poolEnded]) {
      expect(isConnectionClosedError(error)).toBe(true);
    }
    expect(isConnectionClosedError(bug)).toBe(false);
    expect(isConnectionClosedError("57P01")).toBe(false);

    expect(isShuttingDown()).toBe(false);
    expect(levelDuringShutdown(adminShutdown, "error")).toBe("error");
    expect(levelDuringShutdown(refused, "warn")).toBe("warn");

    beginShutdown();
    expect(isShuttingDown()).toBe(true);
    expect(levelDuringShutdown(adminShutdown, "error")).toBe("debug");
    expect(levelDuringShutdown(refused, "warn")).toBe("debug");
    expect(levelDuringShutdown(bug, "error")).toBe("error");
  });
});
