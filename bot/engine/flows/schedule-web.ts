import { createScheduleLink } from "../../../api/services/schedule-links";
import { templates } from "../i18n";
import type { FlowContext } from "../types";

const T = templates("schedule-web", {
  manageOnWeb: {
    en: (url: string) => `Manage them on the web: ${url}`,
    pcm: (url: string) => `Manage dem for web: ${url}`,
  },
  createOnWeb: {
    en: (url: string) => `Or create one on the web: ${url}`,
    pcm: (url: string) => `Or make one for web: ${url}`,
  },
});

/**
 * The line "my schedules" ends with: a link to the customer's "My schedules" page (DECISIONS §69),
 * a fresh one each time (the older one stops working). With no schedule yet, it offers to create one.
 */
export async function scheduleWebLine(fc: FlowContext, none = false): Promise<string> {
  const link = await createScheduleLink({ ctx: fc.ctx, userId: fc.userId });
  return (none ? T.createOnWeb : T.manageOnWeb)[fc.lang](link.url);
}
