import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { licenseTiers } from "@/db/schema";
import { listPurchases } from "@/db/queries/purchases";
import { getSeatOffer } from "@/db/queries/tenants";
import { countUsersByAccess } from "@/db/queries/users";
import { requireAdmin } from "@/lib/auth/session";
import { countSeatsHeld } from "@/lib/provisioning/seats";
import { formatTime } from "@/components/admin/format-time";
import { Card } from "@/components/ui/card";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Billing"))("title") };
}

/** Seats per tier (held, owned, free) and every automatic purchase with what caused it. */
export default async function BillingPage() {
  const { tenant } = await requireAdmin();
  const db = await getDb();
  const [offer, byAccess, purchases] = await Promise.all([getSeatOffer(db, tenant.id), countUsersByAccess(db, tenant.id), listPurchases(db, tenant.id)]);
  const held = countSeatsHeld(byAccess);
  const t = await getTranslations("Billing");
  const v = await getTranslations("Values");
  const c = await getTranslations("Common");
  const format = await getFormatter();
  const euros = (cents: number) => c("euros", { amount: cents / 100 });
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-gray-600">{(await getTranslations("Nav"))("settings")}</p>
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <p className="mt-1 max-w-3xl text-sm text-gray-600">{t("rule")}</p>
      </div>
      <Card title={t("seats")}>
        <table className="w-full text-left text-sm">
          <thead className="text-gray-600">
            <tr>
              <th scope="col" className="py-2 pr-3 font-medium">{t("colTier")}</th>
              <th scope="col" className="py-2 pr-3 font-medium">{t("colHeld")}</th>
              <th scope="col" className="py-2 pr-3 font-medium">{t("colOwned")}</th>
              <th scope="col" className="py-2 pr-3 font-medium">{t("colFree")}</th>
              <th scope="col" className="py-2 font-medium">{t("colPrice")}</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {licenseTiers.map((tier) => (
              <tr key={tier} data-testid={`seat-row-${tier}`}>
                <th scope="row" className="py-2 pr-3 font-medium">{v("tier", { tier })}</th>
                <td className="py-2 pr-3">{held[tier]}</td>
                <td className="py-2 pr-3">{offer[tier].quantity}</td>
                <td className="py-2 pr-3">{Math.max(0, offer[tier].quantity - held[tier])}</td>
                <td className="py-2">{euros(offer[tier].unitPriceCents)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <Card title={t("purchases")}>
        {purchases.length === 0 ? (
          <p className="text-sm text-gray-600">{t("noPurchases")}</p>
        ) : (
          <div>
            <table className="w-full text-left text-sm">
              <thead className="text-gray-600">
                <tr>
                  <th scope="col" className="py-2 pr-3 font-medium">{t("colWhen")}</th>
                  <th scope="col" className="py-2 pr-3 font-medium">{t("colTier")}</th>
                  <th scope="col" className="py-2 pr-3 font-medium">{t("colQuantity")}</th>
                  <th scope="col" className="py-2 pr-3 font-medium">{t("colUnitPrice")}</th>
                  <th scope="col" className="py-2 pr-3 font-medium">{t("colTotal")}</th>
                  <th scope="col" className="py-2 font-medium">{t("colCause")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-100">
                {purchases.map((p) => (
                  <tr key={p.id} data-testid="purchase-row">
                    <td className="whitespace-nowrap py-2 pr-3">{formatTime(format, p.createdAt)}</td>
                    <td className="py-2 pr-3">{v("tier", { tier: p.tier })}</td>
                    <td className="py-2 pr-3">{p.quantity}</td>
                    <td className="py-2 pr-3">{euros(p.unitPriceCents)}</td>
                    <td className="py-2 pr-3">{euros(p.totalCents)}</td>
                    <td className="py-2 font-mono text-xs">{p.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
