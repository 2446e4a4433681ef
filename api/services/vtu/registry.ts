import type { ServiceContext } from "../context";
import type { VtuProvider } from "./provider";

/** The providers this process can talk to, built once from the configuration at start-up. */
export type ProviderRegistry = {
  get(code: string): VtuProvider | undefined;
  all(): readonly VtuProvider[];
  /** How each provider is registered in `vtu_providers` the first time it is seen. */
  describe(code: string): { name: string; defaultPriority: number } | undefined;
};

export function createProviderRegistry(
  entries: { provider: VtuProvider; name: string; defaultPriority: number }[],
): ProviderRegistry {
  const byCode = new Map(entries.map((e) => [e.provider.code, e]));
  return {
    get: (code) => byCode.get(code)?.provider,
    all: () => entries.map((e) => e.provider),
    describe: (code) => byCode.get(code),
  };
}

/**
 * Make sure every configured provider has its row. An existing row keeps what admins set (enabled,
 * priority); only the display name follows the code.
 */
export async function registerProviders(args: {
  ctx: ServiceContext;
  providers: ProviderRegistry;
}): Promise<void> {
  for (const provider of args.providers.all()) {
    const info = args.providers.describe(provider.code);
    await args.ctx.db
      .insertInto("vtu_providers")
      .values({
        code: provider.code,
        name: info?.name ?? provider.code,
        priority: info?.defaultPriority ?? 100,
      })
      .onConflict((oc) => oc.column("code").doUpdateSet((eb) => ({ name: eb.ref("excluded.name") })))
      .execute();
  }
}

/** Providers that are configured here and enabled in the database, in failover order. */
export async function activeProviderCodes(args: {
  ctx: ServiceContext;
  providers: ProviderRegistry;
}): Promise<string[]> {
  const configured = new Set(args.providers.all().map((p) => p.code));
  const rows = await args.ctx.db
    .selectFrom("vtu_providers")
    .select("code")
    .where("enabled", "=", true)
    .orderBy("priority")
    .orderBy("code")
    .execute();
  return rows.map((r) => r.code).filter((code) => configured.has(code));
}
