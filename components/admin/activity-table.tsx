import { getFormatter, getTranslations } from "next-intl/server";
import type { ActivityRow } from "@/db/queries/activity";
import { Badge } from "@/components/ui/badge";
import { Table, Td } from "@/components/ui/table";
import { activityDetails } from "./activity-detail";
import { formatTime } from "./format-time";

/** Activity entries: time, who, method, path, outcome and detail, in the reader's language. */
export async function ActivityTable({ rows }: { rows: ActivityRow[] }) {
  const t = await getTranslations("Activity");
  const detail = await activityDetails();
  const format = await getFormatter();
  return (
    <div>
      <Table columns={[t("colTime"), t("colActor"), t("colMethod"), t("colPath"), t("colOutcome"), t("colDetail")]}>
        {rows.map((row) => {
          const failed = (row.status ?? 0) >= 400;
          return (
            <tr key={row.id} data-testid="activity-row" data-outcome={failed ? "failure" : "success"}>
              <Td className="whitespace-nowrap">{formatTime(format, row.at)}</Td>
              <Td>{t("actor", { actor: row.actor.startsWith("admin:") ? row.actor.slice(6) : row.actor })}</Td>
              <Td className="font-mono text-xs">{row.method ?? "—"}</Td>
              <Td className="max-w-xs break-all font-mono text-xs">{row.path ?? "—"}</Td>
              <Td>
                {row.status === null ? (
                  <Badge>{t("change")}</Badge>
                ) : (
                  <Badge tone={failed ? "red" : "green"}>{failed ? t("statusFailed", { status: row.status }) : t("statusOk", { status: row.status })}</Badge>
                )}
              </Td>
              <Td className="text-gray-700">{detail(row)}</Td>
            </tr>
          );
        })}
      </Table>
    </div>
  );
}
