import { IntlMessageFormat } from "intl-messageformat";
import en from "@/lib/i18n/messages/en.json";

/** The activity log's messages: one key per kind of entry, in the "ActivitySummary" namespace of each catalog. */
export type SummaryKey = keyof (typeof en)["ActivitySummary"];
export type SummaryValues = Record<string, string | number>;

/**
 * What an activity entry says, as the log's columns: `summaryKey` and `summaryValues` let the admin's pages show it
 * in the admin's language; `summary` is the English stored beside them, which the CLI prints and which stands alone
 * for entries without a key (a SCIM error's detail, as the IdP received it).
 */
export type Summary = { summary: string; summaryKey: SummaryKey | null; summaryValues: SummaryValues | null };

// Each English message parsed once, on first use. intl-messageformat (the formatter next-intl itself runs) is called
// directly: a next-intl translator costs about 4 µs a call on these machines, the format about 0.15 µs, and every
// SCIM request makes one. A bad ICU argument throws, so no entry is stored with a placeholder in place of its text
// (the keys are typed; catalogs.test.ts checks that both languages take the same arguments).
const english = new Map<SummaryKey, IntlMessageFormat>();

function englishText(key: SummaryKey, values: SummaryValues): string {
  let format = english.get(key);
  if (!format) english.set(key, (format = new IntlMessageFormat(en.ActivitySummary[key], "en")));
  return String(format.format(values));
}

/** An entry of a known kind: its message key and values, and its English text. */
export function summarize(key: SummaryKey, values: SummaryValues = {}): Summary {
  return { summary: englishText(key, values), summaryKey: key, summaryValues: values };
}

/** An entry that is only text, English wherever the admin reads it: a SCIM error's detail, a request's method and path. */
export function plainSummary(text: string): Summary {
  return { summary: text, summaryKey: null, summaryValues: null };
}
