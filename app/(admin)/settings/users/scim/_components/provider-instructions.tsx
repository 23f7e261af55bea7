"use client";

import { useTranslations } from "next-intl";
import type { IdentityProvider } from "@/db/schema/enums";

/** How many steps each IdP's guide has (the catalogs hold them as Scim.instructions.<provider>.1…n). */
const STEPS = 6;

/** The step-by-step setup of one IdP, in the page's language, with the Tenant URL and token filled in. */
export function ProviderInstructions({
  provider,
  tenantUrl,
  token,
  headingLevel = 3,
}: {
  provider: IdentityProvider;
  tenantUrl: string;
  token: string;
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const t = useTranslations("Scim");
  const v = useTranslations("Values");
  const steps = Array.from({ length: STEPS }, (_, i) => `instructions.${provider}.${i + 1}` as const);
  return (
    <section aria-labelledby={`instructions-${provider}`} data-testid="instructions" data-provider={provider}>
      <Heading id={`instructions-${provider}`} className="text-sm font-semibold">
        {t("instructionsFor", { provider: v("provider", { provider }) })}
      </Heading>
      <ol className="mt-2 list-decimal space-y-2 pl-5 text-sm text-gray-800">
        {steps.map((key) => (
          <li key={key}>
            {t.rich(key as Parameters<typeof t.rich>[0], {
              tenantUrl,
              token,
              b: (chunks) => <strong>{chunks}</strong>,
              code: (chunks) => <code className="break-all rounded bg-gray-100 px-1 py-0.5 font-mono text-xs">{chunks}</code>,
            })}
          </li>
        ))}
      </ol>
    </section>
  );
}
