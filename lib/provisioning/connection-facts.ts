import { count, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { scimGroups } from "@/db/schema";
import { listScimRequests, type ActivityRow } from "@/db/queries/activity";
import { getLiveConnection } from "@/db/queries/scim-connections";
import { scimTenantUrl } from "./scim-connection";

/**
 * The IdP's latest call as the activity log has it: what it says (`summary` with its message key and values, or
 * `reason`, why a call with a refused token failed) is for components/admin/activity-detail.ts to put in words.
 */
export type ScimCall = Pick<ActivityRow, "at" | "method" | "path" | "status" | "summary" | "summaryKey" | "summaryValues" | "reason"> & {
  succeeded: boolean;
};

export type ScimConnectionFacts = {
  provider: string;
  tenantUrl: string;
  tokenPrefix: string;
  createdAt: Date;
  rotatedAt: Date | null;
  lastUsedAt: Date | null;
  /** The IdP's latest request since this connection was made (any outcome), or null before its first. */
  lastCall: ScimCall | null;
  /** Groups the IdP has sent; until the first arrives the setup waits for the IdP. */
  groupCount: number;
};

/**
 * What the SCIM Integration page and `scim status` tell an admin about the live connection: provider, Tenant URL,
 * token prefix, when it was set up and rotated, and the IdP's last call with its outcome. Null when not connected.
 */
export async function getScimConnectionFacts(db: DbOrTx, tenantId: string): Promise<ScimConnectionFacts | null> {
  const connection = await getLiveConnection(db, tenantId);
  if (!connection) return null;
  const [[latest], [{ groups }]] = await Promise.all([
    listScimRequests(db, tenantId, 1),
    db.select({ groups: count() }).from(scimGroups).where(eq(scimGroups.tenantId, tenantId)),
  ]);
  const lastCall =
    latest && latest.at >= connection.createdAt
      ? {
          at: latest.at,
          method: latest.method,
          path: latest.path,
          status: latest.status,
          summary: latest.summary,
          summaryKey: latest.summaryKey,
          summaryValues: latest.summaryValues,
          reason: latest.reason,
          succeeded: (latest.status ?? 0) < 400,
        }
      : null;
  return {
    provider: connection.provider,
    tenantUrl: scimTenantUrl(),
    tokenPrefix: connection.tokenPrefix,
    createdAt: connection.createdAt,
    rotatedAt: connection.rotatedAt,
    lastUsedAt: connection.lastUsedAt,
    lastCall,
    groupCount: groups,
  };
}
