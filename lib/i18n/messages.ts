import type { Locale } from "./config";

/** One catalog per language (UI and emails); both files have the same keys (see catalogs.test.ts). */
export async function loadMessages(locale: Locale) {
  return locale === "de" ? (await import("./messages/de.json")).default : (await import("./messages/en.json")).default;
}
