import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { requireUser } from "@/lib/auth/session";
import { LanguageSelect } from "@/components/language-select";
import { Card } from "@/components/ui/card";
import { SignOutButton } from "@/components/sign-out-button";
import { LicenseBadge, RoleBadge } from "@/components/user-badges";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Me"))("title") };
}

/** Where a member who is not an admin lands: their role and license in their tenant. */
export default async function MePage() {
  const { user, tenant } = await requireUser();
  const t = await getTranslations("Me");
  return (
    <main className="mx-auto max-w-xl px-6 py-12">
      <div className="mb-6 flex items-center justify-between">
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <div className="flex items-center gap-4">
          <LanguageSelect />
          <SignOutButton />
        </div>
      </div>
      <Card>
        <dl className="grid grid-cols-[8rem_1fr] gap-y-3 text-sm">
          <dt className="text-gray-600">{t("organisation")}</dt>
          <dd>{tenant.name}</dd>
          <dt className="text-gray-600">{t("email")}</dt>
          <dd>{user.email}</dd>
          <dt className="text-gray-600">{t("role")}</dt>
          <dd><RoleBadge role={user.role} /></dd>
          <dt className="text-gray-600">{t("license")}</dt>
          <dd><LicenseBadge license={user.license} /></dd>
        </dl>
      </Card>
    </main>
  );
}
