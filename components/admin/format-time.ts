import type { getFormatter } from "next-intl/server";

type Formatter = Pick<Awaited<ReturnType<typeof getFormatter>>, "dateTime">;

/** Times on the admin screens: date, time with seconds, and the zone's name (UTC, see lib/i18n/config.ts). */
export function formatTime(format: Formatter, at: Date): string {
  return format.dateTime(at, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
}
