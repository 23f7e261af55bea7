import type { Locale } from "@/db/schema";
import { EmailLayout, Paragraph } from "./layout";
import { emailTranslator } from "./translator";

export type SignInEmailProps = { locale: Locale; url: string; validHours: number };

export function signInSubject(props: SignInEmailProps): string {
  return emailTranslator(props.locale)("signIn.subject");
}

/** The one-time sign-in link a user asked for on the sign-in page. */
export function SignInEmail(props: SignInEmailProps) {
  const t = emailTranslator(props.locale);
  return (
    <EmailLayout
      locale={props.locale}
      preview={t("signIn.preview")}
      action={{ label: t("signIn.action"), url: props.url }}
      footer={t("signIn.notYou")}
    >
      <Paragraph>{t("signIn.body", { hours: props.validHours })}</Paragraph>
    </EmailLayout>
  );
}
