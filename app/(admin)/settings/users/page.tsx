import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { z } from "zod";
import { getDb } from "@/db";
import { licenseTiers, userLicenseEnum, userRoleEnum, userSourceEnum, userStatusEnum } from "@/db/schema";
import { listSeats } from "@/db/queries/tenants";
import { countUsersByAccess, listUsersPage, userKey, type UserCursor } from "@/db/queries/users";
import { requireAdmin } from "@/lib/auth/session";
import { countSeatsHeld } from "@/lib/provisioning/seats";
import { formatTime } from "@/components/admin/format-time";
import { Card } from "@/components/ui/card";
import { Table, Td } from "@/components/ui/table";
import { LicenseBadge, RoleBadge, SourceLabel, StatusBadge } from "@/components/user-badges";
import { RemoveUserButton } from "./_components/remove-user-button";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Users"))("title") };
}

const PAGE_SIZE = 50;

/** The list's query string: unknown or malformed values are ignored rather than failing the page. */
const querySchema = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  role: z.enum(userRoleEnum.enumValues).optional().catch(undefined),
  license: z.enum(userLicenseEnum.enumValues).optional().catch(undefined),
  status: z.enum(userStatusEnum.enumValues).optional().catch(undefined),
  source: z.enum(userSourceEnum.enumValues).optional().catch(undefined),
  after: z.string().max(400).optional().catch(undefined),
  before: z.string().max(400).optional().catch(undefined),
});

type Query = z.infer<typeof querySchema>;

const hrefWith = (query: Query, cursor: UserCursor | null) => {
  const params = new URLSearchParams();
  for (const key of ["q", "role", "license", "status", "source"] as const) if (query[key]) params.set(key, query[key]!);
  if (cursor && "after" in cursor) params.set("after", cursor.after);
  if (cursor && "before" in cursor) params.set("before", cursor.before);
  const s = params.toString();
  return `/settings/users${s ? `?${s}` : ""}`;
};

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { tenant, user: me } = await requireAdmin();
  const query = querySchema.parse(Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
  const cursor: UserCursor | undefined = query.after ? { after: query.after } : query.before ? { before: query.before } : undefined;
  const db = await getDb();
  const [{ rows, more }, seats, byAccess] = await Promise.all([
    listUsersPage(db, tenant.id, {
      filter: { search: query.q || undefined, role: query.role, license: query.license, status: query.status, source: query.source },
      cursor,
      limit: PAGE_SIZE,
    }),
    listSeats(db, tenant.id),
    countUsersByAccess(db, tenant.id),
  ]);
  const held = countSeatsHeld(byAccess);
  const t = await getTranslations("Users");
  const v = await getTranslations("Values");
  const nav = await getTranslations("Nav");
  const common = await getTranslations("Common");
  const format = await getFormatter();
  const backwards = cursor !== undefined && "before" in cursor;
  const prev = rows.length && (backwards ? more : cursor !== undefined) ? { before: userKey(rows[0]) } : null;
  const next = rows.length && (backwards ? true : more) ? { after: userKey(rows[rows.length - 1]) } : null;
  const select = (name: "role" | "license" | "status" | "source", label: string, values: readonly string[], text: (value: string) => string) => (
    <label className="block text-sm font-medium">
      {label}
      <select name={name} defaultValue={query[name] ?? ""} className="mt-1 block w-full rounded-md border-0 py-2 pl-3 pr-8 text-sm ring-1 ring-gray-300">
        <option value="">{t("any")}</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {text(value)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-gray-600">{nav("settings")}</p>
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
      </div>

      <section aria-labelledby="seats-heading">
        <h2 id="seats-heading" className="sr-only">
          {t("seats")}
        </h2>
        <div className="grid gap-4 sm:grid-cols-3">
          {licenseTiers.map((tier) => (
            <Card key={tier}>
              <p className="text-sm text-gray-600">{t("seatsOfTier", { tier })}</p>
              <p className="text-2xl font-semibold" data-testid={`seats-${tier}`}>
                {t("heldOfOwned", { held: held[tier], owned: seats.find((s) => s.tier === tier)?.quantity ?? 0 })}
              </p>
            </Card>
          ))}
        </div>
      </section>

      <Card title={t("members")}>
        <form role="search" aria-label={t("filters")} action="/settings/users" className="mb-4 grid items-end gap-3 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_1fr_1fr_auto]">
          <label className="block text-sm font-medium">
            {t("search")}
            <input name="q" type="search" defaultValue={query.q ?? ""} className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-gray-300" />
          </label>
          {select("role", t("filterRole"), userRoleEnum.enumValues, (role) => v("role", { role }))}
          {select("license", t("filterLicense"), userLicenseEnum.enumValues, (license) => v("license", { license }))}
          {select("status", t("filterStatus"), userStatusEnum.enumValues, (status) => v("status", { status }))}
          {select("source", t("filterSource"), userSourceEnum.enumValues, (source) => v("source", { source }))}
          <div className="flex gap-3">
            <button type="submit" className="rounded-md bg-brand px-3.5 py-2 text-sm font-semibold text-white hover:bg-brand-dark">
              {t("apply")}
            </button>
            <Link href="/settings/users" className="self-center text-sm underline">
              {t("reset")}
            </Link>
          </div>
        </form>
        <div>
          <Table
            columns={[t("colName"), t("colEmail"), t("colRole"), t("colLicense"), t("colStatus"), t("colSource"), t("colChanged"), t("colActions")]}
          >
            {rows.map((m) => (
              <tr key={m.id} data-testid="user-row">
                <Td>{m.name ?? "—"}</Td>
                <Td>{m.email}</Td>
                <Td><RoleBadge role={m.role} /></Td>
                <Td><LicenseBadge license={m.license} /></Td>
                <Td>
                  <StatusBadge status={m.status} />
                  {m.emailConflictWith ? (
                    <p data-testid="email-conflict" className="mt-1 text-xs text-amber-800">
                      {t("emailConflict", { other: m.emailConflictWith.name ?? m.emailConflictWith.email, email: m.emailConflictWith.email })}
                    </p>
                  ) : null}
                </Td>
                <Td><SourceLabel source={m.source} /></Td>
                <Td className="whitespace-nowrap">{formatTime(format, m.updatedAt)}</Td>
                <Td>
                  {m.source === "scim" ? (
                    <span className="text-xs text-gray-600">{t("managedByIdp")}</span>
                  ) : m.id === me.id ? null : (
                    <RemoveUserButton id={m.id} email={m.email} />
                  )}
                </Td>
              </tr>
            ))}
          </Table>
        </div>
        {rows.length === 0 ? <p className="py-4 text-sm text-gray-600">{t("empty")}</p> : null}
        <nav aria-label={common("paging")} className="mt-4 flex items-center justify-between text-sm">
          <span className="text-gray-600">{t("shown", { count: rows.length })}</span>
          <span className="flex gap-4">
            {prev ? <Link href={hrefWith(query, prev)} className="font-medium text-brand underline">{common("previous")}</Link> : null}
            {next ? <Link href={hrefWith(query, next)} className="font-medium text-brand underline">{common("next")}</Link> : null}
          </span>
        </nav>
      </Card>

      <section aria-labelledby="management-heading">
        <h2 id="management-heading" className="mb-3 text-lg font-semibold">
          {t("management")}
        </h2>
        <div className="grid gap-4 sm:grid-cols-2">
          <Card>
            <Link href="/settings/users/scim" className="text-base font-semibold text-brand underline">
              {t("scimLink")}
            </Link>
            <p className="mt-1 text-sm text-gray-600">{t("scimLinkHint")}</p>
          </Card>
          <Card>
            <Link href="/settings/billing" className="text-base font-semibold text-brand underline">
              {t("billingLink")}
            </Link>
            <p className="mt-1 text-sm text-gray-600">{t("billingLinkHint")}</p>
          </Card>
        </div>
      </section>
    </div>
  );
}
