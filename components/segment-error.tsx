"use client";

import { useEffect } from "react";
import { useTranslations } from "next-intl";
import type { ErrorInfo } from "next/error";
import { Button } from "@/components/ui/button";

/**
 * An unexpected failure while rendering a segment (its error.tsx): a readable message in the visitor's language
 * and Try again. Try again is Next.js's `retry`, which fetches the segment's server components again: the usual
 * cause is the database, and `reset` alone would render the same failed answer once more.
 */
export function SegmentError({ error, retry }: ErrorInfo) {
  const t = useTranslations("Errors");
  useEffect(() => console.error(error), [error]);
  return (
    <div role="alert" className="space-y-3 rounded-lg bg-white p-6 ring-1 ring-red-200">
      <h1 className="text-xl font-bold">{t("title")}</h1>
      <p className="text-sm text-gray-700">{t("body")}</p>
      <Button type="button" onClick={retry}>
        {t("retry")}
      </Button>
    </div>
  );
}
