/** Poll `check` until it holds; throws after `ms` (what a test waits for happens in another process or task). */
export async function until(
  check: () => boolean | undefined | Promise<boolean | undefined>,
  ms = 10_000,
  what = "the condition",
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
