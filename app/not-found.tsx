import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** An address that matches no page, in the visitor's language; the start page sends each visitor where they belong. */
export default async function NotFound() {
  const t = await getTranslations("Errors");
  return (
    <main className="mx-auto max-w-xl space-y-3 px-6 py-12">
      <h1 className="text-2xl font-bold">{t("notFoundTitle")}</h1>
      <p className="text-sm text-gray-700">{t("notFoundBody")}</p>
      <Link href="/" className="text-sm font-medium text-brand underline">
        {t("backHome")}
      </Link>
    </main>
  );
}
