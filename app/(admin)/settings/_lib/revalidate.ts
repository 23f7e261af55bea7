import { revalidatePath } from "next/cache";

/** The settings screens that show connection, users, seats or activity: re-rendered after any change to them. */
export function revalidateSettings(): void {
  for (const path of ["/settings/users", "/settings/users/scim", "/settings/users/scim/activity", "/settings/billing"]) revalidatePath(path);
}
