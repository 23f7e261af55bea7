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
import { RowHeader, Table, Td } from "@/components/ui/table";

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
  const nav = await getTranslations("Nav");
  const format = await getFormatter();
  const euros = (cents: number) => c("euros", { amount: cents / 100 });
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-gray-600">{nav("settings")}</p>
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <p className="mt-1 max-w-3xl text-sm text-gray-600">{t("rule")}</p>
      </div>
      <Card title={t("seats")}>
        <Table columns={[t("colTier"), t("colHeld"), t("colOwned"), t("colFree"), t("colPrice")]}>
          {licenseTiers.map((tier) => (
            <tr key={tier} data-testid={`seat-row-${tier}`}>
              <RowHeader>{v("tier", { tier })}</RowHeader>
              <Td>{held[tier]}</Td>
              <Td>{offer[tier].quantity}</Td>
              <Td>{Math.max(0, offer[tier].quantity - held[tier])}</Td>
              <Td>{euros(offer[tier].unitPriceCents)}</Td>
            </tr>
          ))}
        </Table>
      </Card>
      <Card title={t("purchases")}>
        {purchases.length === 0 ? (
          <p className="text-sm text-gray-600">{t("noPurchases")}</p>
        ) : (
          <div>
            <Table columns={[t("colWhen"), t("colTier"), t("colQuantity"), t("colUnitPrice"), t("colTotal"), t("colCause")]}>
              {purchases.map((p) => (
                <tr key={p.id} data-testid="purchase-row">
                  <Td className="whitespace-nowrap">{formatTime(format, p.createdAt)}</Td>
                  <Td>{v("tier", { tier: p.tier })}</Td>
                  <Td>{p.quantity}</Td>
                  <Td>{euros(p.unitPriceCents)}</Td>
                  <Td>{euros(p.totalCents)}</Td>
                  <Td className="font-mono text-xs">{p.reason}</Td>
                </tr>
              ))}
            </Table>
          </div>
        )}
      </Card>
    </div>
  );
}
