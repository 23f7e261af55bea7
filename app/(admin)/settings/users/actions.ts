"use server";

import { z } from "zod";
import { getDb } from "@/db";
import { NotFoundError } from "@/lib/errors";
import { RemovalRefusedError, removeUser } from "@/lib/provisioning/remove-user";
import { runAdminAction, type ActionResult } from "../_lib/admin-action";
import { revalidateSettings } from "../_lib/revalidate";

const removeSchema = z.object({ userId: z.uuid() });

/**
 * Removes a manual user (or a formerly provisioned one after disconnect) by id, since several users may share an
 * email: access, sessions and seat go at once.
 */
export async function removeUserAction(input: { userId: string }): Promise<ActionResult<{ email: string }>> {
  return runAdminAction(
    removeSchema,
    input,
    async ({ admin, input }) => {
      const { email } = await removeUser(await getDb(), { tenantId: admin.tenant.id, userId: input.userId, actor: `admin:${admin.user.email}` });
      revalidateSettings();
      return { ok: true, data: { email } };
    },
    (error, t) => {
      if (error instanceof NotFoundError) return t("userGone");
      if (error instanceof RemovalRefusedError && error.reason === "managed") return t("userIsManaged", { email: error.email });
      if (error instanceof RemovalRefusedError && error.reason === "lastAdmin") return t("lastAdmin", { email: error.email });
      return undefined;
    },
  );
}
