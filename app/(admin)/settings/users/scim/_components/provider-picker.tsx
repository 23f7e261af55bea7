"use client";

import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { identityProviders, type IdentityProvider } from "@/db/schema/enums";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { connectScimAction } from "../actions";
import { useCredentialsRevealed, useRevealCredentials } from "./credentials";
import { ProviderInstructions } from "./provider-instructions";

/**
 * Not connected: choose the SCIM client, read its steps, and set up SCIM. Gone as soon as the new credentials are
 * shown (with the same steps), before the page's server state has caught up, so the steps are never on screen twice.
 */
export function ProviderPicker({ tenantUrl }: { tenantUrl: string }) {
  const t = useTranslations("Scim");
  const v = useTranslations("Values");
  const reveal = useRevealCredentials();
  const revealed = useCredentialsRevealed();
  const [provider, setProvider] = useState<IdentityProvider>("entra");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  if (revealed) return null;
  return (
    <Card>
      <form
        className="space-y-6"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          startTransition(async () => {
            const result = await connectScimAction({ provider });
            if (!result.ok || !result.data) return setError(result.message ?? null);
            reveal({ provider, ...result.data });
          });
        }}
      >
        <fieldset>
          <legend className="text-base font-semibold">{t("provider")}</legend>
          <p className="text-sm text-gray-600">{t("providerHint")}</p>
          <div className="mt-3 grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
            {identityProviders.map((p) => (
              <label key={p} className="flex cursor-pointer items-center gap-3 rounded-md bg-white p-3 text-sm ring-1 ring-gray-300 has-[:checked]:ring-2 has-[:checked]:ring-brand">
                <input type="radio" name="provider" value={p} checked={provider === p} onChange={() => setProvider(p)} className="accent-brand" />
                {v("provider", { provider: p })}
              </label>
            ))}
          </div>
        </fieldset>
        <ProviderInstructions provider={provider} tenantUrl={tenantUrl} token={t("tokenPlaceholder")} headingLevel={2} />
        {error ? <Alert tone="error">{error}</Alert> : null}
        <Button type="submit" disabled={pending}>
          {t("setUp")}
        </Button>
      </form>
    </Card>
  );
}
