import { getFormatter, getTranslations } from "next-intl/server";
import type { ActivityRow } from "@/db/queries/activity";
import { Badge } from "@/components/ui/badge";
import { formatTime } from "./format-time";

/** Activity entries: time, who, method, path, outcome and detail (a failed request's reason). */
export async function ActivityTable({ rows }: { rows: ActivityRow[] }) {
  const t = await getTranslations("Activity");
  const format = await getFormatter();
  return (
    <div>
      <table className="w-full text-left text-sm">
        <thead className="text-gray-600">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">{t("colTime")}</th>
            <th scope="col" className="py-2 pr-3 font-medium">{t("colActor")}</th>
            <th scope="col" className="py-2 pr-3 font-medium">{t("colMethod")}</th>
            <th scope="col" className="py-2 pr-3 font-medium">{t("colPath")}</th>
            <th scope="col" className="py-2 pr-3 font-medium">{t("colOutcome")}</th>
            <th scope="col" className="py-2 font-medium">{t("colDetail")}</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {rows.map((row) => {
            const failed = (row.status ?? 0) >= 400;
            return (
              <tr key={row.id} data-testid="activity-row" data-outcome={failed ? "failure" : "success"}>
                <td className="whitespace-nowrap py-2 pr-3">{formatTime(format, row.at)}</td>
                <td className="py-2 pr-3">{t("actor", { actor: row.actor.startsWith("admin:") ? row.actor.slice(6) : row.actor })}</td>
                <td className="py-2 pr-3 font-mono text-xs">{row.method ?? "—"}</td>
                <td className="max-w-xs break-all py-2 pr-3 font-mono text-xs">{row.path ?? "—"}</td>
                <td className="py-2 pr-3">
                  {row.status === null ? (
                    <Badge>{t("change")}</Badge>
                  ) : (
                    <Badge tone={failed ? "red" : "green"}>{failed ? t("statusFailed", { status: row.status }) : t("statusOk", { status: row.status })}</Badge>
                  )}
                </td>
                <td className="py-2 text-gray-700">{row.reason ? t("reason", { reason: row.reason }) : row.summary}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
