import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import type { IdentityProvider } from "@/db/schema";
import { listScimRequests } from "@/db/queries/activity";
import { listGroupsWithMemberCounts } from "@/db/queries/scim-groups";
import { requireAdmin } from "@/lib/auth/session";
import { getScimConnectionFacts, type ScimConnectionFacts } from "@/lib/provisioning/connection-facts";
import { describeGroupMapping } from "@/lib/provisioning/group-mapping";
import { scimTenantUrl } from "@/lib/provisioning/scim-connection";
import { Card } from "@/components/ui/card";
import { ActivityTable } from "@/components/admin/activity-table";
import { activityDetails } from "@/components/admin/activity-detail";
import { formatTime } from "@/components/admin/format-time";
import { AutoRefresh } from "./_components/auto-refresh";
import { ConnectionControls } from "./_components/connection-controls";
import { CredentialsProvider, PageNotice, RevealedCredentials } from "./_components/credentials";
import { MappingForm } from "./_components/mapping-form";
import { ProviderPicker } from "./_components/provider-picker";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Scim"))("title") };
}

type State = "not-connected" | "waiting" | "connected";

/** One page that follows the connection: not connected → credentials → waiting for the IdP → connected. */
export default async function ScimIntegrationPage() {
  const { tenant } = await requireAdmin();
  const db = await getDb();
  const t = await getTranslations("Scim");
  const facts = await getScimConnectionFacts(db, tenant.id);
  const state: State = !facts ? "not-connected" : facts.groupCount === 0 ? "waiting" : "connected";
  const stateLabel = { "not-connected": t("stateNotConnected"), waiting: t("stateWaiting"), connected: t("stateConnected") }[state];
  return (
    <div className="space-y-6" data-testid="scim-page" data-state={state}>
      <div>
        <nav aria-label={t("title")} className="text-sm text-gray-500">
          <Link href="/settings/users" className="underline hover:text-gray-700">
            {(await getTranslations("Nav"))("users")}
          </Link>
        </nav>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-bold">{t("heading")}</h1>
          <span className="rounded-full bg-gray-200 px-2.5 py-0.5 text-xs font-medium text-gray-800">{stateLabel}</span>
        </div>
        <p className="mt-1 text-sm text-gray-600">{t("intro")}</p>
      </div>
      <CredentialsProvider>
        <PageNotice />
        <RevealedCredentials />
        {facts ? null : <ProviderPicker tenantUrl={scimTenantUrl()} />}
        {facts && state === "waiting" ? <Waiting facts={facts} /> : null}
        {facts && state === "connected" ? <Connected tenantId={tenant.id} /> : null}
        {facts ? <Connection facts={facts} /> : null}
      </CredentialsProvider>
      {facts ? <LatestActivity tenantId={tenant.id} /> : null}
    </div>
  );
}

async function Waiting({ facts }: { facts: ScimConnectionFacts }) {
  const t = await getTranslations("Scim");
  const detail = await activityDetails();
  const format = await getFormatter();
  const call = facts.lastCall;
  return (
    <Card>
      <AutoRefresh />
      <h2 className="text-base font-semibold">{t("waitingTitle")}</h2>
      <p className="mt-1 text-sm text-gray-700">{t("waitingBody")}</p>
      <p role="status" data-testid="last-call" className="mt-3 text-sm">
        {call ? (
          <>
            {t("lastCall", { at: formatTime(format, call.at), method: call.method ?? "", path: call.path ?? "" })}{" "}
            <span className={call.succeeded ? "text-green-800" : "font-medium text-red-800"}>
              {call.succeeded ? t("lastCallOk", { status: call.status ?? 0 }) : t("lastCallFailed", { status: call.status ?? 0, reason: detail(call) })}
            </span>
          </>
        ) : (
          t("noCallYet")
        )}
      </p>
    </Card>
  );
}

async function Connected({ tenantId }: { tenantId: string }) {
  const db = await getDb();
  const [groups, current] = await Promise.all([listGroupsWithMemberCounts(db, tenantId), describeGroupMapping(db, tenantId)]);
  const initial = {
    userGroupId: current.mapping.userGroupId,
    adminGroupId: current.mapping.adminGroupId,
    licenseGroups: [...current.mapping.licenseGroups].map(([groupId, tier]) => ({ groupId, tier })),
    inviteOnProvision: current.invite,
  };
  return (
    <Card>
      {/* An IdP sends its groups one request at a time: later ones appear without a reload; the form keeps its edits. */}
      <AutoRefresh everyMs={5000} />
      <MappingForm groups={groups} initial={initial} />
    </Card>
  );
}

async function Connection({ facts }: { facts: ScimConnectionFacts }) {
  const t = await getTranslations("Scim");
  const v = await getTranslations("Values");
  const format = await getFormatter();
  return (
    <Card title={t("connection")}>
      <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[10rem_1fr]">
        <dt className="text-gray-600">{t("provider")}</dt>
        <dd>{t("connectedTo", { provider: v("provider", { provider: facts.provider }) })}</dd>
        <dt className="text-gray-600">{t("tenantUrl")}</dt>
        <dd className="font-mono">{facts.tenantUrl}</dd>
        <dt className="text-gray-600">{t("token")}</dt>
        <dd>
          {t("tokenStarts", { prefix: facts.tokenPrefix })}
          {facts.rotatedAt ? ` · ${t("rotated", { at: formatTime(format, facts.rotatedAt) })}` : ""}
        </dd>
        <dt className="text-gray-600">{t("stateConnected")}</dt>
        <dd>{t("since", { at: formatTime(format, facts.createdAt) })}</dd>
      </dl>
      <div className="mt-4">
        <ConnectionControls provider={facts.provider as IdentityProvider} tenantUrl={facts.tenantUrl} />
      </div>
    </Card>
  );
}

async function LatestActivity({ tenantId }: { tenantId: string }) {
  const t = await getTranslations("Scim");
  const rows = await listScimRequests(await getDb(), tenantId, 5);
  return (
    <Card title={t("latestActivity")}>
      {rows.length ? <ActivityTable rows={rows} /> : <p className="text-sm text-gray-600">{t("noActivity")}</p>}
      <p className="mt-3 text-sm">
        <Link href="/settings/users/scim/activity" className="font-medium text-brand underline">
          {t("fullLog")}
        </Link>
      </p>
    </Card>
  );
}
