"use client";

import { useSyncExternalStore, useTransition } from "react";
import { useLocale, useTranslations } from "next-intl";
import { setLocaleAction } from "@/lib/i18n/set-locale";

const noSubscription = () => () => {};

/**
 * The header's Language select: each language named in itself; the choice is remembered in a cookie. It changes the
 * language from its onChange handler, so it stays disabled until hydrated: a choice made before would be lost.
 */
export function LanguageSelect() {
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  const t = useTranslations("Common");
  const locale = useLocale();
  const [pending, startTransition] = useTransition();
  return (
    <label className="flex items-center gap-2 text-sm text-gray-700">
      {t("language")}
      <select
        value={locale}
        disabled={!hydrated || pending}
        onChange={(e) => {
          const next = e.target.value;
          startTransition(async () => {
            await setLocaleAction(next);
          });
        }}
        className="rounded-md border-0 py-1 pl-2 pr-7 text-sm ring-1 ring-gray-300"
      >
        <option value="en" lang="en">English</option>
        <option value="de" lang="de">Deutsch</option>
      </select>
    </label>
  );
}
