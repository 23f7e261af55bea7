import type { LicenseTier, Locale } from "@/db/schema";
import { EmailLayout, Facts, Paragraph } from "./layout";
import { emailTranslator } from "./translator";

export type ReceiptEmailProps = {
  locale: Locale;
  tenantName: string;
  tier: LicenseTier;
  quantity: number;
  unitPriceCents: number;
  totalCents: number;
  reason: string;
  url: string;
};

export function receiptSubject(props: ReceiptEmailProps): string {
  const t = emailTranslator(props.locale);
  return t("receipt.subject", { quantity: props.quantity, tier: t("tier", { tier: props.tier }), tenant: props.tenantName });
}

/** The receipt a tenant's admins get when missing seats were bought automatically and billed at once. */
export function ReceiptEmail(props: ReceiptEmailProps) {
  const t = emailTranslator(props.locale);
  const tenant = props.tenantName;
  const tier = t("tier", { tier: props.tier });
  // Prices are stored in cents; the catalogs format euros per locale (8,00 € / €8.00).
  const total = props.totalCents / 100;
  return (
    <EmailLayout
      locale={props.locale}
      preview={t("receipt.preview", { total, tenant })}
      action={{ label: t("receipt.action"), url: props.url }}
      footer={t("layout.sentBy", { tenant })}
    >
      <Paragraph>{t("receipt.body", { quantity: props.quantity, tier, tenant })}</Paragraph>
      <Facts
        lines={[
          t("receipt.quantity", { quantity: props.quantity }),
          t("receipt.unitPrice", { amount: props.unitPriceCents / 100 }),
          t("receipt.total", { amount: total }),
        ]}
      />
      <Paragraph>{t("receipt.cause", { reason: props.reason })}</Paragraph>
    </EmailLayout>
  );
}
