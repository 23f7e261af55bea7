"use client";

import { useEffect } from "react";
import { useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";

/** An unexpected failure while rendering a settings segment (error.tsx): a readable message and Try again. */
export function SegmentError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("Errors");
  useEffect(() => console.error(error), [error]);
  return (
    <div role="alert" className="space-y-3 rounded-lg bg-white p-6 ring-1 ring-red-200">
      <h1 className="text-xl font-bold">{t("title")}</h1>
      <p className="text-sm text-gray-700">{t("body")}</p>
      <Button type="button" onClick={reset}>
        {t("retry")}
      </Button>
    </div>
  );
}
