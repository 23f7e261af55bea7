import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/session";
import { Card } from "@/components/ui/card";
import { SignOutButton } from "@/components/sign-out-button";
import { LicenseBadge, RoleBadge } from "@/components/user-badges";

export const metadata: Metadata = { title: "My account" };

/** Where a member who is not an admin lands: their role and license in their tenant. */
export default async function MePage() {
  const { user, tenant } = await requireUser();
  return (
    <main className="mx-auto max-w-xl px-6 py-12">
      <div className="mb-6 flex items-center justify-between">
        <h1 className="text-2xl font-bold">Welcome to Sally</h1>
        <SignOutButton />
      </div>
      <Card>
        <dl className="grid grid-cols-[8rem_1fr] gap-y-3 text-sm">
          <dt className="text-gray-500">Organisation</dt>
          <dd>{tenant.name}</dd>
          <dt className="text-gray-500">Email</dt>
          <dd>{user.email}</dd>
          <dt className="text-gray-500">Role</dt>
          <dd><RoleBadge role={user.role} /></dd>
          <dt className="text-gray-500">License</dt>
          <dd><LicenseBadge license={user.license} /></dd>
        </dl>
      </Card>
    </main>
  );
}
