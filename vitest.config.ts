import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx"],
    exclude: ["node_modules/**", ".data/**"],
    globalSetup: ["./test/global-setup.ts"],
    // Each test file gets its own database cloned from a migrated template, so files run in parallel.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // L11: the whole suite runs in Lagos time; the test server runs in Los Angeles time.
    env: { TZ: "Africa/Lagos" },
    reporters: ["default", "./test/fail-on-skip-reporter.ts"],
  },
});
