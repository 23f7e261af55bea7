"use client";

import { useTranslations } from "next-intl";

export type GroupOption = { id: string; displayName: string; members: number };

/** The look of the mapping form's selects and filter box. */
export const fieldClass = "mt-1 block w-full rounded-md border-0 py-2 pl-3 pr-8 text-sm ring-1 ring-gray-300 focus:ring-2 focus:ring-brand";

/**
 * A labelled select of the IdP's groups (with member counts) for one role, "No group" first, and the field's
 * errors from the server action below it (`<field>-error`, which the select is described by).
 */
export function GroupSelect({
  id,
  field,
  label,
  groups,
  value,
  onChange,
  errors,
}: {
  id: string;
  /** The form field the server action names in its field errors, e.g. `userGroupId`. */
  field: string;
  label: string;
  groups: GroupOption[];
  value: string | null;
  onChange: (groupId: string | null) => void;
  errors?: string[];
}) {
  const t = useTranslations("Scim");
  const invalid = !!errors?.length;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <select
        id={id}
        className={fieldClass}
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value || null)}
        aria-invalid={!!errors}
        aria-describedby={errors ? `${field}-error` : undefined}
      >
        <option value="">{t("noGroup")}</option>
        {groups.map((g) => (
          <option key={g.id} value={g.id}>
            {t("groupOption", { name: g.displayName, count: g.members })}
          </option>
        ))}
      </select>
      {invalid ? (
        <p id={`${field}-error`} className="mt-1 text-sm text-red-700">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
