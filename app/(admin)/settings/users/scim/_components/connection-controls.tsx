"use client";

import { useTranslations } from "next-intl";
import type { IdentityProvider } from "@/db/schema/enums";
import { ConfirmAction } from "@/components/admin/confirm-action";
import { disconnectScimAction, rotateScimTokenAction } from "../actions";
import { useNotify, useRevealCredentials } from "./credentials";

/** Rotate token and Disconnect, each behind a dialog that says what happens. */
export function ConnectionControls({ provider, tenantUrl }: { provider: IdentityProvider; tenantUrl: string }) {
  const t = useTranslations("Scim");
  const c = useTranslations("Common");
  const reveal = useRevealCredentials();
  const notify = useNotify();
  return (
    <div className="flex flex-wrap gap-3">
        <ConfirmAction
          label={t("rotate")}
          title={t("rotateTitle")}
          body={t("rotateBody")}
          confirmLabel={c("confirm")}
          action={rotateScimTokenAction}
          onDone={(result) => {
            if (result.data) reveal({ provider, tenantUrl, token: result.data.token });
            notify(t("rotateDone"));
          }}
        />
        <ConfirmAction
          label={t("disconnect")}
          title={t("disconnectTitle")}
          body={t("disconnectBody")}
          confirmLabel={c("confirm")}
          danger
          action={disconnectScimAction}
          onDone={(result) => {
            reveal(null);
            notify(t("disconnected", { count: result.data?.usersKept ?? 0 }));
          }}
        />
    </div>
  );
}
