"use server";

import { z } from "zod";
import { getDb } from "@/db";
import { getUserByEmail } from "@/db/queries/users";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { removeUser } from "@/lib/provisioning/remove-user";
import { runAdminAction, type ActionResult } from "../_lib/admin-action";
import { revalidateSettings } from "../_lib/revalidate";

const removeSchema = z.object({ email: z.email() });

/** Removes a manual user (or a formerly provisioned one after disconnect): access, sessions and seat go at once. */
export async function removeUserAction(input: { email: string }): Promise<ActionResult<{ email: string }>> {
  let managed = false;
  return runAdminAction(
    removeSchema,
    input,
    async ({ admin, input }) => {
      const db = await getDb();
      managed = (await getUserByEmail(db, admin.tenant.id, input.email))?.source === "scim";
      const { email } = await removeUser(db, { tenantId: admin.tenant.id, email: input.email, actor: `admin:${admin.user.email}` });
      revalidateSettings();
      return { ok: true, data: { email } };
    },
    (error, t) => {
      if (error instanceof NotFoundError) return t("userGone");
      if (error instanceof ConflictError) return managed ? t("userIsManaged", { email: input.email }) : t("lastAdmin", { email: input.email });
      return undefined;
    },
  );
}
