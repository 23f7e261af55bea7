import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireAdmin } from "@/lib/auth/session";
import { LanguageSelect } from "@/components/language-select";
import { SignOutButton } from "@/components/sign-out-button";

/** The admin shell: only a tenant's admins get past it. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const { user, tenant } = await requireAdmin();
  const t = await getTranslations("Nav");
  return (
    <div className="min-h-screen">
      <header className="border-b border-gray-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-6 py-3">
          <div className="flex items-center gap-6">
            <span className="text-lg font-bold text-brand">Sally</span>
            <span className="text-sm text-gray-600">{tenant.name}</span>
            <nav aria-label={t("main")} className="flex gap-4 text-sm">
              <Link href="/settings/users" className="font-medium text-gray-700 hover:text-gray-900">
                {t("settings")}
              </Link>
            </nav>
          </div>
          <div className="flex items-center gap-4 text-sm text-gray-700">
            <LanguageSelect />
            <span>{user.email}</span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
