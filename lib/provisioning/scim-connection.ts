import { z } from "zod";
import type { DbOrTx } from "@/db";
import { identityProviders } from "@/db/schema";
import { getLiveConnection, insertConnection, revokeConnection, updateConnectionToken } from "@/db/queries/scim-connections";
import { lockTenant } from "@/db/queries/tenants";
import { recordActivity } from "@/lib/activity";
import { env } from "@/lib/env";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { displayPrefix, generateScimToken, hashScimToken } from "@/lib/provisioning/scim-token";
import { summarize } from "@/lib/activity-summary";

/** The SCIM base URL an IdP is given; the bearer token, not the URL, identifies the tenant. */
export function scimTenantUrl(): string {
  return `${env().appUrl}/scim/v2`;
}

const providerSchema = z.enum(identityProviders, { error: `provider must be one of ${identityProviders.join(", ")}` });

export type Actor = string;

/**
 * Connects a tenant to an IdP: creates the connection and returns the tenant URL and the token. This is the only
 * time the token exists in plain text; only its hash is stored.
 */
export async function connectScim(db: DbOrTx, input: { tenantId: string; provider: string; actor: Actor }) {
  const provider = providerSchema.safeParse(input.provider);
  if (!provider.success) throw new ValidationError(provider.error.issues[0].message);
  return db.transaction(async (tx) => {
    await lockTenant(tx, input.tenantId);
    if (await getLiveConnection(tx, input.tenantId)) {
      throw new ConflictError("SCIM is already connected; rotate the token or disconnect first");
    }
    const { token, keyId } = generateScimToken();
    const connection = await insertConnection(tx, {
      tenantId: input.tenantId,
      provider: provider.data,
      tokenHash: hashScimToken(token),
      tokenPrefix: displayPrefix(token),
      keyId,
    });
    await recordActivity(tx, { tenantId: input.tenantId, actor: input.actor, ...summarize("scimConnected", { provider: provider.data }) });
    return { tenantUrl: scimTenantUrl(), token, connection };
  });
}

/** Replaces the token; the old one stops working with this commit. Returns the new token, shown once. */
export async function rotateScimToken(db: DbOrTx, input: { tenantId: string; actor: Actor }) {
  return db.transaction(async (tx) => {
    await lockTenant(tx, input.tenantId);
    const connection = await getLiveConnection(tx, input.tenantId);
    if (!connection) throw new NotFoundError("SCIM is not connected");
    const { token, keyId } = generateScimToken();
    await updateConnectionToken(tx, connection.id, { tokenHash: hashScimToken(token), tokenPrefix: displayPrefix(token), keyId });
    await recordActivity(tx, { tenantId: input.tenantId, actor: input.actor, ...summarize("tokenRotated") });
    return { token };
  });
}

/**
 * Revokes the token at once: the next request with it gets 401 on every instance, because each request looks
 * the hash up in the database. What happens to provisioned users is decided by lib/provisioning (they stay).
 */
export async function revokeScimConnection(tx: DbOrTx, input: { tenantId: string; actor: Actor }) {
  const connection = await getLiveConnection(tx, input.tenantId);
  if (!connection) throw new NotFoundError("SCIM is not connected");
  await revokeConnection(tx, connection.id);
  await recordActivity(tx, { tenantId: input.tenantId, actor: input.actor, ...summarize("scimDisconnected") });
  return connection;
}
