import { createTranslator } from "next-intl";
import en from "@/lib/i18n/messages/en.json";

/** The activity log's messages: one key per kind of entry, in the "ActivitySummary" namespace of each catalog. */
export type SummaryKey = keyof (typeof en)["ActivitySummary"];
export type SummaryValues = Record<string, string | number>;

/**
 * What an activity entry says. `key` and `values` let the admin's pages show it in the admin's language; `text` is
 * the English the log stores beside them, which the CLI prints and which stands alone for entries without a key
 * (a SCIM error's detail, as the IdP received it).
 */
export type Summary = { text: string; key: SummaryKey | null; values: SummaryValues | null };

// Once for the life of the process: its cache keeps each message parsed once. A missing key or a bad ICU argument
// throws, so no entry is ever stored with a key in place of its text (the keys are typed; catalogs.test.ts checks
// that both languages take the same arguments).
const english = createTranslator({
  locale: "en",
  messages: en,
  namespace: "ActivitySummary",
  onError: (error) => {
    throw error;
  },
});

/** An entry of a known kind: its message key and values, and its English text. */
export function summarize(key: SummaryKey, values: SummaryValues = {}): Summary {
  return { text: english(key, values), key, values };
}

/** An entry that is only text, English wherever the admin reads it: a SCIM error's detail, a request's method and path. */
export function plainSummary(text: string): Summary {
  return { text, key: null, values: null };
}

/** The activity-log columns of a summary. */
export const summaryColumns = (summary: Summary) => ({ summary: summary.text, summaryKey: summary.key, summaryValues: summary.values });
