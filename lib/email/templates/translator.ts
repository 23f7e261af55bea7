import { createTranslator } from "next-intl";
import type { Locale } from "@/db/schema";
import de from "@/lib/i18n/messages/de.json";
import en from "@/lib/i18n/messages/en.json";

/** The same catalogs the UI reads; emails use only their "Emails" namespace. */
const catalogs = { de, en } satisfies Record<Locale, unknown>;

/**
 * A translator for the "Emails" namespace that works outside React and outside a Next request, so a verb, the
 * CLI or a test can render an email. A missing key or bad ICU argument throws: an email must never go out with a
 * message key in place of its text.
 */
export function emailTranslator(locale: Locale) {
  return (translators[locale] ??= createEmailTranslator(locale));
}

// One translator per locale for the life of the process: its cache keeps each message parsed once.
const translators: Partial<Record<Locale, ReturnType<typeof createEmailTranslator>>> = {};

function createEmailTranslator(locale: Locale) {
  return createTranslator({
    locale,
    messages: catalogs[locale],
    namespace: "Emails",
    onError: (error) => {
      throw error;
    },
  });
}

