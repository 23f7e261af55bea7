import type { Locale } from "@/db/schema";
import type { ScimUserRow } from "@/db/queries/scim-users";
import type { DirectoryUser } from "@/lib/provisioning/sync-users";

/** `preferredLanguage`/`locale` such as "de-DE" or "en_US" → the UI language, if we speak it (RFC 7643 §4.1.1). */
export function localeOf(resource: Record<string, unknown>): Locale | null {
  for (const key of ["preferredLanguage", "locale"]) {
    const value = resource[key];
    if (typeof value === "string") {
      const language = value.trim().slice(0, 2).toLowerCase();
      if (language === "de" || language === "en") return language;
    }
  }
  return null;
}

/** displayName, else name.formatted, else given and family name (RFC 7643 §4.1.1). */
export function nameOf(row: { displayName: string | null; resource: Record<string, unknown> }): string | null {
  if (row.displayName) return row.displayName;
  const name = row.resource.name as { formatted?: unknown; givenName?: unknown; familyName?: unknown } | undefined;
  if (typeof name?.formatted === "string") return name.formatted;
  const parts = [name?.givenName, name?.familyName].filter((p): p is string => typeof p === "string");
  return parts.length ? parts.join(" ") : null;
}

/** A stored SCIM User as the directory change the provisioning verb takes: plain values, no SCIM JSON. */
export function directoryUser(row: ScimUserRow, created = false): DirectoryUser & { created: boolean } {
  return {
    scimUserId: row.id,
    email: row.email ?? row.userName,
    name: nameOf(row),
    locale: localeOf(row.resource),
    active: row.active,
    created,
  };
}
