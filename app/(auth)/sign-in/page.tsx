import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Button } from "@/components/ui/button";
import { LanguageSelect } from "@/components/language-select";
import { env } from "@/lib/env";
import { requestSignInLinkAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("SignIn"))("title") };
}

const errors = { InvalidEmail: "errorInvalidEmail", AccessDenied: "errorAccessDenied", Verification: "errorVerification" } as const;

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  const t = await getTranslations("SignIn");
  const message = error ? t(errors[error as keyof typeof errors] ?? "errorOther") : null;
  const { mailboxEnabled, resendApiKey } = env();
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-6">
      <div className="mb-8 flex justify-end">
        <LanguageSelect />
      </div>
      <h1 className="mb-1 text-2xl font-bold">{t("heading")}</h1>
      <p className="mb-6 text-sm text-gray-600">{t("intro")}</p>
      {message ? (
        <p role="alert" className="mb-4 rounded-md bg-red-50 p-3 text-sm text-red-800">
          {message}
        </p>
      ) : null}
      <form action={requestSignInLinkAction} className="space-y-4">
        <label className="block text-sm font-medium">
          {t("email")}
          <input
            name="email"
            type="email"
            required
            autoComplete="email"
            className="mt-1 block w-full rounded-md border-0 px-3 py-2 ring-1 ring-gray-300 focus:ring-2 focus:ring-brand"
          />
        </label>
        <Button type="submit" className="w-full">
          {t("submit")}
        </Button>
      </form>
      {mailboxEnabled && !resendApiKey ? (
        <p className="mt-6 text-xs text-gray-600">
          {t.rich("mailboxHint", { link: (chunks) => <Link className="underline" href="/dev/mailbox">{chunks}</Link> })}
        </p>
      ) : null}
    </main>
  );
}
