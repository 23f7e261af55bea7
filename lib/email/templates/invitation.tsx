import type { Locale, UserLicense } from "@/db/schema";
import { EmailLayout, Facts, Paragraph } from "./layout";
import { emailTranslator } from "./translator";

export type InvitationEmailProps = {
  locale: Locale;
  tenantName: string;
  role: "admin" | "user";
  license: UserLicense;
  url: string;
  validDays: number;
};

export function invitationSubject(props: InvitationEmailProps): string {
  return emailTranslator(props.locale)("invitation.subject", { tenant: props.tenantName });
}

/** The invitation a user gets the first time IdP groups grant them access: role, license and a sign-in link. */
export function InvitationEmail(props: InvitationEmailProps) {
  const t = emailTranslator(props.locale);
  const tenant = props.tenantName;
  return (
    <EmailLayout
      locale={props.locale}
      preview={t("invitation.preview", { tenant })}
      action={{ label: t("invitation.action"), url: props.url }}
      footer={t("layout.sentBy", { tenant })}
    >
      <Paragraph>{t("invitation.body", { tenant })}</Paragraph>
      <Facts lines={[t("invitation.role", { role: props.role }), t("invitation.license", { tier: t("tier", { tier: props.license }) })]} />
      <Paragraph>{t("invitation.instruction", { days: props.validDays })}</Paragraph>
    </EmailLayout>
  );
}
