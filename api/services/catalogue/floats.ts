import type { ServiceContext } from "../context";
import type { ProviderRegistry, VtuProvider } from "../vtu";

const BALANCE_TIMEOUT_MS = 10_000;

export type FloatCheck = { code: string; ok: boolean; floatKobo?: number; error?: string };

/** Our float at one provider (their balance call, as /healthz makes it), or why we could not tell. */
export async function readProviderFloat(
  provider: Pick<VtuProvider, "balance">,
): Promise<{ ok: true; floatKobo: number } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      provider.balance(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no answer within 10 s")), BALANCE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, floatKobo: answer.balanceKobo };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The scheduled float check (every PROVIDER_FLOAT_CHECK_MINUTES): ask each provider and store what
 * it says, so the low-float alert and the providers page work from a recent figure. A provider that
 * does not answer keeps its last known float. A measurement, not a decision: no audit row.
 */
export async function refreshProviderFloats(
  ctx: ServiceContext,
  providers: ProviderRegistry,
): Promise<FloatCheck[]> {
  const results: FloatCheck[] = [];
  for (const provider of providers.all()) {
    const read = await readProviderFloat(provider);
    if (!read.ok) {
      results.push({ code: provider.code, ok: false, error: read.error });
      continue;
    }
    const now = ctx.now();
    await ctx.db
      .updateTable("vtu_providers")
      .set({ float_kobo: read.floatKobo, float_checked_at: now, updated_at: now })
      .where("code", "=", provider.code)
      .execute();
    results.push({ code: provider.code, ok: true, floatKobo: read.floatKobo });
  }
  return results;
}
