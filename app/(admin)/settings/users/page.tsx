import type { Metadata } from "next";
import { getDb } from "@/db";
import { listUsersWithUserName } from "@/db/queries/users";
import { listSeats } from "@/db/queries/tenants";
import { requireAdmin } from "@/lib/auth/session";
import { countSeatsHeld } from "@/lib/provisioning/seats";
import { Card } from "@/components/ui/card";
import { LicenseBadge, RoleBadge, StatusBadge } from "@/components/user-badges";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const { tenant } = await requireAdmin();
  const db = await getDb();
  const [members, seats] = await Promise.all([listUsersWithUserName(db, tenant.id), listSeats(db, tenant.id)]);
  const held = countSeatsHeld(members);
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-gray-500">Settings</p>
        <h1 className="text-2xl font-bold">Users</h1>
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        {seats.map((s) => (
          <Card key={s.tier}>
            <p className="text-sm capitalize text-gray-500">{s.tier} seats</p>
            <p className="text-2xl font-semibold">
              {held[s.tier]} <span className="text-base font-normal text-gray-500">/ {s.quantity}</span>
            </p>
          </Card>
        ))}
      </div>
      <Card title={`Members (${members.length})`}>
        <table className="w-full text-left text-sm">
          <thead className="text-gray-500">
            <tr>
              <th className="py-2 font-medium">Email</th>
              <th className="py-2 font-medium">Name</th>
              <th className="py-2 font-medium">Role</th>
              <th className="py-2 font-medium">License</th>
              <th className="py-2 font-medium">Status</th>
              <th className="py-2 font-medium">Source</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {members.map((m) => (
              <tr key={m.id}>
                <td className="py-2">{m.email}</td>
                <td className="py-2">{m.name ?? "—"}</td>
                <td className="py-2"><RoleBadge role={m.role} /></td>
                <td className="py-2"><LicenseBadge license={m.license} /></td>
                <td className="py-2"><StatusBadge status={m.status} /></td>
                <td className="py-2 text-gray-500">{m.source === "scim" ? "SCIM" : "manual"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
