"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { ConfirmAction } from "@/components/admin/confirm-action";
import { removeUserAction } from "../actions";

/** Remove, behind a dialog that says what removing does. */
export function RemoveUserButton({ id, email }: { id: string; email: string }) {
  const t = useTranslations("Users");
  const c = useTranslations("Common");
  const router = useRouter();
  return (
    <ConfirmAction
      label={t("remove")}
      accessibleLabel={t("removeLabel", { email })}
      title={t("removeTitle", { email })}
      body={t("removeBody", { email })}
      confirmLabel={c("confirm")}
      danger
      action={() => removeUserAction({ userId: id })}
      onDone={() => router.refresh()}
    />
  );
}
