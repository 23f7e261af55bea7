"use client";

import { useTranslations } from "next-intl";
import { licenseTiers } from "@/db/schema/enums";
import type { ConfirmablePreview } from "@/lib/provisioning/group-mapping";
import { Alert } from "@/components/ui/alert";

type Change = ConfirmablePreview["gainAccess"][number];

/** The preview a save would apply: who gains and loses access, who changes, and the seats bought at once. */
export function MappingPreview({ preview }: { preview: ConfirmablePreview }) {
  const t = useTranslations("Scim");
  const v = useTranslations("Values");
  const access = (a: Change["from"]) => t("access", a);
  const list = (title: string, changes: Change[], testId: string) =>
    changes.length ? (
      <section data-testid={testId}>
        <h3 className="text-sm font-semibold">
          {title} ({changes.length})
        </h3>
        <ul className="mt-1 max-h-40 space-y-0.5 overflow-y-auto text-sm">
          {changes.map((c) => (
            <li key={c.email}>{t("accessChange", { email: c.email, from: access(c.from), to: access(c.to) })}</li>
          ))}
        </ul>
      </section>
    ) : null;
  const buying = licenseTiers.filter((tier) => preview.seatsToBuy[tier] > 0);
  const none = !preview.gainAccess.length && !preview.loseAccess.length && !preview.change.length;
  return (
    <div className="space-y-4">
      {none ? <p className="text-sm">{t("noChanges")}</p> : null}
      {list(t("gainAccess"), preview.gainAccess, "gain-access")}
      {list(t("loseAccess"), preview.loseAccess, "lose-access")}
      {list(t("changes"), preview.change, "changes")}
      <section data-testid="seats-to-buy">
        <h3 className="text-sm font-semibold">{t("seatsToBuy")}</h3>
        {buying.length === 0 ? (
          <p className="text-sm">{t("noSeatsToBuy")}</p>
        ) : (
          <>
            <ul className="mt-1 space-y-0.5 text-sm">
              {buying.map((tier) => (
                <li key={tier}>
                  {t("seatLine", {
                    quantity: preview.seatsToBuy[tier],
                    tier: v("tier", { tier }),
                    price: preview.costCents[tier] / preview.seatsToBuy[tier] / 100,
                    total: preview.costCents[tier] / 100,
                  })}
                </li>
              ))}
            </ul>
            <p className="mt-1 text-sm font-semibold">{t("totalBilled", { total: preview.costCents.total / 100 })}</p>
          </>
        )}
      </section>
      {preview.adminsAfter === 0 ? <Alert tone="warning">{t("noAdminWarning")}</Alert> : null}
    </div>
  );
}
