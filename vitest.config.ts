import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", ".data/**"],
    globalSetup: ["./test/global-setup.ts"],
    // Each test file gets its own database cloned from a migrated template, so files run in parallel.
    pool: "forks",
    // Two files at a time even on two cores (vitest's default there is one): much of the suite waits
    // on child processes, sandbox latency and timers (the soak, the scale-out and kill tests), so a
    // second worker halves the wall time (14 → 9 minutes here) without starving the rest.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // L11: the whole suite runs in Lagos time; the test server runs in Los Angeles time.
    env: { TZ: "Africa/Lagos" },
    reporters: ["default", "./test/fail-on-skip-reporter.ts"],
  },
});
