"use client";

import { createContext, useContext, useState } from "react";
import { useTranslations } from "next-intl";
import type { IdentityProvider } from "@/db/schema/enums";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyField } from "@/components/ui/copy-field";
import { ProviderInstructions } from "./provider-instructions";

type Credentials = { provider: IdentityProvider; tenantUrl: string; token: string };

type Reveal = {
  credentials: Credentials | null;
  reveal: (c: Credentials | null) => void;
  notice: string | null;
  notify: (message: string | null) => void;
};

const RevealContext = createContext<Reveal>({ credentials: null, reveal: () => {}, notice: null, notify: () => {} });

/**
 * Holds the one-time credentials in the browser only, above the page's states: the page re-renders from the
 * server as the connection moves on (waiting, connected) while the token stays visible until dismissed.
 */
export function CredentialsProvider({ children }: { children: React.ReactNode }) {
  const [credentials, reveal] = useState<Credentials | null>(null);
  const [notice, notify] = useState<string | null>(null);
  return <RevealContext.Provider value={{ credentials, reveal, notice, notify }}>{children}</RevealContext.Provider>;
}

export const useRevealCredentials = () => useContext(RevealContext).reveal;
/** Whether new credentials are on screen (the page's server state may not say "connected" yet). */
export const useCredentialsRevealed = () => useContext(RevealContext).credentials !== null;
export const useNotify = () => useContext(RevealContext).notify;

/** The outcome of the last action on this page (it outlives the state it came from, e.g. after Disconnect). */
export function PageNotice() {
  const { notice } = useContext(RevealContext);
  return notice ? <Alert tone="success">{notice}</Alert> : null;
}

/** The Tenant URL and the token just created, each with Copy, the shown-once warning, and the IdP's steps. */
export function RevealedCredentials() {
  const t = useTranslations("Scim");
  const { credentials, reveal } = useContext(RevealContext);
  if (!credentials) return null;
  return (
    <section aria-labelledby="credentials-heading" className="space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-gray-200">
      <h2 id="credentials-heading" className="text-base font-semibold">
        {t("credentials")}
      </h2>
      <Alert tone="warning">{t("tokenOnce")}</Alert>
      <div className="grid gap-4 md:grid-cols-2">
        <CopyField label={t("tenantUrl")} value={credentials.tenantUrl} />
        <CopyField label={t("token")} value={credentials.token} secret />
      </div>
      <ProviderInstructions provider={credentials.provider} tenantUrl={credentials.tenantUrl} token={credentials.token} />
      <Button type="button" variant="secondary" onClick={() => reveal(null)}>
        {t("dismiss")}
      </Button>
    </section>
  );
}
