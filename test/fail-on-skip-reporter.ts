import type { Reporter, TestCase, TestModule } from "vitest/node";

/**
 * CI sets TADA_FAIL_ON_SKIP=1: a skipped test (e.g. a Redis suite on a machine without redis-server)
 * then fails the run instead of passing silently.
 */
export default class FailOnSkipReporter implements Reporter {
  private readonly skipped: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    if (testCase.result().state === "skipped") {
      this.skipped.push(`${testCase.module.moduleId} › ${testCase.fullName}`);
    }
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>): void {
    if (process.env.TADA_FAIL_ON_SKIP !== "1" || this.skipped.length === 0) {
      return;
    }
    process.stderr.write(
      `\nTADA_FAIL_ON_SKIP=1 and ${this.skipped.length} test(s) were skipped:\n${this.skipped.map((s) => `  - ${s}`).join("\n")}\n`,
    );
    process.exitCode = 1;
  }
}
