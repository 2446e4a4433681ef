import { z } from "zod";
import { parseDurations } from "../../config";
import { recordAudit } from "../audit";
import { invalidateCatalogueCache } from "../catalogue/cache";
import { type FloatCheck, readProviderFloat } from "../catalogue/floats";
import { type SyncReport, syncCatalogue } from "../catalogue/sync";
import { type ServiceContext, withTransaction } from "../context";
import { NotFoundError, parseInput, ServiceError, ValidationError } from "../errors";
import { nairaToKobo } from "../money";
import { type ProviderRegistry, registerProviders } from "../vtu/registry";
import { assertSuperAdmin, Reason, type SettingsActor } from "./catalogue-settings";

export type AdminProviderRow = {
  code: string;
  name: string;
  enabled: boolean;
  priority: number;
  /** Whether this process has a client for it (a row may outlive its configuration). */
  configured: boolean;
  lastSyncedAt: string | null;
  lastSyncError: string | null;
  floatKobo: number | null;
  floatCheckedAt: string | null;
  lowFloatKobo: number | null;
  /** The last float we know is below the threshold. */
  low: boolean;
  /** Post-delivery checks (seconds after delivery); null = VTU_VERIFY_AFTER_DELIVERY applies. */
  verifyOffsetsSeconds: number[] | null;
  /** Products this provider lists now. */
  products: number;
};

/** Every provider in failover order (priority, then code — the order orders go in). */
export async function listProvidersForAdmin(
  ctx: ServiceContext,
  providers?: ProviderRegistry,
): Promise<AdminProviderRow[]> {
  const rows = await ctx.db
    .selectFrom("vtu_providers as p")
    .selectAll("p")
    .select((eb) =>
      eb
        .selectFrom("provider_products as pp")
        .select((e) => e.fn.countAll<string>().as("n"))
        .whereRef("pp.provider", "=", "p.code")
        .where("pp.available", "=", true)
        .as("products"),
    )
    .orderBy("p.priority")
    .orderBy("p.code")
    .execute();
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    enabled: r.enabled,
    priority: r.priority,
    configured: providers?.get(r.code) !== undefined,
    lastSyncedAt: r.last_synced_at?.toISOString() ?? null,
    lastSyncError: r.last_sync_error,
    floatKobo: r.float_kobo,
    floatCheckedAt: r.float_checked_at?.toISOString() ?? null,
    lowFloatKobo: r.low_float_kobo,
    low: isLow(r.float_kobo, r.low_float_kobo),
    verifyOffsetsSeconds: r.verify_offsets_seconds,
    products: Number(r.products ?? 0),
  }));
}

function isLow(floatKobo: number | null, thresholdKobo: number | null): boolean {
  return floatKobo !== null && thresholdKobo !== null && floatKobo < thresholdKobo;
}

/**
 * Enabled providers whose last checked float is below their threshold (the alerts job calls this).
 * A disabled provider sells nothing, so its float is not urgent and is left out.
 */
export async function lowFloatProviders(
  ctx: ServiceContext,
): Promise<{ code: string; name: string; floatKobo: number; thresholdKobo: number }[]> {
  const rows = await ctx.db
    .selectFrom("vtu_providers")
    .select(["code", "name", "float_kobo", "low_float_kobo"])
    .where("enabled", "=", true)
    .where("float_kobo", "is not", null)
    .where("low_float_kobo", "is not", null)
    .whereRef("float_kobo", "<", "low_float_kobo")
    .orderBy("priority")
    .orderBy("code")
    .execute();
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    floatKobo: r.float_kobo ?? 0,
    thresholdKobo: r.low_float_kobo ?? 0,
  }));
}

export const ProviderEnabledInput = z.strictObject({ enabled: z.boolean(), reason: Reason });
/** The provider form's names for its fields, so a refusal names what the admin typed into. */
const LABELS = {
  priority: "Priority",
  thresholdKobo: "Low-float threshold",
  offsetsSeconds: "Checks after delivery",
};

export const ProviderPriorityInput = z.strictObject({
  priority: z
    .number({ error: "must be a whole number (0 or more; lower goes first)" })
    .int("must be a whole number (0 or more; lower goes first)")
    .min(0, "must be 0 or more (lower goes first)")
    .max(10_000, "must be at most 10000"),
  reason: Reason,
});
export const ProviderMoveInput = z.strictObject({ direction: z.enum(["up", "down"]), reason: Reason });
export const LowFloatInput = z.strictObject({
  thresholdKobo: z
    .number()
    .int("a whole number of kobo")
    .min(0, "a threshold cannot be negative")
    .max(100_000_000_000, "at most ₦1,000,000,000")
    .nullable(),
  reason: Reason,
});

/**
 * The soonest and latest check. Sooner than a minute the provider has had no time to change its
 * answer (it just said "delivered"); later than 30 days no provider keeps the transaction.
 */
export const VERIFY_OFFSET_LIMITS = { minSeconds: 60, maxSeconds: 30 * 86_400 } as const;

/** [120, 1800, 21600] → "2m, 30m, 6h"; [] → "never". */
export function formatVerifyOffsets(offsets: readonly number[]): string {
  if (offsets.length === 0) {
    return "never";
  }
  const one = (seconds: number) =>
    seconds % 86_400 === 0
      ? `${seconds / 86_400}d`
      : seconds % 3_600 === 0
        ? `${seconds / 3_600}h`
        : seconds % 60 === 0
          ? `${seconds / 60}m`
          : `${seconds}s`;
  return offsets.map(one).join(", ");
}

export const VerifyScheduleInput = z.strictObject({
  /**
   * Seconds after delivery, each once, from 1m to 30d; kept ascending whatever order they come in.
   * null = the configured default.
   */
  offsetsSeconds: z
    .array(
      z
        .number()
        .int("each a whole number of seconds")
        .min(VERIFY_OFFSET_LIMITS.minSeconds, "each at least 1m")
        .max(VERIFY_OFFSET_LIMITS.maxSeconds, "each at most 30d"),
    )
    .max(20, "at most 20 checks")
    .superRefine((offsets, c) => {
      const twice = offsets.find((o, i) => offsets.indexOf(o) !== i);
      if (twice !== undefined) {
        c.addIssue({
          code: "custom",
          message: `${formatVerifyOffsets([twice])} is there twice; list each time once`,
        });
      }
    })
    .transform((offsets) => [...offsets].sort((a, b) => a - b))
    .nullable(),
  reason: Reason,
});

/**
 * A schedule typed as "2m, 30m, 6h, 24h" ("" = the configured default; "none" = no checks). The
 * times stay as typed (order, repeats): setVerifySchedule refuses a repeat and sorts them.
 */
export function parseVerifySchedule(text: string): number[] | null {
  const value = text.trim().toLowerCase();
  if (value === "") {
    return null;
  }
  if (value === "none") {
    return [];
  }
  try {
    return parseDurations(value);
  } catch (error) {
    throw new ValidationError(
      `${LABELS.offsetsSeconds}: ${(error as Error).message}. Write times after delivery such as "2m, 30m, 6h, 24h", "none", or leave it empty for the default.`,
      { field: "schedule" },
    );
  }
}

/** A threshold typed in naira ("" = no threshold). */
export function parseThreshold(text: string): number | null {
  const value = text.trim().replace(/[₦\s]/g, "");
  if (value === "") {
    return null;
  }
  if (value.startsWith("-")) {
    throw new ValidationError("threshold: a threshold cannot be negative.", { field: "threshold" });
  }
  return nairaToKobo(value);
}

type ProviderRow = {
  code: string;
  enabled: boolean;
  priority: number;
  low_float_kobo: number | null;
  verify_offsets_seconds: number[] | null;
};

/** Change one provider's row under a lock, with its audit row; the catalogue cache is dropped after. */
async function changeProvider(
  ctx: ServiceContext,
  admin: SettingsActor,
  code: string,
  action: string,
  reason: string,
  change: (row: ProviderRow) => Partial<Omit<ProviderRow, "code">>,
): Promise<ProviderRow> {
  const result = await withTransaction(ctx, async (trx) => {
    const before = await trx
      .selectFrom("vtu_providers")
      .select(["code", "enabled", "priority", "low_float_kobo", "verify_offsets_seconds"])
      .where("code", "=", code)
      .forUpdate()
      .executeTakeFirst();
    if (!before) {
      throw new NotFoundError(`The provider "${code}"`);
    }
    const set = change(before);
    await trx
      .updateTable("vtu_providers")
      .set({ ...set, updated_at: ctx.now() })
      .where("code", "=", code)
      .execute();
    const beforeFields = Object.fromEntries(Object.keys(set).map((k) => [k, before[k as keyof ProviderRow]]));
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action,
      targetType: "vtu_provider",
      targetId: code,
      before: beforeFields,
      after: set,
      reason,
    });
    return { ...before, ...set };
  });
  invalidateCatalogueCache();
  return result;
}

/** Stop (or resume) sending orders to a provider; orders already there finish as they are. */
export async function setProviderEnabled(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  code: string;
  input: z.input<typeof ProviderEnabledInput>;
}) {
  assertSuperAdmin(args.admin, "enable or disable providers");
  const input = parseInput(ProviderEnabledInput, args.input);
  return changeProvider(
    args.ctx,
    args.admin,
    args.code,
    input.enabled ? "provider.enable" : "provider.disable",
    input.reason,
    () => ({ enabled: input.enabled }),
  );
}

/** Set a provider's place in the failover order directly (lower goes first). */
export async function setProviderPriority(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  code: string;
  input: z.input<typeof ProviderPriorityInput>;
}) {
  assertSuperAdmin(args.admin, "change the provider order");
  const input = parseInput(ProviderPriorityInput, args.input, "input", LABELS);
  return changeProvider(args.ctx, args.admin, args.code, "provider.set_priority", input.reason, () => ({
    priority: input.priority,
  }));
}

/** The low-float threshold (kobo; null = none). */
export async function setLowFloatThreshold(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  code: string;
  input: z.input<typeof LowFloatInput>;
}) {
  assertSuperAdmin(args.admin, "change float thresholds");
  const input = parseInput(LowFloatInput, args.input, "input", LABELS);
  return changeProvider(args.ctx, args.admin, args.code, "provider.set_low_float", input.reason, () => ({
    low_float_kobo: input.thresholdKobo,
  }));
}

/**
 * When this provider is asked again about what it delivered (a late failure or reversal refunds the
 * order). Applies to deliveries from now on; orders already scheduled keep their next check.
 */
export async function setVerifySchedule(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  code: string;
  input: z.input<typeof VerifyScheduleInput>;
}) {
  assertSuperAdmin(args.admin, "change post-delivery checks");
  const input = parseInput(VerifyScheduleInput, args.input, "input", LABELS);
  return changeProvider(
    args.ctx,
    args.admin,
    args.code,
    "provider.set_verify_schedule",
    input.reason,
    () => ({
      verify_offsets_seconds: input.offsetsSeconds,
    }),
  );
}

/**
 * Move a provider one place up or down the failover order. The whole order is renumbered 10, 20, 30…
 * so ties cannot hide the move; the audit row holds the order before and after.
 */
export async function moveProvider(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  code: string;
  input: z.input<typeof ProviderMoveInput>;
}): Promise<{ code: string; priority: number }[]> {
  const { ctx, admin, code } = args;
  assertSuperAdmin(admin, "change the provider order");
  const input = parseInput(ProviderMoveInput, args.input);
  const order = await withTransaction(ctx, async (trx) => {
    const rows = await trx
      .selectFrom("vtu_providers")
      .select(["code", "priority"])
      .orderBy("priority")
      .orderBy("code")
      .forUpdate()
      .execute();
    const index = rows.findIndex((r) => r.code === code);
    if (index < 0) {
      throw new NotFoundError(`The provider "${code}"`);
    }
    const target = input.direction === "up" ? index - 1 : index + 1;
    const moved = [...rows];
    if (target >= 0 && target < rows.length) {
      const [row] = moved.splice(index, 1);
      if (row) {
        moved.splice(target, 0, row);
      }
    }
    const after = moved.map((r, i) => ({ code: r.code, priority: (i + 1) * 10 }));
    for (const r of after) {
      if (rows.find((x) => x.code === r.code)?.priority !== r.priority) {
        await trx
          .updateTable("vtu_providers")
          .set({ priority: r.priority, updated_at: ctx.now() })
          .where("code", "=", r.code)
          .execute();
      }
    }
    await recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "provider.move",
      targetType: "vtu_provider",
      targetId: code,
      before: rows.map((r) => ({ code: r.code, priority: r.priority })),
      after,
      reason: input.reason,
    });
    return after;
  });
  invalidateCatalogueCache();
  return order;
}

function noProviders(): ServiceError {
  return new ServiceError(
    "unavailable",
    "VTU_NOT_CONFIGURED",
    "This process has no VTU providers configured, so it cannot talk to them. Use the panel of the process that serves orders (npm start), or run `npm run sync-catalogue`.",
  );
}

/** Pull every configured provider's catalogue now (the same sync the scheduled job runs). */
export async function runCatalogueSync(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  providers: ProviderRegistry | undefined;
}): Promise<SyncReport[]> {
  const { ctx, admin, providers } = args;
  assertSuperAdmin(admin, "run a catalogue sync");
  if (!providers || providers.all().length === 0) {
    throw noProviders();
  }
  await registerProviders({ ctx, providers });
  const reports = await syncCatalogue({ ctx, providers });
  await withTransaction(ctx, (trx) =>
    recordAudit(trx, {
      actorType: "admin",
      actorId: admin.id,
      action: "catalogue.sync",
      targetType: "catalogue",
      after: reports,
    }),
  );
  return reports;
}

/**
 * Ask each configured provider for our float (their balance call, as /healthz does) and store it
 * with the time. A provider that does not answer keeps its last known float.
 */
export async function checkProviderFloats(args: {
  ctx: ServiceContext;
  admin: SettingsActor;
  providers: ProviderRegistry | undefined;
}): Promise<FloatCheck[]> {
  const { ctx, admin, providers } = args;
  assertSuperAdmin(admin, "check provider floats");
  if (!providers || providers.all().length === 0) {
    throw noProviders();
  }
  const results: FloatCheck[] = [];
  for (const provider of providers.all()) {
    const read = await readProviderFloat(provider);
    if (!read.ok) {
      results.push({ code: provider.code, ok: false, error: read.error });
      continue;
    }
    const floatKobo = read.floatKobo;
    const stored = await withTransaction(ctx, async (trx) => {
      const before = await trx
        .selectFrom("vtu_providers")
        .select(["float_kobo", "float_checked_at"])
        .where("code", "=", provider.code)
        .forUpdate()
        .executeTakeFirst();
      if (!before) {
        return false; // not registered yet: the next start or sync registers it
      }
      const now = ctx.now();
      await trx
        .updateTable("vtu_providers")
        .set({ float_kobo: floatKobo, float_checked_at: now, updated_at: now })
        .where("code", "=", provider.code)
        .execute();
      await recordAudit(trx, {
        actorType: "admin",
        actorId: admin.id,
        action: "provider.float_check",
        targetType: "vtu_provider",
        targetId: provider.code,
        before: { floatKobo: before.float_kobo, checkedAt: before.float_checked_at?.toISOString() ?? null },
        after: { floatKobo, checkedAt: now.toISOString() },
      });
      return true;
    });
    results.push(
      stored
        ? { code: provider.code, ok: true, floatKobo }
        : { code: provider.code, ok: false, error: "not registered yet; run a catalogue sync first" },
    );
  }
  return results;
}
