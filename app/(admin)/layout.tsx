import Link from "next/link";
import { requireAdmin } from "@/lib/auth/session";
import { SignOutButton } from "@/components/sign-out-button";

/** The admin shell: only a tenant's admins get past it. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const { user, tenant } = await requireAdmin();
  return (
    <div className="min-h-screen">
      <header className="border-b border-gray-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between px-6 py-3">
          <div className="flex items-center gap-6">
            <span className="text-lg font-bold text-brand">Sally</span>
            <span className="text-sm text-gray-500">{tenant.name}</span>
            <nav className="flex gap-4 text-sm">
              <Link href="/settings/users" className="font-medium text-gray-700 hover:text-gray-900">
                Settings
              </Link>
            </nav>
          </div>
          <div className="flex items-center gap-3 text-sm text-gray-600">
            <span>{user.email}</span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <div className="mx-auto max-w-6xl px-6 py-8">{children}</div>
    </div>
  );
}
