import type { Reporter, TestCase, TestModule } from "vitest/node";

/**
 * Prints a plain closing line ("N passed, N failed, N skipped") and, with TADA_FAIL_ON_SKIP=1 (CI),
 * lists every skipped test. Suites that need a tool also refuse to skip under that flag
 * (see test/helpers/redis.ts), and .ci/run fails unless the closing line says "0 skipped".
 */
export default class FailOnSkipReporter implements Reporter {
  private readonly skipped: string[] = [];
  private passed = 0;
  private failed = 0;

  onTestCaseResult(testCase: TestCase): void {
    const state = testCase.result().state;
    if (state === "skipped") {
      this.skipped.push(`${testCase.module.moduleId} › ${testCase.fullName}`);
    } else if (state === "passed") {
      this.passed += 1;
    } else if (state === "failed") {
      this.failed += 1;
    }
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>): void {
    // A plain closing line that any CI log reader understands.
    process.stdout.write(`\n${this.passed} passed, ${this.failed} failed, ${this.skipped.length} skipped\n`);
    if (process.env.TADA_FAIL_ON_SKIP !== "1" || this.skipped.length === 0) {
      return;
    }
    process.stderr.write(
      `\nTADA_FAIL_ON_SKIP=1 and ${this.skipped.length} test(s) were skipped:\n${this.skipped.map((s) => `  - ${s}`).join("\n")}\n`,
    );
    // vitest decides its exit code itself (neither exitCode nor a throw here changes it), so .ci/run
    // also checks the closing line above for "0 skipped".
  }
}
