import type { UserLicense, UserRole, UserStatus } from "@/db/schema";
import { Badge } from "@/components/ui/badge";

export function RoleBadge({ role }: { role: UserRole }) {
  return <Badge tone={role === "admin" ? "indigo" : role === "user" ? "green" : "gray"}>{role === "none" ? "no access" : role}</Badge>;
}

export function LicenseBadge({ license }: { license: UserLicense }) {
  return <Badge tone={license === "none" ? "gray" : "indigo"}>{license === "none" ? "no license" : license}</Badge>;
}

export function StatusBadge({ status }: { status: UserStatus }) {
  return <Badge tone={status === "active" ? "green" : status === "invited" ? "yellow" : "red"}>{status}</Badge>;
}
