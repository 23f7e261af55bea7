import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { getCurrentUser } from "@/lib/auth/session";
import { LOCALE_COOKIE, resolveLocale, timeZone, type Locale } from "./config";
import { loadMessages } from "./messages";

/** next-intl's per-request configuration: the language (see resolveLocale) and its one message catalog. */
export default getRequestConfig(async () => {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  const cookie = cookieStore.get(LOCALE_COOKIE)?.value;
  // Only when nothing was chosen in the header does the tenant's language matter (one session lookup, cached per request).
  const tenantLocale = cookie ? null : ((await getCurrentUser().catch(() => null))?.tenant.locale ?? null);
  const locale: Locale = resolveLocale({ cookie, tenantLocale, acceptLanguage: headerList.get("accept-language") });
  return { locale, timeZone, messages: await loadMessages(locale) };
});
