"use client";

import { useId, useState } from "react";
import { useTranslations } from "next-intl";
import { Button } from "./button";

/** A read-only value with its label and a Copy button that puts it on the clipboard. */
export function CopyField({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const t = useTranslations("Common");
  const id = useId();
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="mt-1 flex gap-2">
        <input
          id={id}
          readOnly
          value={value}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
          className={`block w-full rounded-md border-0 bg-gray-50 px-3 py-2 font-mono text-sm ring-1 ring-gray-300 ${secret ? "tracking-tight" : ""}`}
        />
        <Button type="button" variant="secondary" onClick={copy} aria-label={t("copyLabel", { field: label })}>
          {t("copy")}
        </Button>
      </div>
      <p aria-live="polite" className="mt-1 min-h-5 text-xs text-gray-600">
        {copied === "yes" ? t("copied", { field: label }) : copied === "failed" ? t("copyFailed") : ""}
      </p>
    </div>
  );
}
