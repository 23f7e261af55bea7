"use client";

import { useId, useMemo, useRef, useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { licenseTiers, type LicenseTier } from "@/db/schema/enums";
import type { ConfirmablePreview } from "@/lib/provisioning/group-mapping";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose } from "@/components/ui/dialog";
import { previewMappingAction, saveMappingAction, type MappingForm as Mapping } from "../actions";
import { useNotify } from "./credentials";
import { fieldClass, GroupSelect, type GroupOption } from "./group-select";
import { MappingPreview } from "./mapping-preview";

/** Above this many groups the license list gets a filter box. */
const FILTER_FROM = 8;

/**
 * Connected: which IdP groups grant access and which licenses, and the invite switch. Save previews first; the
 * dialog's Confirm applies exactly that preview (or shows the new one if something changed in between).
 */
export function MappingForm({
  groups,
  initial,
}: {
  groups: GroupOption[];
  initial: Mapping;
}) {
  const t = useTranslations("Scim");
  const c = useTranslations("Common");
  const v = useTranslations("Values");
  const notify = useNotify();
  const ids = { user: useId(), admin: useId(), filter: useId(), invite: useId() };
  const [userGroupId, setUserGroupId] = useState(initial.userGroupId);
  const [adminGroupId, setAdminGroupId] = useState(initial.adminGroupId);
  const [licenses, setLicenses] = useState<Record<string, LicenseTier>>(
    Object.fromEntries(initial.licenseGroups.map((l) => [l.groupId, l.tier])),
  );
  const [invite, setInvite] = useState(initial.inviteOnProvision);
  const [filter, setFilter] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [preview, setPreview] = useState<ConfirmablePreview | null>(null);
  const [dialogMessage, setDialogMessage] = useState<{ tone: "error" | "warning"; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const saveButton = useRef<HTMLButtonElement>(null);

  const mapping: Mapping = {
    userGroupId,
    adminGroupId,
    licenseGroups: Object.entries(licenses).map(([groupId, tier]) => ({ groupId, tier })),
    inviteOnProvision: invite,
  };
  const shown = useMemo(
    () => groups.filter((g) => g.displayName.toLowerCase().includes(filter.trim().toLowerCase())),
    [groups, filter],
  );

  function openPreview() {
    if (pending) return;
    setFormError(null);
    setFieldErrors({});
    startTransition(async () => {
      const result = await previewMappingAction(mapping);
      if (!result.ok || !result.data) {
        setFieldErrors(result.fieldErrors ?? {});
        return setFormError(result.message ?? null);
      }
      setDialogMessage(null);
      setPreview(result.data.preview);
    });
  }

  function confirm() {
    if (!preview) return;
    startTransition(async () => {
      const result = await saveMappingAction({ mapping, fingerprint: preview.fingerprint });
      if (result.ok && result.data) {
        const p = result.data.preview;
        setPreview(null);
        notify(t("saved", { gain: p.gainAccess.length, lose: p.loseAccess.length, change: p.change.length }));
        return;
      }
      if (result.data?.preview) setPreview(result.data.preview);
      setDialogMessage(
        result.data?.stale ? { tone: "warning", text: t("stale") } : { tone: "error", text: result.message ?? c("working") },
      );
    });
  }

  return (
    <form
      className="space-y-8"
      onSubmit={(e) => {
        e.preventDefault();
        openPreview();
      }}
    >
      <section aria-labelledby="group-assignment" className="space-y-3">
        <h2 id="group-assignment" className="text-base font-semibold">
          {t("groupAssignment")}
        </h2>
        <p className="text-sm text-gray-600">{t("groupAssignmentHint")}</p>
        <div className="grid gap-4 sm:grid-cols-2">
          <GroupSelect
            id={ids.user}
            field="userGroupId"
            label={t("userGroup")}
            groups={groups}
            value={userGroupId}
            onChange={setUserGroupId}
            errors={fieldErrors.userGroupId}
          />
          <GroupSelect
            id={ids.admin}
            field="adminGroupId"
            label={t("adminGroup")}
            groups={groups}
            value={adminGroupId}
            onChange={setAdminGroupId}
            errors={fieldErrors.adminGroupId}
          />
        </div>
      </section>

      <section aria-labelledby="license-assignment" className="space-y-3">
        <h2 id="license-assignment" className="text-base font-semibold">
          {t("licenseAssignment")}
        </h2>
        <p className="text-sm text-gray-600">{t("licenseRule")}</p>
        {groups.length > FILTER_FROM ? (
          <div className="max-w-sm">
            <label htmlFor={ids.filter} className="block text-sm font-medium">
              {t("filterGroups")}
            </label>
            <input id={ids.filter} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} className={fieldClass} />
          </div>
        ) : null}
        {shown.length === 0 ? <p className="text-sm text-gray-600">{t("noGroupsMatch")}</p> : null}
        <ul className="divide-y divide-gray-100">
          {shown.map((g) => (
            <li key={g.id} className="grid items-center gap-2 py-2 sm:grid-cols-[1fr_14rem]">
              <label htmlFor={`license-${g.id}`} className="text-sm">
                <span className="sr-only">{t("licenseFor", { group: g.displayName })}</span>
                <span aria-hidden="true">
                  <span className="font-medium">{g.displayName}</span>{" "}
                  <span className="text-gray-500">({t("members", { count: g.members })})</span>
                </span>
              </label>
              <select
                id={`license-${g.id}`}
                className={fieldClass}
                value={licenses[g.id] ?? ""}
                onChange={(e) => {
                  const tier = e.target.value as LicenseTier | "";
                  setLicenses(({ [g.id]: _old, ...rest }) => (tier ? { ...rest, [g.id]: tier } : rest));
                }}
              >
                <option value="">{v("license", { license: "none" })}</option>
                {licenseTiers.map((tier) => (
                  <option key={tier} value={tier}>
                    {v("tier", { tier })}
                  </option>
                ))}
              </select>
            </li>
          ))}
        </ul>
      </section>

      <section className="flex items-start gap-3">
        <button
          type="button"
          role="switch"
          aria-checked={invite}
          aria-labelledby={ids.invite}
          aria-describedby={`${ids.invite}-hint`}
          onClick={() => setInvite(!invite)}
          className={`relative mt-0.5 inline-flex h-6 w-11 shrink-0 rounded-full transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand ${invite ? "bg-brand" : "bg-gray-400"}`}
        >
          <span className={`inline-block h-5 w-5 translate-y-0.5 rounded-full bg-white shadow transition ${invite ? "translate-x-5.5" : "translate-x-0.5"}`} />
        </button>
        <div>
          <span id={ids.invite} className="block text-sm font-medium">
            {t("invite")}
          </span>
          <span id={`${ids.invite}-hint`} className="block text-sm text-gray-600">
            {t("inviteHint")}
          </span>
        </div>
      </section>

      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <Button type="submit" ref={saveButton} aria-busy={pending}>
        {c("save")}
      </Button>

      <Dialog
        open={preview !== null}
        onOpenChange={(open) => {
          if (!open) setPreview(null);
        }}
        title={t("previewTitle")}
        description={t("previewIntro")}
        returnFocusTo={saveButton}
      >
        {dialogMessage ? (
          <Alert tone={dialogMessage.tone} className="mb-4">
            {dialogMessage.text}
          </Alert>
        ) : null}
        {preview ? <MappingPreview preview={preview} /> : null}
        <div className="mt-6 flex justify-end gap-3">
          <DialogClose asChild>
            <Button type="button" variant="secondary">
              {c("cancel")}
            </Button>
          </DialogClose>
          <Button type="button" onClick={confirm} disabled={pending}>
            {c("confirm")}
          </Button>
        </div>
      </Dialog>
    </form>
  );
}
