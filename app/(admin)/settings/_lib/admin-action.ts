import { getTranslations } from "next-intl/server";
import type { z } from "zod";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

/** What every server action of the admin screens answers; a form shows `message` and the `fieldErrors`. */
export type ActionResult<T = undefined> = {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string[]>;
  data?: T;
};

type Admin = NonNullable<Awaited<ReturnType<typeof getCurrentUser>>>;
type ErrorsT = Awaited<ReturnType<typeof getTranslations<"Errors">>>;

/**
 * Runs an admin action: checks itself that a tenant admin is signed in (the page's check is not enough — actions
 * are public endpoints), parses the input with zod (field errors carry message keys of the Errors catalog), and
 * turns failures into readable messages in the admin's language. `explain` maps the verb's AppErrors it knows;
 * anything else is logged and answered with a generic message.
 */
export async function runAdminAction<S extends z.ZodType, T>(
  schema: S,
  input: unknown,
  work: (args: { admin: Admin; input: z.infer<S>; t: ErrorsT }) => Promise<ActionResult<T>>,
  explain?: (error: AppError, t: ErrorsT) => string | undefined,
): Promise<ActionResult<T>> {
  const t = await getTranslations("Errors");
  const admin = await getCurrentUser();
  if (!admin) return { ok: false, message: t("signedOut") };
  if (admin.user.role !== "admin") return { ok: false, message: t("notAdmin") };
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? "form");
      const key = issue.message as Parameters<ErrorsT>[0];
      (fieldErrors[field] ??= []).push(t.has(key) ? t(key) : t("invalidInput"));
    }
    return { ok: false, message: t("invalidInput"), fieldErrors };
  }
  try {
    return await work({ admin, input: parsed.data, t });
  } catch (error) {
    const known = error instanceof AppError ? explain?.(error, t) : undefined;
    if (known) return { ok: false, message: known };
    console.error(`admin action failed (tenant ${admin.tenant.id}):`, error);
    return { ok: false, message: t("generic") };
  }
}
