"use client";

import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose } from "@/components/ui/dialog";

type Result = { ok: boolean; message?: string };

/**
 * A button that asks first: the dialog says what will happen; Confirm runs the action and closes on success,
 * or keeps the dialog open with the action's message; Cancel changes nothing.
 */
export function ConfirmAction<R extends Result>({
  label,
  accessibleLabel,
  title,
  body,
  confirmLabel,
  danger = false,
  action,
  onDone,
}: {
  label: string;
  accessibleLabel?: string;
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  action: () => Promise<R>;
  onDone?: (result: R) => void;
}) {
  const t = useTranslations("Common");
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setError(null);
      }}
      title={title}
      description={body}
      trigger={
        <Button type="button" variant={danger ? "danger" : "secondary"} aria-label={accessibleLabel}>
          {label}
        </Button>
      }
    >
      {error ? <Alert tone="error" className="mb-4">{error}</Alert> : null}
      <div className="flex justify-end gap-3">
        <DialogClose asChild>
          <Button type="button" variant="secondary">
            {t("cancel")}
          </Button>
        </DialogClose>
        <Button
          type="button"
          variant={danger ? "danger" : "primary"}
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              const result = await action();
              if (!result.ok) return setError(result.message ?? null);
              setOpen(false);
              onDone?.(result);
            })
          }
        >
          {pending ? t("working") : confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
