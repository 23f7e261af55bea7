import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { getDb } from "@/db";
import { listActivityPage } from "@/db/queries/activity";
import { requireAdmin } from "@/lib/auth/session";
import { ActivityTable } from "@/components/admin/activity-table";
import { Card } from "@/components/ui/card";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Activity"))("title") };
}

const PAGE_SIZE = 50;

/** `before=<ISO time>_<id>`: the last entry of the previous page (keyset cursor). */
const querySchema = z.object({
  outcome: z.enum(["success", "failure"]).optional().catch(undefined),
  before: z
    .string()
    .regex(/^[^_]+_\d+$/)
    .transform((s) => ({ at: new Date(s.slice(0, s.lastIndexOf("_"))), id: Number(s.slice(s.lastIndexOf("_") + 1)) }))
    .refine((c) => !Number.isNaN(c.at.getTime()))
    .optional()
    .catch(undefined),
});

/** Every SCIM request and admin change, newest first, paged, filterable by outcome. */
export default async function ActivityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { tenant } = await requireAdmin();
  const raw = await searchParams;
  const query = querySchema.parse({ outcome: raw.outcome, before: raw.before });
  const { rows: page, next } = await listActivityPage(await getDb(), tenant.id, { before: query.before, outcome: query.outcome, limit: PAGE_SIZE });
  const t = await getTranslations("Activity");
  const c = await getTranslations("Common");
  const nextHref =
    next
      ? `/settings/users/scim/activity?${new URLSearchParams({ ...(query.outcome ? { outcome: query.outcome } : {}), before: `${next.at.toISOString()}_${next.id}` })}`
      : null;
  return (
    <div className="space-y-6">
      <div>
        <Link href="/settings/users/scim" className="text-sm text-gray-600 underline">
          {t("backToScim")}
        </Link>
        <h1 className="text-2xl font-bold">{t("heading")}</h1>
        <p className="mt-1 text-sm text-gray-600">{t("intro")}</p>
      </div>
      <Card>
        <form action="/settings/users/scim/activity" className="mb-4 flex items-end gap-3">
          <label className="block text-sm font-medium">
            {t("outcome")}
            <select name="outcome" defaultValue={query.outcome ?? ""} className="mt-1 block rounded-md border-0 py-2 pl-3 pr-8 text-sm ring-1 ring-gray-300">
              <option value="">{t("outcomeAll")}</option>
              <option value="success">{t("outcomeSuccess")}</option>
              <option value="failure">{t("outcomeFailure")}</option>
            </select>
          </label>
          <button type="submit" className="rounded-md bg-brand px-3.5 py-2 text-sm font-semibold text-white hover:bg-brand-dark">
            {t("apply")}
          </button>
        </form>
        {page.length ? <ActivityTable rows={page} /> : <p className="text-sm text-gray-600">{t("empty")}</p>}
        <nav aria-label={c("paging")} className="mt-4 flex justify-end gap-4 text-sm">
          {query.before ? (
            <Link href={`/settings/users/scim/activity${query.outcome ? `?outcome=${query.outcome}` : ""}`} className="font-medium text-brand underline">
              {t("newest")}
            </Link>
          ) : null}
          {nextHref ? (
            <Link href={nextHref} className="font-medium text-brand underline">
              {c("next")}
            </Link>
          ) : null}
        </nav>
      </Card>
    </div>
  );
}
