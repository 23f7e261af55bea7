import { locales, type Locale } from "@/db/schema";

export { locales, type Locale };

/** The cookie that remembers the language chosen in the header's Language select (next-intl's default name). */
export const LOCALE_COOKIE = "NEXT_LOCALE";

export const defaultLocale: Locale = "en";

/** Dates and times on every screen are shown in this zone, named in the output ("UTC"). */
export const timeZone = "UTC";

export const isLocale = (value: unknown): value is Locale => typeof value === "string" && (locales as readonly string[]).includes(value);

/**
 * The languages an `Accept-Language` header asks for, best first (RFC 9110 §12.5.4: q-values, `*`, and primary
 * subtags such as `de` in `de-CH`); entries with q=0 are refused.
 */
export function preferredLanguages(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/i.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

/**
 * The language a page is shown in: the one the user chose in the header (cookie), else their tenant's language,
 * else the first supported language the browser asks for, else English.
 */
export function resolveLocale(input: { cookie?: string | null; tenantLocale?: Locale | null; acceptLanguage?: string | null }): Locale {
  if (isLocale(input.cookie)) return input.cookie;
  if (input.tenantLocale) return input.tenantLocale;
  for (const tag of preferredLanguages(input.acceptLanguage)) {
    const primary = tag.split("-")[0];
    if (isLocale(primary)) return primary;
  }
  return defaultLocale;
}
