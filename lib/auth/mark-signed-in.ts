import type { DbOrTx } from "@/db";
import { listUsersByEmail, updateSignIn } from "@/db/queries/users";
import { resolveStatus } from "@/lib/provisioning/access";

/** Marks a user's first sign-in: from now on their status is resolved as signed in (`invited` → `active`). */
export async function markSignedIn(db: DbOrTx, email: string): Promise<void> {
  for (const user of await listUsersByEmail(db, email)) {
    await updateSignIn(db, user.id, { firstSignInAt: user.firstSignInAt, status: resolveStatus(user.role, true) });
  }
}
