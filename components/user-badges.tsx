import { useTranslations } from "next-intl";
import type { UserLicense, UserRole, UserSource, UserStatus } from "@/db/schema";
import { Badge } from "@/components/ui/badge";

export function RoleBadge({ role }: { role: UserRole }) {
  const v = useTranslations("Values");
  return <Badge tone={role === "admin" ? "indigo" : role === "user" ? "green" : "gray"}>{v("role", { role })}</Badge>;
}

export function LicenseBadge({ license }: { license: UserLicense }) {
  const v = useTranslations("Values");
  return <Badge tone={license === "none" ? "gray" : "indigo"}>{v("license", { license })}</Badge>;
}

export function StatusBadge({ status }: { status: UserStatus }) {
  const v = useTranslations("Values");
  return <Badge tone={status === "active" ? "green" : status === "invited" ? "yellow" : "red"}>{v("status", { status })}</Badge>;
}

export function SourceLabel({ source }: { source: UserSource }) {
  const v = useTranslations("Values");
  return <>{v("source", { source })}</>;
}
