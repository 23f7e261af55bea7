import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** Where each "not found" leads back to: the start page (which sends each visitor where they belong) or Users. */
const ways = { home: { href: "/", label: "backHome" }, users: { href: "/settings/users", label: "backToUsers" } } as const;

/** "Not found" in the visitor's language, with one link back: the app's 404 and a settings segment's notFound(). */
export async function NotFoundMessage({ back }: { back: keyof typeof ways }) {
  const t = await getTranslations("Errors");
  const way = ways[back];
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-bold">{t("notFoundTitle")}</h1>
      <p className="text-sm text-gray-700">{t("notFoundBody")}</p>
      <Link href={way.href} className="text-sm font-medium text-brand underline">
        {t(way.label)}
      </Link>
    </div>
  );
}
