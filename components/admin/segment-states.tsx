import { getTranslations } from "next-intl/server";
import { NotFoundMessage } from "@/components/not-found-message";

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
export function SegmentNotFound() {
  return <NotFoundMessage back="users" />;
}
