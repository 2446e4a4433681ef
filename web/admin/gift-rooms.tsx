import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  type AdminGiftRoomFilters,
  adminCloseGiftRoom,
  adminGiftRoomDetail,
  customerLabels,
  hasRole,
  listGiftRoomsForAdmin,
} from "../../api/services/admins";
import { ServiceError } from "../../api/services/errors";
import { formatNaira } from "../../api/services/money";
import { httpStatusOf } from "../../api/transport/http-status";
import { AdminGiftRoomPage, AdminGiftRoomsPage } from "../pages/admin-gift-rooms";
import type { AdminContext, AdminDeps, AdminEnv, AdminKit, AdminSession } from "./kit";

/** GET /admin/gift-rooms, /admin/gift-rooms/:id; POST /admin/gift-rooms/:id/close (admin, reason required). */
export function giftRoomsSection(_deps: AdminDeps, kit: AdminKit) {
  const app = new Hono<AdminEnv>();
  const ID = "/gift-rooms/:id{gft_[0-9a-z]+}";

  app.get("/gift-rooms", async (c) => {
    const s = await kit.signedInAs(c, "support");
    if (s instanceof Response) {
      return s;
    }
    const filters = kit.filtersFrom(c, ["status", "creatorId", "from", "to"] as const);
    return kit.listPage(
      c,
      () => listGiftRoomsForAdmin(c.var.ctx, filters as AdminGiftRoomFilters),
      async (rows, error) => (
        <AdminGiftRoomsPage
          sandbox={kit.sandbox}
          role={s.admin.role}
          filters={filters}
          rows={rows}
          people={
            await customerLabels(
              c.var.ctx,
              rows.map((r) => r.creatorId),
            )
          }
          error={error}
        />
      ),
    );
  });

  const roomPage = async (
    c: AdminContext,
    session: AdminSession,
    roomId: string,
    message: { notice?: string; error?: string } = {},
    status: ContentfulStatusCode = 200,
  ) => {
    try {
      const detail = await adminGiftRoomDetail(c.var.ctx, roomId);
      const people = await customerLabels(c.var.ctx, [detail.room.creatorId]);
      return kit.page(
        c,
        <AdminGiftRoomPage
          sandbox={kit.sandbox}
          role={session.admin.role}
          detail={detail}
          creator={people[detail.room.creatorId]}
          csrf={kit.csrf(c, session)}
          canClose={hasRole(session.admin, "admin")}
          {...message}
        />,
        status,
      );
    } catch (error) {
      if (error instanceof ServiceError && error.code === "NOT_FOUND") {
        return kit.notFound(c, "There is no gift room with that id: it was not found.");
      }
      throw error;
    }
  };

  app.get(ID, async (c) => {
    const s = await kit.signedInAs(c, "support");
    if (s instanceof Response) {
      return s;
    }
    const refunded = c.req.query("refunded");
    return roomPage(
      c,
      s,
      c.req.param("id"),
      refunded && /^\d+$/.test(refunded)
        ? { notice: `Closed. ${formatNaira(Number(refunded))} went back to the creator's wallet.` }
        : {},
    );
  });

  app.post(`${ID}/close`, async (c) => {
    const post = await kit.signedInPost(c, "admin");
    if ("response" in post) {
      return post.response;
    }
    const roomId = c.req.param("id");
    try {
      const { refundedKobo } = await adminCloseGiftRoom({
        ctx: c.var.ctx,
        admin: post.session.admin,
        roomId,
        reason: kit.field(post.form, "reason"),
      });
      return c.redirect(`/admin/gift-rooms/${roomId}?refunded=${refundedKobo}`, 303);
    } catch (error) {
      if (error instanceof ServiceError && error.code !== "NOT_FOUND") {
        const status = httpStatusOf(error);
        return roomPage(c, post.session, roomId, { error: error.message }, status);
      }
      if (error instanceof ServiceError) {
        return kit.notFound(c, "There is no gift room with that id: it was not found.");
      }
      throw error;
    }
  });

  return app;
}
