import { getTranslations } from "next-intl/server";
import type { ActivityRow } from "@/db/queries/activity";

type Detail = Pick<ActivityRow, "summary" | "summaryKey" | "summaryValues" | "reason">;

/**
 * What an activity entry says, in the reader's language: a refused token's reason, else the summary's message
 * (lib/activity-summary.ts), else the stored English text: an entry without a key (a SCIM error's detail, as the
 * IdP received it; entries from before keys) or with a key this build no longer knows.
 */
export async function activityDetails() {
  const [activity, summaries] = await Promise.all([getTranslations("Activity"), getTranslations("ActivitySummary")]);
  return (entry: Detail): string => {
    if (entry.reason) return activity("reason", { reason: entry.reason });
    if (entry.summaryKey && summaries.has(entry.summaryKey)) return summaries(entry.summaryKey, entry.summaryValues ?? {});
    return entry.summary;
  };
}
