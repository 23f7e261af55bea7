"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { LOCALE_COOKIE, locales } from "./config";

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/** Remembers the language chosen in the header's Language select; the page re-renders in it. */
export async function setLocaleAction(locale: string): Promise<{ ok: boolean }> {
  const parsed = z.enum(locales).safeParse(locale);
  if (!parsed.success) return { ok: false };
  (await cookies()).set(LOCALE_COOKIE, parsed.data, { path: "/", maxAge: ONE_YEAR_SECONDS, sameSite: "lax" });
  return { ok: true };
}
