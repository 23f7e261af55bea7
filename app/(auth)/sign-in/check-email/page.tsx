import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { getTranslations } from "next-intl/server";
import { env } from "@/lib/env";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("SignIn"))("checkTitle") };
}

export default async function CheckEmailPage() {
  await connection();
  const { mailboxEnabled, resendApiKey } = env();
  const t = await getTranslations("SignIn");
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <h1 className="mb-2 text-2xl font-bold">{t("checkTitle")}</h1>
      <p className="text-sm text-gray-600">{t("checkBody")}</p>
      {mailboxEnabled && !resendApiKey ? (
        <p className="mt-6 text-sm">
          <Link className="font-medium text-brand underline" href="/dev/mailbox">
            {t("openMailbox")}
          </Link>
        </p>
      ) : null}
    </main>
  );
}
