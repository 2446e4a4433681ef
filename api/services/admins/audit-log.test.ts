import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCtx, testConfig } from "../../../test/helpers/context";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/db";
import { createTestUser } from "../../../test/helpers/fixtures";
import { recordAudit } from "../audit";
import type { ServiceContext } from "../context";
import { ValidationError } from "../errors";
import { createAdmin } from "./admins";
import { auditChanges, listAuditLog } from "./audit-log";
import { setServiceMargin } from "./catalogue-settings";
import { applyUserAction } from "./user-actions";

/** The audit log as the panel reads it: filters, keyset pages, and each change as fields. */
let tdb: TestDatabase;
let ctx: ServiceContext;
let root: { id: string; role: "super_admin" };
let ada: { id: string; role: "admin" };
let userId: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  ctx = makeCtx(tdb.db, { config: testConfig() });
  const password = "correct-horse-battery-9";
  root = {
    id: (
      await createAdmin({
        ctx,
        input: { email: "root@tada.test", name: "Rita", password, role: "super_admin" },
      })
    ).id,
    role: "super_admin",
  };
  ada = {
    id: (await createAdmin({ ctx, input: { email: "ada@tada.test", name: "Ada", password, role: "admin" } }))
      .id,
    role: "admin",
  };
  userId = (await createTestUser(tdb.db)).id;
  for (let i = 0; i < 7; i++) {
    await setServiceMargin({
      ctx,
      admin: root,
      service: "airtime",
      input: { marginType: "percent", marginValue: 100 + i, reason: `step ${i}` },
    });
  }
  await applyUserAction({ ctx, admin: ada, userId, input: { action: "suspend", reason: "card fraud" } });
});
afterAll(() => tdb.destroy());

describe("listAuditLog", () => {
  it("filters by actor (email or id), action (exact or its start), target (id or type:id) and Lagos days", async () => {
    const actions = async (filters: Parameters<typeof listAuditLog>[1]) =>
      (await listAuditLog(ctx, filters)).items.map((r) => r.action);
    expect(new Set(await actions({ actor: "ada@" }))).toEqual(new Set(["user.suspend"]));
    expect(await actions({ actor: ada.id })).toEqual(await actions({ actor: "ada@tada.test" }));
    expect(await actions({ action: "pricing." })).toHaveLength(7);
    expect(await actions({ action: "pricing.set_service_margin", actor: "ada@" })).toEqual([]);
    expect(await actions({ target: userId })).toEqual(["user.suspend"]);
    expect(await actions({ target: `user:${userId}` })).toEqual(["user.suspend"]);
    expect(await actions({ target: `order:${userId}` })).toEqual([]);
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Africa/Lagos" }).format(new Date());
    expect(await actions({ from: today, to: today, action: "pricing." })).toHaveLength(7);
    expect(await actions({ to: "2020-01-01" })).toEqual([]);
    // The admin's name and email, the reason, the recorded before and after.
    const [row] = (await listAuditLog(ctx, { action: "user.suspend" })).items;
    expect(row).toMatchObject({ actor: "ada@tada.test", actorName: "Ada", reason: "card fraud" });
    expect(row?.target).toBe(`user:${userId}`);
  });

  it("pages newest first by id, stable while rows arrive", async () => {
    const first = await listAuditLog(ctx, { action: "pricing.", limit: 3 });
    expect(first.items.map((r) => r.reason)).toEqual(["step 6", "step 5", "step 4"]);
    expect(first.nextCursor).toBe(String(first.items[2]?.id));
    // A new row does not shift the next page.
    await setServiceMargin({
      ctx,
      admin: root,
      service: "airtime",
      input: { marginType: "percent", marginValue: 200, reason: "step 7" },
    });
    const second = await listAuditLog(ctx, { action: "pricing.", limit: 3, before: first.nextCursor ?? "" });
    expect(second.items.map((r) => r.reason)).toEqual(["step 3", "step 2", "step 1"]);
    const last = await listAuditLog(ctx, { action: "pricing.", limit: 3, before: second.nextCursor ?? "" });
    expect(last.items.map((r) => r.reason)).toEqual(["step 0"]);
    expect(last.nextCursor).toBeNull();
  });

  it("refuses a filter it cannot use, saying which", async () => {
    for (const filters of [
      { from: "yesterday" },
      { action: "DROP TABLE" },
      { before: "-1" },
      { extra: "1" },
    ]) {
      await expect(listAuditLog(ctx, filters as never), JSON.stringify(filters)).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    await expect(listAuditLog(ctx, { from: "yesterday" })).rejects.toThrow(/from/);
  });

  it("survives text from outside: NUL and lone surrogates are refused, LIKE wildcards match literally", async () => {
    for (const actor of ["a\u0000b", "\ud800", "x\udfff"]) {
      await expect(listAuditLog(ctx, { actor }), JSON.stringify(actor)).rejects.toThrow(
        /actor: remove the invisible/,
      );
      await expect(listAuditLog(ctx, { target: actor })).rejects.toBeInstanceOf(ValidationError);
    }
    for (const actor of ["%", "_", "\\"]) {
      expect((await listAuditLog(ctx, { actor })).items, actor).toEqual([]);
    }
    // A valid surrogate pair is text like any other.
    expect((await listAuditLog(ctx, { actor: "😀" })).items).toEqual([]);
  });
});

describe("auditChanges", () => {
  it("lists the fields that changed, nested ones by path, and leaves equal ones out", () => {
    expect(
      auditChanges(
        { status: "active", limits: { daily: 100, monthly: 500 }, note: "same" },
        { status: "suspended", limits: { daily: 100, monthly: 900 }, note: "same", level: 2 },
      ),
    ).toEqual([
      { field: "status", before: "active", after: "suspended" },
      { field: "limits.monthly", before: 500, after: 900 },
      { field: "level", before: null, after: 2 },
    ]);
    expect(auditChanges(null, { approvalId: 4 })).toEqual([{ field: "approvalId", before: null, after: 4 }]);
    expect(auditChanges(null, null)).toEqual([]);
    expect(auditChanges({ tags: ["a"] }, { tags: ["a", "b"] })).toEqual([
      { field: "tags", before: ["a"], after: ["a", "b"] },
    ]);
  });

  it("reads rows as recordAudit stores them", async () => {
    await tdb.db.transaction().execute((trx) =>
      recordAudit(trx, {
        actorType: "system",
        action: "test.change",
        before: { lockedUntil: null },
        after: { lockedUntil: "2026-12-07T13:05:00.000Z" },
      }),
    );
    const [row] = (await listAuditLog(ctx, { action: "test.change" })).items;
    expect(row?.actor).toBe("system");
    expect(auditChanges(row?.before, row?.after)).toEqual([
      { field: "lockedUntil", before: null, after: "2026-12-07T13:05:00.000Z" },
    ]);
  });
});
