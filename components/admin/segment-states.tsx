import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** What a settings segment shows while its server component loads (loading.tsx). */
export async function SegmentLoading() {
  const t = await getTranslations("Common");
  return (
    <div role="status" aria-live="polite" className="space-y-4">
      <span className="sr-only">{t("loading")}</span>
      <div aria-hidden="true" className="h-8 w-64 animate-pulse rounded bg-gray-200" />
      <div aria-hidden="true" className="h-40 animate-pulse rounded-lg bg-gray-200" />
      <div aria-hidden="true" className="h-64 animate-pulse rounded-lg bg-gray-200" />
    </div>
  );
}

/** notFound() in a settings segment (not-found.tsx). */
export async function SegmentNotFound() {
  const t = await getTranslations("Errors");
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">{t("notFoundTitle")}</h1>
      <p className="text-sm text-gray-700">{t("notFoundBody")}</p>
      <Link href="/settings/users" className="text-sm font-medium text-brand underline">
        {t("backToUsers")}
      </Link>
    </div>
  );
}
